// The operator as a separate process, as it runs in a pod: kill -9 in the middle of an ingest,
// and two replicas with leader election where the leader is killed.
import { CoordinationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { toClientModel } from "../../operators/runtime/objects.js";
import { customResourceDefinitions, type Dataset, type IngestJob } from "../../crds/index.js";
import { sameAsUninterrupted as sameStores } from "../support/uninterrupted.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { romsFile } from "../dataplane/fixtures.js";
import { waiter } from "../support/until.js";

const cli = join(import.meta.dirname, "../../bin/dmac.js");
const until = waiter({ timeoutMs: 90_000 });

describe("the operator process under failure", () => {
  let dir: string;
  let plane: ControlPlane;
  let kc: KubeConfig;
  let jobs: ResourceClient<IngestJob>;
  const children: ChildProcess[] = [];
  const inputs = () => join(dir, "inputs");
  const stores = () => join(dir, "stores");

  function startOperator(name: string, extra: string[] = []): ChildProcess {
    const child = spawn(process.execPath, [cli, "operator", "--kubeconfig", join(dir, "kubeconfig"), "--probe-port", "0", "--storage-root", stores(), "--input-root", inputs(), "--catalog", "memory://", ...extra], {
      env: { ...process.env, POD_NAME: name, DMAC_LOG_LEVEL: "warn", DMAC_FROM_SOURCE: "1" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    return child;
  }

  function files(prefix: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => romsFile(join(inputs(), prefix), { cycle: new Date("2023-10-22T00:00:00Z"), kind: "f", hour: i + 1 }));
  }

  async function create(name: string, paths: string[]): Promise<void> {
    const dataset: Dataset = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace: "maracoos" },
      spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    };
    const job: IngestJob = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace: "maracoos" },
      spec: {
        source: { urls: paths.map((p) => `file:///${relative(inputs(), p)}`), credentials: { anonymous: true } }, format: "auto",
        qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name }, executor: { type: "local" }, parallelism: 1, retryLimit: 2, suspend: false,
      },
    };
    await new ResourceClient(kc, datasets).create(dataset);
    await jobs.create(job);
  }

  async function sameAsUninterrupted(name: string, paths: string[]): Promise<void> {
    expect(await sameStores(join(stores(), `${name}.zarr`), paths, join(dir, "reference", `${name}.zarr`))).toBe(paths.length);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dmac-crash-"));
    mkdirSync(stores(), { recursive: true });
    plane = await startControlPlane({ dataDir: join(dir, "state"), kubeconfigPath: join(dir, "kubeconfig") });
    kc = new KubeConfig();
    kc.loadFromString(plane.kubeconfig);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    for (const crd of customResourceDefinitions) await objects.create(toClientModel(crd));
    for (const name of ["maracoos", "dmac-system"]) await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    await until("CRDs served", () => objects.list("dmac.ioos.us/v1alpha1", "IngestJob").then(() => true, () => false));
    jobs = new ResourceClient(kc, ingestJobs);
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("kill -9 in the middle of a 20-file ingest, then a restart: every file lands exactly once and the store equals an uninterrupted run", async () => {
    const paths = files("crash", 20);
    await create("crash", paths);
    const first = startOperator("operator-1");
    const ledgerPath = join(stores(), "crash.zarr", ".dmac/ingestjobs/maracoos/crash.json");
    await until("the batch is running", async () => {
      try {
        const ledger = JSON.parse(readFileSync(ledgerPath, "utf8")) as { items: Record<string, { state: string }> };
        return Object.values(ledger.items).some((i) => i.state === "running");
      } catch {
        return false;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    first.kill("SIGKILL");
    const killed = (await jobs.get("maracoos", "crash"))?.status;
    expect(killed?.phase === "Succeeded" && killed.items?.succeeded === 20).toBe(false);

    startOperator("operator-2");
    const job = await until("Succeeded after restart", async () => {
      const j = await jobs.get("maracoos", "crash");
      return j?.status?.phase === "Succeeded" ? j : undefined;
    });
    expect(job.status?.items).toEqual({ total: 20, pending: 0, running: 0, succeeded: 20, failed: 0 });
    await sameAsUninterrupted("crash", paths);
    await until("Dataset reports 20 steps", async () => ((await new ResourceClient(kc, datasets).get("maracoos", "crash"))?.status?.timeSteps === 20 ? true : undefined));
  }, 180_000);

  it("two replicas: one leads; kill -9 the leader and the other takes over within the lease duration and finishes the work", async () => {
    for (const child of children) child.kill("SIGKILL");
    const election = ["--leader-elect", "--namespace", "dmac-system", "--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.5"];
    const replicas = { "replica-a": startOperator("replica-a", election), "replica-b": startOperator("replica-b", election) };
    const leases = kc.makeApiClient(CoordinationV1Api);
    const holder = await until("a leader", async () => {
      const lease = await leases.readNamespacedLease({ name: "dmac-operator", namespace: "dmac-system" }).catch(() => undefined);
      return lease?.spec?.holderIdentity || undefined;
    });
    const leaderName = holder.replace(/-[0-9a-f]{6}$/, "") as keyof typeof replicas;
    expect(Object.keys(replicas)).toContain(leaderName);
    const paths = files("takeover", 8);
    await create("takeover", paths);
    await until("the leader is working", async () => ((await jobs.get("maracoos", "takeover"))?.status?.phase === "Running" ? true : undefined));
    const killedAt = Date.now();
    replicas[leaderName].kill("SIGKILL");
    const successor = await until("a new leader", async () => {
      const lease = await leases.readNamespacedLease({ name: "dmac-operator", namespace: "dmac-system" });
      return lease.spec?.holderIdentity && lease.spec.holderIdentity !== holder ? lease.spec.holderIdentity : undefined;
    });
    // Lease duration 4 s plus retry periods; generous because the suite shares two cores.
    expect(Date.now() - killedAt).toBeLessThan(4000 + 8000);
    expect(successor.startsWith(leaderName)).toBe(false);
    const job = await until("the successor finishes", async () => {
      const j = await jobs.get("maracoos", "takeover");
      return j?.status?.phase === "Succeeded" ? j : undefined;
    });
    expect(job.status?.items?.succeeded).toBe(8);
    await sameAsUninterrupted("takeover", paths);
  }, 180_000);
});
