// The ingest runner decides which items of a batch run on the ledger as it is when the batch starts,
// not on the reconciler's earlier copy: an item whose last allowed attempt failed meanwhile is not
// started again (the "attempts 3 with retryLimit 1" bug), while an item a crash left "running" is.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { openWritableStore } from "../../dataplane/index.js";
import { emptyLedger, readLedger, writeLedger, type ItemLedger } from "../../operators/ingestjob/ledger.js";
import { LocalIngestRunner, type BatchReport, type BatchRequest } from "../../operators/ingestjob/runner.js";
import { createLogger } from "../../operators/runtime/index.js";

const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));

const job: IngestJob = {
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "job", namespace: "ns" },
  spec: {
    source: { urls: ["file:///missing.nc"], credentials: { anonymous: true } }, format: "auto",
    qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "ds" },
    executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false,
  },
};
const dataset: Dataset = {
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "ds", namespace: "ns" },
  spec: { storage: { url: "file:///ds.zarr", format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
};

describe("LocalIngestRunner", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dmac-runner-"));
    mkdirSync(join(dir, "inputs"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function runBatch(ledger: ItemLedger): Promise<{ report: BatchReport; ledger: ItemLedger }> {
    const location = join(dir, "ds.zarr");
    const store = await openWritableStore(location);
    await writeLedger(store, "ns", "job", ledger);
    const report = await new Promise<BatchReport>((resolve) => {
      const runner = new LocalIngestRunner({ inputRoot: join(dir, "inputs"), log: silent, onBatchDone: (_request: BatchRequest, r) => resolve(r) });
      expect(runner.submit({ jobKey: "ns/job", job, dataset, storeLocation: location, items: [{ id: "a", url: "file:///missing.nc" }] })).toBe(true);
    });
    return { report, ledger: await readLedger(await openWritableStore(location), "ns", "job") };
  }

  it("does not start an item whose retries ran out after the reconciler picked it", async () => {
    const ledger = emptyLedger("ns/job");
    ledger.items.a = { url: "file:///missing.nc", state: "failed", attempts: 2, reason: "IngestError", message: "boom", updatedAt: "2026-11-30T00:00:00.000Z" };
    const { report, ledger: after } = await runBatch(ledger);
    expect(report).toEqual({ succeeded: 0, failed: [], timeSteps: 0, bytesWritten: 0 });
    expect(after.items.a).toMatchObject({ state: "failed", attempts: 2, message: "boom" });
  });

  it("runs an item a crashed operator left running, counting the attempt", async () => {
    const ledger = emptyLedger("ns/job");
    ledger.items.a = { url: "file:///missing.nc", state: "running", attempts: 1, updatedAt: "2026-11-30T00:00:00.000Z" };
    const { report, ledger: after } = await runBatch(ledger);
    expect(report.failed.map((f) => f.url)).toEqual(["file:///missing.nc"]);
    expect(after.items.a).toMatchObject({ state: "failed", attempts: 2 });
  });
});
