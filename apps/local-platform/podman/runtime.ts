// `dmac up --runtime podman`: the local platform run from the rendered clusters/local, the way a
// cluster would run it. The embedded control plane (over TLS) takes the place of EKS's API server,
// PostgreSQL from Debian the place of RDS, fauxqs the place of S3 (object-store.ts), and every Deployment of the tree
// runs as a pod from its pinned image with `podman kube play` (pod-manifest.ts says what is added
// around the pod template, and why). This process stands in for the parts of a cluster that are
// not the API server: the kubelet (secrets, tokens, volumes, probes, restart reporting), cluster
// DNS, the volume provisioner, and the admin who creates the Secrets that never sit in Git.
import { KubeConfig, KubernetesObjectApi, type KubernetesObject, type V1Deployment, type V1PersistentVolumeClaim, type V1Secret, type V1Service } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { ServiceAccountTokenFiles } from "../service-account-tokens.js";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { startControlPlane, type ControlPlane } from "../../control-plane/index.js";
import type { Logger } from "pino";
import { applyEnvironment, type ApplySummary } from "../apply.js";
import { startPostgres, type PostgresServer } from "../postgres.js";
import { startObjectStore } from "./object-store.js";
import { hostsFileText, podForDeployment, readinessOf, serviceHostnames, type PodContext } from "./pod-manifest.js";
import { followDeaths, imageExists, lastLogLines, playPod, removePod, startContainer } from "./podman.js";
import { stringify } from "yaml";

/** The UID and GID our images run as (clusters/lib/restricted-workload.ts nonRootId). */
const podUser = 65532;
/** Deaths of one container within `crashWindowMs` after which the runtime stops restarting it. */
export const crashLimit = 5;
const crashWindowMs = 5 * 60_000;

export interface PodmanPlatformOptions {
  readonly dataDir: string;
  /** Port of the control plane (the pods' ports are the rendered ones). */
  readonly apiServerPort: number;
  readonly repoRoot: string;
  readonly log: Logger;
  readonly onApplyStep?: (name: string, objects: number) => void;
  /** A container died: its last log lines, and whether it will be restarted. */
  readonly onContainerDied?: (report: ContainerDeathReport) => void;
}

export interface ContainerDeathReport {
  readonly container: string;
  readonly exitCode: number | undefined;
  readonly deaths: number;
  readonly restarting: boolean;
  readonly lastLines: string;
}

export interface PodmanPlatform {
  readonly controlPlane: ControlPlane;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly catalogApiUrl: string;
  readonly dataApiUrl: string;
  readonly viewerUrl: string;
  readonly objectStoreUrl: string;
  readonly applied: ApplySummary;
  readonly paths: { stores: string; inputs: string; catalog: string };
  /** Pod name -> the container names podman gave it. */
  readonly pods: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** Backends this runtime provides for the tree's selector-less Services (outside the cluster in the cloud). */
const externalServices = { catalogDb: "catalog-db", objectStore: "object-store" } as const;

export async function startPodmanPlatform(options: PodmanPlatformOptions): Promise<PodmanPlatform> {
  const dataDir = resolve(options.dataDir);
  const dirs = {
    controlPlane: join(dataDir, "control-plane"),
    postgres: join(dataDir, "postgres"),
    objectStore: join(dataDir, "object-store"),
    volumes: join(dataDir, "volumes"),
    serviceAccounts: join(dataDir, "serviceaccounts"),
    pods: join(dataDir, "pods"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  // As root, PostgreSQL runs as the postgres user, which must be able to pass through the data
  // directory to its own (search permission only: nothing in it becomes readable).
  if (process.getuid?.() === 0) {
    chmodSync(dataDir, statSync(dataDir).mode | 0o001);
    for (let parent = dirname(dataDir); parent !== dirname(parent); parent = dirname(parent)) {
      if ((statSync(parent).mode & 0o001) === 0) throw new Error(`--data-dir ${dataDir}: its parent ${parent} is not passable by other users (mode ${(statSync(parent).mode & 0o777).toString(8)}); PostgreSQL runs as the postgres user and needs o+x there (chmod o+x ${parent}, or choose another directory)`);
    }
  }
  chmodSync(dirs.pods, 0o700); // pod manifests carry resolved Secret values

  const kubeconfigPath = join(dataDir, "kubeconfig");
  const controlPlane = await startControlPlane({ dataDir: dirs.controlPlane, port: options.apiServerPort, host: "127.0.0.1", tls: true, kubeconfigPath });
  const cleanup: (() => Promise<void>)[] = [() => controlPlane.stop()];
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(controlPlane.kubeconfig);
    const api = KubernetesObjectApi.makeApiClient(kubeConfig);
    const applied = await applyEnvironment(kubeConfig, options.repoRoot, "local", options.onApplyStep);

    const services = (await api.list("v1", "Service")).items as V1Service[];
    // A Deployment scaled to 0 runs no pod, as in a cluster (the local event bridge: docs/events.md).
    const deployments = ((await api.list("apps/v1", "Deployment")).items as V1Deployment[]).filter((d) => (d.spec?.replicas ?? 1) > 0);
    const claims = (await api.list("v1", "PersistentVolumeClaim")).items as V1PersistentVolumeClaim[];
    const servicePort = (name: string): number => {
      const service = services.find((s) => s.metadata?.name === name);
      const port = service?.spec?.ports?.[0]?.port;
      if (port === undefined) throw new Error(`clusters/local renders no Service "${name}" with a port; the podman runtime needs it`);
      return port;
    };
    const platformNamespace = services.find((s) => s.metadata?.name === externalServices.catalogDb)?.metadata?.namespace ?? "dmac-system";

    // The Secrets that never sit in Git: made once, kept in the control plane's state.
    const secrets = await ensureSecrets(api, platformNamespace);
    const catalogDb = secrets.get(externalServices.catalogDb)!;

    const postgres = await startPostgres({ dir: dirs.postgres, port: servicePort(externalServices.catalogDb) });
    cleanup.unshift(() => postgres.stop());
    await ensureCatalogDatabase(postgres, catalogDb.username!, catalogDb.password!);

    const objectStore = await startObjectStore({ port: servicePort(externalServices.objectStore), storageDir: dirs.objectStore });
    cleanup.unshift(() => objectStore.stop());
    const objectStoreUrl = objectStore.url;

    // Volumes: one host directory per claim, owned by the pods' user (fsGroup).
    const claimDir = (namespace: string, claim: string) => join(dirs.volumes, namespace, claim);
    for (const claim of claims) {
      const dir = claimDir(claim.metadata?.namespace ?? "default", claim.metadata?.name ?? "");
      mkdirSync(dir, { recursive: true });
      chownTree(dir, podUser);
    }
    const dataClaim = claims.find((c) => c.metadata?.name === "dmac-data");
    const dataRoot = dataClaim ? claimDir(dataClaim.metadata?.namespace ?? platformNamespace, "dmac-data") : join(dirs.volumes, "none");
    const paths = { stores: join(dataRoot, "stores"), inputs: join(dataRoot, "inputs"), catalog: `${dirs.postgres}, database catalog at postgres://127.0.0.1:${postgres.port}/catalog` };
    if (dataClaim) {
      for (const dir of [paths.stores, paths.inputs]) mkdirSync(dir, { recursive: true });
      const samples = join(paths.inputs, "samples");
      if (!existsSync(samples)) cpSync(join(options.repoRoot, "samples", "data"), samples, { recursive: true });
      chownTree(dataRoot, podUser);
    }

    // ServiceAccount tokens, as the kubelet projects them: from the TokenRequest API, renewed
    // before they expire; each pod gets its own ServiceAccount's, never the admin's.
    const tokenFiles = new ServiceAccountTokenFiles({
      admin: kubeConfig,
      server: controlPlane.url,
      ...(controlPlane.caPem ? { caPem: controlPlane.caPem } : {}),
      baseDir: dirs.serviceAccounts,
      owner: { uid: podUser, gid: podUser },
      onError: (err, namespace, name) => options.log.error({ err, serviceAccount: `${namespace}/${name}` }, "could not renew a ServiceAccount token"),
    });
    cleanup.unshift(async () => tokenFiles.stop());
    const accountDirs = new Map<string, string>();
    for (const deployment of deployments) {
      const pod = deployment.spec?.template.spec;
      if (pod?.automountServiceAccountToken === false) continue;
      const namespace = deployment.metadata?.namespace ?? "default";
      const name = pod?.serviceAccountName ?? "default";
      accountDirs.set(`${namespace}/${name}`, (await tokenFiles.ensure(namespace, name)).dir);
    }
    const serviceAccountDir = (namespace: string, name: string): string => {
      const dir = accountDirs.get(`${namespace}/${name}`);
      if (dir === undefined) throw new Error(`no token was issued for ServiceAccount ${namespace}/${name}`);
      return dir;
    };

    const hostsFile = join(dirs.pods, "hosts");
    writeFileSync(hostsFile, hostsFileText(serviceHostnames(services.map((s) => ({ name: s.metadata?.name ?? "", namespace: s.metadata?.namespace ?? "default" })))), { mode: 0o644 });
    const context: PodContext = {
      apiServer: { host: "127.0.0.1", port: Number(new URL(controlPlane.url).port) },
      serviceAccountDir,
      claimDir,
      secretValue: (namespace, secret, key) => (namespace === platformNamespace ? secrets.get(secret)?.[key] : undefined),
      hostsFile,
      image: (reference) => reference,
    };

    // Images: the pinned reference when podman has it; else the same repository and tag built
    // here, with a warning (the lock and the local build disagree).
    const imageFor = new Map<string, string>();
    for (const deployment of deployments) {
      for (const container of deployment.spec?.template.spec?.containers ?? []) {
        const reference = container.image ?? "";
        if (imageFor.has(reference)) continue;
        if (await imageExists(reference)) imageFor.set(reference, reference);
        else {
          const byTag = reference.replace(/@sha256:[a-f0-9]{64}$/, "");
          if (byTag !== reference && (await imageExists(byTag))) {
            options.log.warn({ pinned: reference, running: byTag }, "the pinned image digest is not in podman's storage; running the image of the same tag built here (run `npm run images` and commit images/images.lock.json)");
            imageFor.set(reference, byTag);
          } else throw new Error(`image ${reference} is not in podman's storage: build the images first (npm run images)`);
        }
      }
    }
    const manifestContext: PodContext = { ...context, image: (reference) => imageFor.get(reference) ?? reference };

    const pods = new Map<string, string>();
    const manifests: string[] = [];
    /** Container name -> the manifest of its pod. */
    const manifestOf = new Map<string, string>();
    let stopping = false;
    cleanup.unshift(async () => {
      stopping = true;
      for (const manifest of manifests) await removePod(manifest);
    });
    // The kubelet's restart loop: podman itself restarts nothing (restartPolicy Never in the pod),
    // so every exit is reported with the container's last lines and restarted after a doubling
    // delay; a crash loop is stopped and reported instead of restarted forever.
    const deaths = new Map<string, number[]>();
    const watcher = followDeaths(new Set(deployments.map((d) => d.metadata?.name ?? "")), (death) => {
      const manifest = manifestOf.get(death.container);
      if (stopping || manifest === undefined) return;
      const now = Date.now();
      const recent = [...(deaths.get(death.container) ?? []), now].filter((t) => now - t < crashWindowMs);
      deaths.set(death.container, recent);
      const restarting = recent.length < crashLimit;
      // Given up on: the exits its pod's removal causes are not reported again.
      if (!restarting) for (const [container, of] of manifestOf) if (of === manifest) manifestOf.delete(container);
      void lastLogLines(death.container).then(async (lastLines) => {
        options.log.warn({ container: death.container, exitCode: death.exitCode, deaths: recent.length, restarting }, `container exited:\n${lastLines}`);
        options.onContainerDied?.({ container: death.container, exitCode: death.exitCode, deaths: recent.length, restarting, lastLines });
        if (!restarting) {
          await removePod(manifest);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** (recent.length - 1), 30_000)));
        if (!stopping) await startContainer(death.container).catch((error: Error) => options.log.error({ container: death.container, err: error }, "restart failed"));
      });
    });
    cleanup.unshift(async () => watcher.stop());

    for (const deployment of deployments) {
      const pod = podForDeployment(deployment, manifestContext);
      const name = `${pod.metadata?.namespace}-${pod.metadata?.name}`;
      const manifest = join(dirs.pods, `${name}.yaml`);
      writeFileSync(manifest, stringify(pod), { mode: 0o600 });
      manifests.push(manifest);
      const containers = (pod.spec?.containers ?? []).map((c) => `${pod.metadata?.name}-${c.name}`);
      for (const container of containers) manifestOf.set(container, manifest);
      await playPod(manifest);
      pods.set(pod.metadata?.name ?? "", containers.join(","));
    }
    for (const deployment of deployments) {
      const readiness = readinessOf(deployment);
      if (readiness) await waitReady(`${deployment.metadata?.namespace}/${deployment.metadata?.name}`, `http://127.0.0.1:${readiness.port}${readiness.path}`);
    }

    const urlOf = (name: string) => `http://127.0.0.1:${servicePort(name)}`;
    return {
      controlPlane, kubeconfigPath, kubeConfig, applied, paths, pods, objectStoreUrl,
      catalogApiUrl: urlOf("catalog-api"),
      dataApiUrl: urlOf("data-api"),
      viewerUrl: urlOf("viewer"),
      stop: async () => {
        for (const step of cleanup) await step().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}

/** Values of the Secrets this runtime owns, created with random values when absent. */
async function ensureSecrets(api: KubernetesObjectApi, namespace: string): Promise<Map<string, Record<string, string>>> {
  const wanted: Record<string, () => Record<string, string>> = {
    [externalServices.catalogDb]: () => ({ username: "dmac", password: randomBytes(24).toString("base64url") }),
    "object-store-credentials": () => ({ AWS_ACCESS_KEY_ID: `DMAC${randomBytes(8).toString("hex").toUpperCase()}`, AWS_SECRET_ACCESS_KEY: randomBytes(30).toString("base64url") }),
  };
  const values = new Map<string, Record<string, string>>();
  for (const [name, make] of Object.entries(wanted)) {
    const existing = (await api.read({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace } }).catch(() => undefined)) as V1Secret | undefined;
    if (existing?.data) {
      values.set(name, Object.fromEntries(Object.entries(existing.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")])));
      continue;
    }
    const data = make();
    const secret: KubernetesObject & { type: string; stringData: Record<string, string> } = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "dmac-up" } },
      type: "Opaque",
      stringData: data,
    };
    await api.create(secret);
    values.set(name, data);
  }
  return values;
}

async function ensureCatalogDatabase(postgres: PostgresServer, user: string, password: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: postgres.adminUrl });
  await client.connect();
  try {
    const quotedUser = `"${user.replaceAll('"', '""')}"`;
    const role = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [user]);
    // The password always follows the Secret, so a Secret made again after a reset still works.
    const literal = `'${password.replaceAll("'", "''")}'`;
    if (role.rowCount === 0) await client.query(`CREATE ROLE ${quotedUser} LOGIN PASSWORD ${literal}`);
    else await client.query(`ALTER ROLE ${quotedUser} PASSWORD ${literal}`);
    const db = await client.query("SELECT 1 FROM pg_database WHERE datname = 'catalog'");
    if (db.rowCount === 0) await client.query(`CREATE DATABASE catalog OWNER ${quotedUser}`);
  } finally {
    await client.end();
  }
}

function chownTree(path: string, id: number): void {
  if (process.getuid?.() !== 0) return;
  chownSync(path, id, id);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) chownSync(join(entry.parentPath, entry.name), id, id);
}

async function waitReady(what: string, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000} s (last: ${last}); see podman logs`);
}
