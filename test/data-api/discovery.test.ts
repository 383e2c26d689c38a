// Dataset discovery against the embedded control plane: the data API serves every Ready Dataset
// from status.storeUrl (resolved under its storage root, as the operator resolves it), drops it
// when it stops being Ready or is deleted, picks up new ones and new data without a restart, and
// logs a store it cannot open without listing it or disturbing the others. The status is written
// here through the status subresource, as the Dataset operator writes it.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVE_TARGETS, type RunningService } from "../../apps/cli/commands/serve.js";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { buildDataApi, collectionIdFor, DatasetDiscovery } from "../../apps/data-api/index.js";
import { customResourceDefinitions, type Dataset, type DatasetStatus } from "../../crds/index.js";
import { ingest } from "../../dataplane/index.js";
import { datasets, ResourceClient } from "../../operators/client.js";
import { toClientModel } from "../../operators/runtime/index.js";
import { waiter } from "../support/until.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";

const tmp = tempDir("dmac-data-api-discovery-");
const stores = join(tmp.path, "stores");
const src = join(tmp.path, "src");
const cycle = cycleAt("2023-10-22T00:00:00Z");
const file = (hour: number) => romsFile(src, { cycle, kind: "f", hour });
const point = (id: string) => `/collections/${id}/position?coords=${encodeURIComponent("POINT(-76.4 37.05)")}&parameter-name=zeta`;
const NS = "maracoos";
/** Each step converges in well under a second; 30 s names the step that did not. */
const until = waiter({ timeoutMs: 30_000 });

let plane: ControlPlane;
let kc: KubeConfig;
let client: ResourceClient<Dataset>;

beforeAll(async () => {
  mkdirSync(stores, { recursive: true });
  const kubeconfigPath = join(tmp.path, "kubeconfig");
  plane = await startControlPlane({ inMemory: true, port: 0, kubeconfigPath });
  kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const crd of customResourceDefinitions) await objects.create(toClientModel(crd));
  for (const name of [NS, "other"]) await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  await until("CRDs served", () => objects.list("dmac.ioos.us/v1alpha1", "Dataset", NS).then(() => true, () => false));
  client = new ResourceClient(kc, datasets, "test");
  await ingest({ store: join(stores, "bay.zarr"), inputs: [file(1), file(2)], concurrency: 0 });
  await ingest({ store: join(stores, "sound.zarr"), inputs: [file(1)], concurrency: 0 });
}, 120_000);

afterAll(async () => {
  await plane?.stop();
  tmp.cleanup();
});

function dataset(name: string, namespace = NS): Dataset {
  return {
    apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace },
    spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
  };
}

function status(storeUrl: string, timeSteps: number, ready: boolean): DatasetStatus {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    storeUrl, timeSteps, lastCommitTime: now,
    conditions: [{ type: "Ready", status: ready ? "True" : "False", reason: ready ? "Committed" : "InvalidStorage", message: "", lastTransitionTime: now }],
  };
}

async function createReady(name: string, storeUrl: string, timeSteps: number, namespace = NS): Promise<void> {
  await client.create(dataset(name, namespace));
  await client.patchStatus(namespace, name, status(storeUrl, timeSteps, true));
}

describe("Dataset discovery", () => {
  it("serves Ready Datasets, follows their changes and deletions, and keeps a broken store out", async () => {
    const app = await buildDataApi({ datasets: [], revalidateMs: 3_600_000 });
    const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const discovery = new DatasetDiscovery({
      kubeConfig: kc, registry: app.dataApi.registry, storageRoot: stores, namespace: NS, resyncMs: 0,
      log: (level, message, fields) => logged.push({ level, message, ...(fields ? { fields } : {}) }),
    });
    const abort = new AbortController();
    const running = discovery.start(abort.signal);
    const ids = async () => ((await app.inject("/collections")).json().collections as { id: string }[]).map((c) => c.id).sort();
    const steps = async (id: string) => (await app.inject(point(id))).json().domain?.axes.t.values.length;
    const bay = collectionIdFor(NS, "bay");
    const sound = collectionIdFor(NS, "sound");
    try {
      await until("first list", () => discovery.hasSynced);
      expect(await ids()).toEqual([]);

      // A Dataset that is not Ready yet is not served; Ready with a storeUrl is.
      await client.create(dataset("bay"));
      await discovery.settled();
      expect(await ids()).toEqual([]);
      await client.patchStatus(NS, "bay", status("file:///bay.zarr", 2, true));
      await until("bay served", async () => (await ids()).includes(bay));
      expect(bay).toBe("maracoos-bay");
      expect(await steps(bay)).toBe(2);

      // A store that cannot be opened: logged, listed nowhere, the others unaffected.
      await createReady("lost", "file:///lost.zarr", 3);
      await until("lost reported", () => logged.find((l) => l.message.includes("cannot be opened")));
      await discovery.settled();
      expect(logged.find((l) => l.message.includes("cannot be opened"))).toMatchObject({ level: "warn", fields: { dataset: `${NS}/lost`, collection: "maracoos-lost" } });
      expect(await ids()).toEqual([bay]);
      expect((await app.inject("/datasets")).json()).toEqual([bay]);
      expect((await app.inject(point("maracoos-lost"))).statusCode).toBe(404);

      // A second Dataset appears without a restart; one in another namespace is not watched.
      await createReady("sound", "file:///sound.zarr", 1);
      await createReady("sound", "file:///sound.zarr", 1, "other");
      await until("sound served", async () => (await ids()).includes(sound));
      await discovery.settled();
      expect(await ids()).toEqual([bay, sound]);
      expect(await steps(sound)).toBe(1);

      // New data: the status reports more steps, and the cached dataset is dropped at once
      // (revalidation is an hour away here).
      await ingest({ store: join(stores, "bay.zarr"), inputs: [file(3)], concurrency: 0 });
      expect(await steps(bay)).toBe(2);
      await client.patchStatus(NS, "bay", status("file:///bay.zarr", 3, true));
      await until("bay reopened", async () => (await steps(bay)) === 3);

      // No longer Ready: gone (404); deleted: gone.
      await client.patchStatus(NS, "bay", status("file:///bay.zarr", 3, false));
      await until("bay dropped", async () => !(await ids()).includes(bay));
      expect((await app.inject(point(bay))).statusCode).toBe(404);
      expect((await app.inject(`/collections/${bay}`)).statusCode).toBe(404);
      await client.delete(NS, "sound");
      await until("sound dropped", async () => (await ids()).length === 0);
      expect((await app.inject(point(sound))).statusCode).toBe(404);

      // The broken one, fixed, comes in on its next change.
      await client.patchStatus(NS, "lost", status("file:///sound.zarr", 1, true));
      await until("lost served once its store opens", async () => (await ids()).includes("maracoos-lost"));
    } finally {
      abort.abort();
      await running;
      await app.close();
    }
  }, 120_000);

  it("dmac serve data-api with no --store discovers Datasets and is ready only after the first list", async () => {
    const target = SERVE_TARGETS.find((t) => t.name === "data-api");
    if (target === undefined) throw new Error("no data-api serve target");
    await createReady("harbor", "file:///bay.zarr", 3, "other");
    const running: RunningService = await target.start({
      port: 0, host: "127.0.0.1", store: [], kubeconfig: join(tmp.path, "kubeconfig"), storageRoot: stores, maxValues: 2_000_000, cacheMb: 64,
    });
    try {
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      await until("ready", async () => (await fetch(`${running.url}/readyz`)).status === 200);
      const position = await until("harbor answers", async () => {
        const response = await fetch(`${running.url}${point("other-harbor")}`);
        return response.status === 200 ? response.json() : undefined;
      });
      expect(position.domain.axes.t.values).toHaveLength(3);
      const listed = (await (await fetch(`${running.url}/collections`)).json()) as { collections: { id: string }[] };
      expect(listed.collections.map((c) => c.id)).toContain("other-harbor");
    } finally {
      await running.close();
    }
  }, 120_000);

  it("refuses --store together with discovery flags, and an unreachable cluster is not ready", async () => {
    const target = SERVE_TARGETS.find((t) => t.name === "data-api");
    if (target === undefined) throw new Error("no data-api serve target");
    const flags = { port: 0, host: "127.0.0.1", storageRoot: stores, maxValues: 2_000_000, cacheMb: 64 };
    await expect(target.start({ ...flags, store: [`bay=${join(stores, "bay.zarr")}`], kubeconfig: join(tmp.path, "kubeconfig") })).rejects.toThrow(/give one or the other/);
    await expect(target.start({ ...flags, store: [`bay=${join(stores, "bay.zarr")}`], namespace: NS })).rejects.toThrow(/give one or the other/);

    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: "c", server: "http://127.0.0.1:1", skipTLSVerify: true }], users: [{ name: "u" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x",
    });
    const { serveDataApi } = await import("../../apps/data-api/index.js");
    const api = await serveDataApi({ datasets: [], port: 0, discovery: { kubeConfig: unreachable, storageRoot: stores } });
    try {
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      const readyz = await fetch(`${api.url}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ code: "NotReady" });
    } finally {
      await api.close();
    }
  });
});
