// The operators end to end on the embedded control plane: real NetCDF files (ncgen), real Zarr
// (checked with Python xarray), the embedded catalog (PGlite), kubectl and client-node.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogStore } from "../../catalog/index.js";
import type { CatalogEntry, Dataset, IngestJob } from "../../crds/index.js";
import { catalogEntries, datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { loadStacValidators } from "../catalog/stac-schemas.js";
import { romsFile, truncatedCopy, type CycleFile } from "../dataplane/fixtures.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

const run = promisify(execFile);
const ready = (o: { status?: { conditions?: { type: string; status: string }[] } }, type = "Ready") => o.status?.conditions?.find((c) => c.type === type)?.status === "True";

const cycle = new Date("2023-10-22T00:00:00Z");
const forecast = (hour: number): CycleFile => ({ cycle, kind: "f", hour });

describe("operators end to end", () => {
  let stack: OperatorStack;
  let dir: string;
  let kc: KubeConfig;
  let catalog: CatalogStore;
  let jobs: ResourceClient<IngestJob>;
  let sets: ResourceClient<Dataset>;
  let entries: ResourceClient<CatalogEntry>;
  const inputs = () => stack.inputs;
  const fileUrl = (path: string) => `file:///${relative(inputs(), path)}`;

  beforeAll(async () => {
    stack = await startOperatorStack({
      tempPrefix: "dmac-operator-",
      namespace: "maracoos",
      servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset" },
      operator: { identity: "test-operator", resyncMs: 2000 },
    });
    ({ dir, kc, catalog } = stack);
    jobs = new ResourceClient(kc, ingestJobs);
    sets = new ResourceClient(kc, datasets);
    entries = new ResourceClient(kc, catalogEntries);
  }, 120_000);

  afterAll(() => stack.stop());

  function dataset(name: string): Dataset {
    return {
      apiVersion: "dmac.ioos.us/v1alpha1",
      kind: "Dataset",
      metadata: { name, namespace: "maracoos" },
      spec: {
        storage: { url: `file:///${name}.zarr`, format: "zarr-v2" },
        model: "roms",
        aggregation: { type: "best-forecast", concatDim: "ocean_time" },
        encoding: { codec: "zlib", level: 1 },
        catalog: { enabled: true, title: `${name} best forecast`, license: "CC0-1.0", description: "CBOFS-like ROMS test data", keywords: ["ROMS"] },
        deletionPolicy: "Retain",
      },
    };
  }

  function ingestJob(name: string, datasetName: string, urls: string[]): IngestJob {
    return {
      apiVersion: "dmac.ioos.us/v1alpha1",
      kind: "IngestJob",
      metadata: { name, namespace: "maracoos" },
      spec: {
        source: { urls, credentials: { anonymous: true } },
        format: "auto",
        qualityControl: { enabled: true, onFailure: "flag", cfChecks: true },
        datasetRef: { name: datasetName },
        executor: { type: "local" },
        parallelism: 2,
        retryLimit: 1,
        suspend: false,
      },
    };
  }

  it("applying a Dataset and an IngestJob: the job Succeeds, the Dataset is Ready, the catalog holds a valid STAC Collection, xarray opens the Zarr", async () => {
    const files = [1, 2, 3].map((h) => romsFile(inputs(), forecast(h)));
    await sets.create(dataset("cbofs"));
    await jobs.create(ingestJob("cbofs-forecast", "cbofs", files.map(fileUrl)));

    const job = await until("IngestJob Succeeded", async () => {
      const j = await jobs.get("maracoos", "cbofs-forecast");
      return j?.status?.phase === "Succeeded" && j.status.observedGeneration === j.metadata.generation ? j : undefined;
    });
    expect(job.status?.items).toEqual({ total: 3, pending: 0, running: 0, succeeded: 3, failed: 0 });
    expect(ready(job)).toBe(true);

    // kubectl itself waits on the Ready condition.
    const { stdout } = await run("kubectl", ["--kubeconfig", join(dir, "kubeconfig"), "wait", "--for=condition=Ready", "dataset/cbofs", "-n", "maracoos", "--timeout=60s"]);
    expect(stdout).toMatch(/dataset\.dmac\.ioos\.us\/cbofs condition met/);
    const ds = (await sets.get("maracoos", "cbofs"))!;
    expect(ds.status?.timeSteps).toBe(3);
    expect(ds.status?.extent?.bbox?.[0]).toBeCloseTo(-76.5, 5);
    expect(ds.status?.extent?.timeStart).toBe("2023-10-22T01:00:00Z");
    expect(ds.status?.extent?.timeEnd).toBe("2023-10-22T03:00:00Z");
    expect(ds.status?.catalogEntryName).toBe("cbofs");

    const entry = await until("CatalogEntry published", async () => {
      const e = await entries.get("maracoos", "cbofs");
      return e && ready(e) && e.status?.itemCount === 1 ? e : undefined;
    });
    expect(entry.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Dataset", name: "cbofs", controller: true });
    const collection = await catalog.getCollection("maracoos-cbofs");
    expect(collection).toBeDefined();
    const validators = loadStacValidators();
    expect(validators.collection(collection), JSON.stringify(validators.collection.errors)).toBe(true);
    expect(validators.datacube(collection), JSON.stringify(validators.datacube.errors)).toBe(true);
    expect(entry.status?.itemCount).toBe(1);

    const script = `import xarray as xr, json\nds = xr.open_zarr(${JSON.stringify(join(dir, "stores", "cbofs.zarr"))}, consolidated=True)\nprint(json.dumps({"times": [str(t)[:19] for t in ds.ocean_time.values], "dims": dict(ds.sizes)}))`;
    const py = JSON.parse((await run("/usr/bin/python3", ["-c", script])).stdout) as { times: string[]; dims: Record<string, number> };
    expect(py.times).toEqual(["2023-10-22T01:00:00", "2023-10-22T02:00:00", "2023-10-22T03:00:00"]);
    expect(py.dims.ocean_time).toBe(3);

    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: "maracoos" });
    const reasons = new Set(events.items.filter((e) => e.involvedObject.name === "cbofs-forecast").map((e) => e.reason));
    expect(reasons).toContain("Started");
    expect(reasons).toContain("Completed");
  });

  it("adding one more source file processes only that file and grows the aggregation by its steps", async () => {
    const before = (await jobs.get("maracoos", "cbofs-forecast"))!;
    const added = romsFile(inputs(), forecast(4));
    await jobs.patch("maracoos", "cbofs-forecast", { spec: { source: { urls: [...(before.spec.source.urls ?? []), fileUrl(added)] } } });
    const job = await until("the new file ingested", async () => {
      const j = await jobs.get("maracoos", "cbofs-forecast");
      return j?.status?.items?.succeeded === 4 && j.status.phase === "Succeeded" ? j : undefined;
    });
    expect(job.status?.items?.total).toBe(4);
    const ledger = JSON.parse((await import("node:fs")).readFileSync(join(dir, "stores", "cbofs.zarr", ".dmac/ingestjobs/maracoos/cbofs-forecast.json"), "utf8")) as { items: Record<string, { url: string; attempts: number }> };
    // Each file ran exactly once: the earlier ones were not touched again.
    expect(Object.values(ledger.items).map((i) => i.attempts)).toEqual([1, 1, 1, 1]);
    await until("Dataset grew", async () => ((await sets.get("maracoos", "cbofs"))?.status?.timeSteps === 4 ? true : undefined));
  });

  it("a corrupt file fails with its reason in status and an Event; the others succeed; Dataset stays Ready; the job is Degraded", async () => {
    const good = romsFile(inputs(), forecast(5));
    const broken = truncatedCopy(romsFile(join(dir, "scratch"), forecast(6)), join(inputs(), "broken", "nos.cbofs.fields.f006.20231022.t00z.nc"));
    const before = (await jobs.get("maracoos", "cbofs-forecast"))!;
    await jobs.patch("maracoos", "cbofs-forecast", { spec: { source: { urls: [...(before.spec.source.urls ?? []), fileUrl(good), fileUrl(broken)] } } });
    const job = await until("job settles with one failure", async () => {
      const j = await jobs.get("maracoos", "cbofs-forecast");
      return j?.status?.items?.failed === 1 && j.status.items.succeeded === 5 && j.status.phase !== "Running" ? j : undefined;
    });
    expect(job.status?.recentFailures?.[0]?.url).toBe(fileUrl(broken));
    expect(job.status?.recentFailures?.[0]?.reason).toBe("Refused");
    expect(job.status?.recentFailures?.[0]?.message).toMatch(/truncat/i);
    expect(ready(job, "Degraded")).toBe(true);
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: "maracoos" });
    expect(events.items.some((e) => e.reason === "FileRefused" && e.message?.includes("broken"))).toBe(true);
    const ds = await until("Dataset has the good file", async () => {
      const d = await sets.get("maracoos", "cbofs");
      return d?.status?.timeSteps === 5 ? d : undefined;
    });
    expect(ready(ds)).toBe(true);
  });

  it("an IngestJob whose Dataset does not exist is Degraded with a clear message and recovers when the Dataset appears", async () => {
    const file = romsFile(join(inputs(), "later"), forecast(1));
    await jobs.create(ingestJob("later-job", "later", [fileUrl(file)]));
    const waiting = await until("Degraded", async () => {
      const j = await jobs.get("maracoos", "later-job");
      return j && ready(j, "Degraded") ? j : undefined;
    });
    const degraded = waiting.status?.conditions?.find((c) => c.type === "Degraded");
    expect(degraded?.reason).toBe("DatasetNotFound");
    expect(degraded?.message).toMatch(/Dataset later does not exist in namespace maracoos/);
    await sets.create(dataset("later"));
    const done = await until("recovered", async () => {
      const j = await jobs.get("maracoos", "later-job");
      return j?.status?.phase === "Succeeded" ? j : undefined;
    });
    expect(ready(done, "Degraded")).toBe(false);
  });

  it("quality control with onFailure refuse keeps failing files out of the store and says why", async () => {
    const file = romsFile(join(inputs(), "qc"), forecast(1));
    await sets.create(dataset("qc"));
    const job = ingestJob("qc-job", "qc", [fileUrl(file)]);
    // The fixture's temperatures are 15 degrees and up: a gross-range maximum of 10 fails them.
    job.spec.qualityControl = { enabled: true, onFailure: "refuse", cfChecks: true, variables: [{ variable: "temp", grossRange: { failMin: -5, failMax: 10 } }] };
    await jobs.create(job);
    const done = await until("QC refusal", async () => {
      const j = await jobs.get("maracoos", "qc-job");
      return j?.status?.phase === "Failed" ? j : undefined;
    });
    expect(done.status?.recentFailures?.[0]?.message).toMatch(/quality control refused it/);
    expect(done.status?.recentFailures?.[0]?.reason).toBe("Refused");
    const { existsSync, readdirSync } = await import("node:fs");
    expect(existsSync(join(dir, "stores", "qc.zarr", ".zmetadata"))).toBe(false);
    expect(readdirSync(join(dir, "stores", "qc.zarr", ".dmac", "qc")).length).toBe(1);
    // Every file failed, so nothing will arrive: the Dataset is not Ready but Degraded, saying why (issue #22).
    const ds = await until("Dataset Degraded", async () => {
      const d = await sets.get("maracoos", "qc");
      return d && ready(d, "Degraded") ? d : undefined;
    });
    expect(ready(ds)).toBe(false);
    const readyCondition = ds.status?.conditions?.find((c) => c.type === "Ready");
    expect(readyCondition?.reason).toBe("IngestFailed");
    expect(readyCondition?.message).toMatch(/no time step committed: all 1 file\(s\) of IngestJob qc-job failed \(first: file:.*quality control refused it/);
  });
  it("a model-run Dataset with a cycle and a prefix holding two cycles and a nowcast: only that cycle's forecasts land; the rest are skipped, not failed; a zarr-v3 store", async () => {
    const c06 = new Date("2023-10-22T06:00:00Z");
    const prefix = join(inputs(), "two-cycles");
    for (const f of [forecast(1), forecast(2), { cycle: c06, kind: "f" as const, hour: 1 }, { cycle: c06, kind: "f" as const, hour: 2 }, { cycle, kind: "n" as const, hour: 5 }]) romsFile(prefix, f);
    const run: Dataset = {
      ...dataset("cbofs-run"),
      spec: { ...dataset("cbofs-run").spec, storage: { url: "file:///cbofs-run.zarr", format: "zarr-v3" }, aggregation: { type: "model-run", concatDim: "ocean_time", cycle: "2023-10-22T00:00:00Z", runType: "forecast" }, catalog: { enabled: false } },
    };
    await sets.create(run);
    const job = ingestJob("cbofs-run", "cbofs-run", []);
    await jobs.create({ ...job, spec: { ...job.spec, source: { prefix: { url: `file:///${relative(inputs(), prefix)}/`, keyPattern: "\\.nc$", recursive: true }, credentials: { anonymous: true } } } });
    const done = await until("model-run job Succeeded", async () => {
      const j = await jobs.get("maracoos", "cbofs-run");
      return j?.status?.phase === "Succeeded" && j.status.observedGeneration === j.metadata.generation ? j : undefined;
    });
    expect(done.status?.items).toEqual({ total: 5, pending: 0, running: 0, succeeded: 5, failed: 0, skipped: 3 });
    const ds = await until("Dataset holds the cycle", async () => {
      const d = await sets.get("maracoos", "cbofs-run");
      return d?.status?.timeSteps === 2 ? d : undefined;
    });
    expect(ds.status?.extent?.timeStart).toBe("2023-10-22T01:00:00Z");
    expect(ds.status?.extent?.timeEnd).toBe("2023-10-22T02:00:00Z");
    const root = JSON.parse((await import("node:fs")).readFileSync(join(dir, "stores", "cbofs-run.zarr", "zarr.json"), "utf8")) as { "dmac:ledger": { cycleMs: number; groups: Record<string, unknown[]> } };
    expect(root["dmac:ledger"].cycleMs).toBe(cycle.getTime());
    expect(Object.keys(root["dmac:ledger"].groups)).toEqual(["forecast"]);
  });
});
