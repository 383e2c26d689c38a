// The podman runtime's kubelet stand-in, on the committed clusters/local tree: every Deployment of
// ours becomes a Pod whose image, args, env, mounts and securityContext are the rendered ones, with
// only what a cluster adds around them; what podman cannot enforce is refused here.
import { loadAllYaml, type V1Deployment, type V1Service } from "@kubernetes/client-node";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostsFileText, podForDeployment, PodManifestError, readinessOf, serviceAccountMountPath, serviceHostnames, type PodContext } from "../../apps/local-platform/podman/pod-manifest.js";

const REPO = join(import.meta.dirname, "..", "..");

function renderedObjects(): { kind?: string }[] {
  const root = join(REPO, "clusters", "local");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
    .flatMap((e) => loadAllYaml(readFileSync(join(e.parentPath, e.name), "utf8")) as { kind?: string }[])
    .filter(Boolean);
}

const objects = renderedObjects();
// The podman runtime runs the Deployments with replicas; the event bridge renders 0 locally (dmac up runs it in process).
const allDeployments = objects.filter((o) => o.kind === "Deployment") as V1Deployment[];
const deployments = allDeployments.filter((d) => (d.spec?.replicas ?? 1) > 0);
const services = objects.filter((o) => o.kind === "Service") as V1Service[];
const secrets: Record<string, Record<string, string>> = {
  "catalog-db": { username: "dmac", password: "pw-from-secret" },
  "object-store-credentials": { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret-key" },
};
const context: PodContext = {
  apiServer: { host: "127.0.0.1", port: 6443 },
  serviceAccountDir: (ns, sa) => `/state/serviceaccounts/${ns}/${sa}`,
  claimDir: (ns, claim) => `/state/volumes/${ns}/${claim}`,
  secretValue: (ns, secret, key) => (ns === "dmac-system" ? secrets[secret]?.[key] : undefined),
  hostsFile: "/state/pods/hosts",
  image: (ref) => ref,
};

describe("pods for the rendered local Deployments", () => {
  it("renders a pod for each Deployment, keeping image, args, mounts and securityContext", () => {
    expect(allDeployments.find((d) => d.metadata?.name === "event-bridge")?.spec?.replicas).toBe(0);
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual(["catalog-api", "data-api", "dmac-operator", "viewer"]);
    for (const deployment of deployments) {
      const pod = podForDeployment(deployment, context);
      const rendered = deployment.spec!.template.spec!.containers[0]!;
      const container = pod.spec!.containers[0]!;
      expect(container.image).toBe(rendered.image);
      expect(container.args).toEqual(rendered.args);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 65532, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
      for (const mount of rendered.volumeMounts ?? []) expect(container.volumeMounts).toContainEqual(mount);
      expect(pod.spec!.hostNetwork).toBe(true);
      expect(container.livenessProbe).toBeUndefined();
      expect(container.env).toContainEqual({ name: "KUBERNETES_SERVICE_PORT", value: "6443" });
    }
  });

  it("resolves Secret references and the pod name, and mounts the ServiceAccount's token only where automounted", () => {
    const operator = podForDeployment(deployments.find((d) => d.metadata?.name === "dmac-operator")!, context);
    const env = Object.fromEntries(operator.spec!.containers[0]!.env!.map((e) => [e.name, e.value]));
    expect(env.PGPASSWORD).toBe("pw-from-secret");
    expect(env.AWS_SECRET_ACCESS_KEY).toBe("secret-key");
    expect(env.POD_NAME).toBe("dmac-operator");
    expect(operator.spec!.containers[0]!.volumeMounts).toContainEqual({ name: "kube-api-access", mountPath: serviceAccountMountPath, readOnly: true });
    expect(operator.spec!.volumes).toContainEqual({ name: "kube-api-access", hostPath: { path: "/state/serviceaccounts/dmac-system/dmac-operator", type: "Directory" } });
    expect(operator.spec!.volumes).toContainEqual({ name: "dmac-data", hostPath: { path: "/state/volumes/dmac-system/dmac-data", type: "Directory" } });
    const viewer = podForDeployment(deployments.find((d) => d.metadata?.name === "viewer")!, context);
    expect(viewer.spec!.containers[0]!.volumeMounts!.some((m) => m.mountPath === serviceAccountMountPath)).toBe(false);
  });

  it("answers every Service name of the tree at loopback, and each Service's port is its pod's", () => {
    const pod = podForDeployment(deployments[0]!, context);
    expect(pod.spec!.containers[0]!.volumeMounts).toContainEqual({ name: "etc-hosts", mountPath: "/etc/hosts", readOnly: true });
    const hosts = hostsFileText(serviceHostnames(services.map((s) => ({ name: s.metadata!.name!, namespace: s.metadata!.namespace! }))));
    for (const name of ["catalog-db.dmac-system.svc.cluster.local", "object-store.dmac-system.svc.cluster.local", "data-api.dmac-system.svc.cluster.local"]) expect(hosts).toContain(`127.0.0.1\t${name}\n`);
    expect(hosts).toMatch(/^127\.0\.0\.1\tlocalhost$/m);
    for (const deployment of deployments) {
      const readiness = readinessOf(deployment);
      expect(readiness).toBeDefined();
      const service = services.find((s) => s.metadata?.name === deployment.metadata?.name);
      if (service) expect(service.spec!.ports![0]!.port).toBe(readiness!.port);
    }
  });

  it("refuses what podman would not enforce or cannot run, naming the field", () => {
    const base = deployments.find((d) => d.metadata?.name === "viewer")!;
    const mutate = (change: (d: V1Deployment) => void) => {
      const copy = structuredClone(base);
      change(copy);
      return () => podForDeployment(copy, context);
    };
    expect(mutate((d) => { d.spec!.template.spec!.containers[0]!.securityContext!.runAsUser = 0; d.spec!.template.spec!.securityContext!.runAsUser = 0; })).toThrow(/runAsUser must be a non-zero UID/);
    expect(mutate((d) => { delete d.spec!.template.spec!.securityContext!.seccompProfile; })).toThrow(/seccompProfile/);
    expect(mutate((d) => { d.spec!.template.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation = true; })).toThrow(/allowPrivilegeEscalation/);
    expect(mutate((d) => { d.spec!.replicas = 2; })).toThrow(/replicas/);
    expect(mutate((d) => { d.spec!.template.spec!.volumes!.push({ name: "host", hostPath: { path: "/" } }); })).toThrow(PodManifestError);
    const operator = deployments.find((d) => d.metadata?.name === "dmac-operator")!;
    expect(() => podForDeployment(operator, { ...context, secretValue: () => undefined })).toThrow(/key "password" of Secret dmac-system\/catalog-db does not exist|key ".*" of Secret/);
  });
});
