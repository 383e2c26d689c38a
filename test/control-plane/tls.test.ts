// TLS (the default): the control plane serves HTTPS with a CA of its own, written into the kubeconfig, so
// kubectl and client-node verify the server instead of skipping verification, and a pod's
// standard in-cluster configuration (KUBERNETES_SERVICE_HOST/PORT + the ca.crt beside the
// ServiceAccount token) works against it.
import { KubeConfig, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { X509Certificate } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { createServingCertificates } from "../../apps/control-plane/tls.js";

const run = promisify(execFile);
const dirs: string[] = [];
const planes: ControlPlane[] = [];
afterAll(async () => {
  await Promise.all(planes.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "dmac-tls-"));
  dirs.push(d);
  return d;
}

describe("control plane over TLS", () => {
  it("writes the CA into the kubeconfig and kubectl verifies the server with it", async () => {
    const dir = tempDir();
    const cp = await startControlPlane({ dataDir: join(dir, "state"), port: 0, tls: true, kubeconfigPath: join(dir, "kubeconfig") });
    planes.push(cp);
    expect(cp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const config = parse(readFileSync(join(dir, "kubeconfig"), "utf8")) as { clusters: { cluster: Record<string, unknown> }[] };
    const cluster = config.clusters[0]!.cluster;
    expect(cluster["insecure-skip-tls-verify"]).toBeUndefined();
    expect(Buffer.from(String(cluster["certificate-authority-data"]), "base64").toString()).toBe(cp.caPem);
    const { stdout } = await run("kubectl", ["--kubeconfig", join(dir, "kubeconfig"), "get", "namespaces", "-o", "name"]);
    expect(stdout).toContain("namespace/default");
  });

  it("is refused by a client that trusts another CA", async () => {
    const dir = tempDir();
    const cp = await startControlPlane({ inMemory: true, port: 0, tls: true });
    planes.push(cp);
    const other = await createServingCertificates(["127.0.0.1"]);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: cp.url, caData: Buffer.from(other.caPem).toString("base64"), skipTLSVerify: false }],
      users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    const failure = await kc.makeApiClient(CoreV1Api).listNamespace().then(() => undefined, (err: unknown) => err as Error & { cause?: { code?: string } });
    // undici reports "fetch failed" with the TLS verification error as its cause.
    expect(failure?.cause?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/);
    expect(dir).toBeTruthy();
  });

  it("keeps its CA across restarts of the same data directory", async () => {
    const dir = tempDir();
    const first = await startControlPlane({ dataDir: join(dir, "state"), port: 0, tls: true });
    const ca = first.caPem;
    await first.stop();
    const second = await startControlPlane({ dataDir: join(dir, "state"), port: 0, tls: true });
    planes.push(second);
    expect(second.caPem).toBe(ca);
  });

  it("names loopback, the in-cluster Service and extra names in the serving certificate", async () => {
    const dir = tempDir();
    const cp = await startControlPlane({ dataDir: join(dir, "state"), port: 0, tls: { names: ["10.88.0.1", "cp.example.test"] } });
    planes.push(cp);
    const cert = new X509Certificate(readFileSync(join(dir, "state", "pki", "server.crt")));
    for (const host of ["localhost", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "cp.example.test"]) expect(cert.checkHost(host)).toBe(host);
    for (const ip of ["127.0.0.1", "10.88.0.1"]) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.verify(new X509Certificate(cp.caPem!).publicKey)).toBe(true);
  });

  it("serves a pod's in-cluster configuration (service host/port env, ca.crt and token files)", async () => {
    const dir = tempDir();
    const cp = await startControlPlane({ inMemory: true, port: 0, tls: true });
    planes.push(cp);
    // loadFromCluster(prefix) reads <prefix>/var/run/secrets/kubernetes.io/serviceaccount/*.
    const sa = join(dir, "var", "run", "secrets", "kubernetes.io", "serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "ca.crt"), cp.caPem!);
    // The token the kubelet would project: a TokenRequest for a ServiceAccount allowed to list namespaces.
    const admin = new KubeConfig();
    admin.loadFromString(cp.kubeconfig);
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "reader" } } });
    await rbac.createClusterRole({ body: { metadata: { name: "ns-reader" }, rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["list"] }] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: "ns-reader" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ns-reader" }, subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "default" }] } });
    const issued = await core.createNamespacedServiceAccountToken({ namespace: "default", name: "reader", body: { spec: { audiences: [] } } });
    writeFileSync(join(sa, "token"), issued.status!.token ?? "");
    writeFileSync(join(sa, "namespace"), "default");
    const port = new URL(cp.url).port;
    const { stdout } = await run(process.execPath, [
      "--input-type=module",
      "-e",
      `import { KubeConfig, CoreV1Api } from "@kubernetes/client-node";
       const kc = new KubeConfig(); kc.loadFromCluster(${JSON.stringify(dir)});
       const list = await kc.makeApiClient(CoreV1Api).listNamespace();
       console.log(list.items.map((n) => n.metadata.name).join(","));`,
    ], { env: { ...process.env, KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port }, cwd: join(import.meta.dirname, "..", "..") });
    expect(stdout.trim().split(",")).toContain("kube-system");
  });
});
