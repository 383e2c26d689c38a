// The controller runtime against a real Kubernetes wire protocol: the embedded control plane,
// through @kubernetes/client-node.
import { KubeConfig, KubernetesObjectApi, CoreV1Api } from "@kubernetes/client-node";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { toClientModel } from "../../operators/runtime/objects.js";
import { customResourceDefinitions, type Dataset } from "../../crds/index.js";
import { datasets, ResourceClient } from "../../operators/client.js";
import { Controller, createLogger, EventRecorder, Informer, Manager } from "../../operators/runtime/index.js";
import { waiter } from "../support/until.js";

const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));
const until = waiter({ timeoutMs: 15_000, intervalMs: 50 });

function kubeConfigFor(plane: ControlPlane): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfig);
  return kc;
}

function dataset(name: string): Dataset {
  return {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "Dataset",
    metadata: { name, namespace: "maracoos" },
    spec: {
      storage: { url: `file:///stores/${name}.zarr`, format: "zarr-v2" },
      model: "roms",
      aggregation: { type: "append", concatDim: "ocean_time" },
      encoding: { codec: "zlib", level: 1 },
      catalog: { enabled: false },
      deletionPolicy: "Retain",
    },
  };
}

async function install(kc: KubeConfig): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const crd of customResourceDefinitions) await objects.create(toClientModel(crd));
  for (const name of ["maracoos", "dmac-system"]) await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  // CRD endpoints register live; wait until the group is served.
  await until("CRDs served", async () => objects.list("dmac.ioos.us/v1alpha1", "Dataset", "maracoos").then(() => true, () => false));
}

describe("controller runtime on the embedded control plane", () => {
  let dir: string;
  let plane: ControlPlane;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dmac-runtime-"));
    plane = await startControlPlane({ dataDir: join(dir, "state"), kubeconfigPath: join(dir, "kubeconfig"), watch: { bookmarkIntervalMs: 500 } });
    port = Number(new URL(plane.url).port);
    await install(kubeConfigFor(plane));
  });

  afterAll(async () => {
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an informer lists, watches, and recovers after the server restarts and after 410 Gone", async () => {
    const kc = kubeConfigFor(plane);
    const client = new ResourceClient(kc, datasets);
    await client.create(dataset("before"));
    const informer = new Informer<Dataset>(kc, { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", path: "/apis/dmac.ioos.us/v1alpha1/datasets", watchTimeoutSeconds: 5 });
    const seen: string[] = [];
    informer.on((event, object) => seen.push(`${event}:${object.metadata.name}`));
    const abort = new AbortController();
    const running = informer.start(abort.signal);
    await until("initial list", () => informer.hasSynced);
    expect(seen).toContain("add:before");
    await client.create(dataset("watched"));
    await until("watch event", () => seen.includes("add:watched"));

    // Restart with a history too short to cover what happens while the informer is away, so its
    // resumed watch answers 410 and it must re-list.
    await plane.stop();
    plane = await startControlPlane({ dataDir: join(dir, "state"), port, kubeconfigPath: join(dir, "kubeconfig"), historySize: 3, watch: { bookmarkIntervalMs: 500 } });
    const after = new ResourceClient(kubeConfigFor(plane), datasets);
    for (let i = 0; i < 8; i++) await after.create(dataset(`during-${i}`));
    await after.delete("maracoos", "before");
    await until("recovery after restart", () => informer.list().length === 9, 20_000);
    expect(informer.get("maracoos/before")).toBeUndefined();
    expect(seen).toContain("delete:before");
    expect(informer.relists).toBeGreaterThanOrEqual(2);
    await after.create(dataset("after"));
    await until("watch resumes", () => seen.includes("add:after"));
    abort.abort();
    await running;
  }, 60_000);

  it("the CRDs reach the server whole: a CEL rule rejects a bad object with 422", async () => {
    const client = new ResourceClient(kubeConfigFor(plane), datasets);
    const bad = dataset("cel-test");
    bad.spec.aggregation = { type: "model-run", concatDim: "ocean_time" };
    const error = await client.create(bad).then(() => undefined, (e: { code?: number; body?: string }) => e);
    expect(error?.code).toBe(422);
    expect(String(error?.body)).toMatch(/cycle is required for the model-run aggregation/);
  });

  it("patches status through /status without touching spec or generation", async () => {
    const client = new ResourceClient(kubeConfigFor(plane), datasets);
    const created = await client.create(dataset("status-test"));
    const updated = await client.patchStatus("maracoos", "status-test", { observedGeneration: 1, timeSteps: 3, conditions: [{ type: "Ready", status: "True", reason: "Committed", message: "3 steps", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 1 }] });
    expect(updated.status?.timeSteps).toBe(3);
    expect(updated.metadata.generation).toBe(created.metadata.generation);
    expect(updated.spec).toEqual(created.spec);
  });

  it("folds repeated events into one Event with a count", async () => {
    const kc = kubeConfigFor(plane);
    const client = new ResourceClient(kc, datasets);
    const object = await client.create(dataset("events-test"));
    const recorder = new EventRecorder(kc, { component: "dmac-operator", instance: "test", log: silent });
    await recorder.record(object, "Warning", "FileRefused", "x.nc: truncated");
    await recorder.record(object, "Warning", "FileRefused", "x.nc: truncated");
    await recorder.record(object, "Normal", "Committed", "3 time steps");
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: "maracoos", fieldSelector: "involvedObject.name=events-test" }).catch(async () => kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: "maracoos" }));
    const mine = events.items.filter((e) => e.involvedObject.name === "events-test");
    expect(mine.map((e) => [e.reason, e.count]).sort()).toEqual([["Committed", 1], ["FileRefused", 2]]);
    expect(mine.every((e) => e.involvedObject.uid === object.metadata.uid && e.involvedObject.kind === "Dataset")).toBe(true);
  });

  it("a manager serves /metrics, /healthz and /readyz and runs its controllers", async () => {
    const kc = kubeConfigFor(plane);
    const manager = new Manager({ kubeConfig: kc, log: silent, identity: "test", probePort: 0 });
    const informer = manager.addInformer(new Informer<Dataset>(kc, { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", path: "/apis/dmac.ioos.us/v1alpha1/datasets" }));
    const reconciled = new Set<string>();
    const controller = manager.addController(new Controller({ name: "datasets", metrics: manager.metrics, log: silent, reconciler: { reconcile: async (r) => { reconciled.add(r.name); } } }));
    controller.watches(informer);
    const abort = new AbortController();
    const running = manager.start(abort.signal);
    await until("probe server", () => manager.probeAddress !== undefined);
    const base = `http://127.0.0.1:${manager.probeAddress!.port}`;
    await until("ready", async () => (await fetch(`${base}/readyz`)).status === 200);
    await until("reconciled", () => reconciled.has("status-test"));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/dmac_reconcile_total\{controller="datasets",result="success"\} \d+/);
    expect(metrics).toMatch(/dmac_workqueue_depth\{controller="datasets"\} \d+/);
    abort.abort();
    await running;
  });

  it("with two replicas exactly one leads, and the other takes over within the lease duration after a kill -9", async () => {
    const script = join(import.meta.dirname, "fixtures/elector.ts");
    const replicas: { id: string; child: ChildProcess; lines: string[] }[] = [];
    for (const id of ["replica-a", "replica-b"]) {
      const child = spawn(process.execPath, ["--import", "tsx", script, join(dir, "kubeconfig"), id], { stdio: ["ignore", "pipe", "inherit"] });
      const lines: string[] = [];
      child.stdout!.on("data", (chunk: Buffer) => lines.push(...chunk.toString().trim().split("\n")));
      replicas.push({ id, child, lines });
    }
    try {
      const leading = () => replicas.filter((r) => r.lines.filter((l) => l.startsWith("leading")).length > r.lines.filter((l) => l.startsWith("stopped")).length);
      await until("a leader", () => leading().length === 1, 20_000);
      // Both are running and campaigning; still exactly one after several renew periods.
      await new Promise((r) => setTimeout(r, 1500));
      expect(leading()).toHaveLength(1);
      const leader = leading()[0]!;
      const follower = replicas.find((r) => r !== leader)!;
      const killedAt = Date.now();
      leader.child.kill("SIGKILL");
      await until("takeover", () => follower.lines.includes(`leading ${follower.id}`), 10_000);
      const takeoverMs = Date.now() - killedAt;
      // Lease duration 3 s plus one retry period.
      expect(takeoverMs).toBeLessThan(3000 + 1000);
    } finally {
      for (const r of replicas) r.child.kill("SIGKILL");
    }
  }, 60_000);
});
