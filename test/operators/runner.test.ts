// The ingest runner decides which items of a batch run on the ledger as it is when the batch starts,
// not on the reconciler's earlier copy: an item whose last allowed attempt failed meanwhile is not
// started again (the "attempts 3 with retryLimit 1" bug), while an item a crash left "running" is.
// s3:// items are downloaded with the source's own client and the Secret's keys (checked by an S3
// server that verifies signatures), never the operator's AWS_* identity, which is the store's.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { openWritableStore } from "../../dataplane/index.js";
import { emptyLedger, mergeItems, readLedger, writeLedger, type ItemLedger } from "../../operators/ingestjob/ledger.js";
import { LocalIngestRunner, type BatchReport, type BatchRequest } from "../../operators/ingestjob/runner.js";
import { createLogger } from "../../operators/runtime/index.js";
import { cycleAt, romsFile } from "../dataplane/fixtures.js";
import { startSignedS3, type SignedS3Server } from "../support/s3-signed-server.js";

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

  async function runBatch(ledger: ItemLedger, batch: Pick<BatchRequest, "items" | "credentials"> & { job?: IngestJob } = { items: [{ id: "a", url: "file:///missing.nc" }] }): Promise<{ report: BatchReport; ledger: ItemLedger }> {
    const location = join(dir, "ds.zarr");
    const store = await openWritableStore(location);
    await writeLedger(store, "ns", "job", ledger);
    const report = await new Promise<BatchReport>((resolve) => {
      const runner = new LocalIngestRunner({ inputRoot: join(dir, "inputs"), log: silent, onBatchDone: (_request: BatchRequest, r) => resolve(r) });
      expect(runner.submit({ jobKey: "ns/job", job: batch.job ?? job, dataset, storeLocation: location, items: batch.items, ...(batch.credentials ? { credentials: batch.credentials } : {}) })).toBe(true);
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

  describe("s3:// items", () => {
    const keys = { accessKeyId: "AKIDDMACRUNNER01", secretAccessKey: "runner/Secret+key-from-the-Secret" };
    let s3: SignedS3Server;
    const env = (): Record<string, string> => ({ AWS_ACCESS_KEY_ID: "AKIDTHESTOREROLE", AWS_SECRET_ACCESS_KEY: "the-store-identity", AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: s3.region, TMPDIR: join(dir, "scratch") });
    const saved = Object.fromEntries(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "TMPDIR"].map((name) => [name, process.env[name]]));
    let present: string;
    const missing = "s3://ofs/cbofs/nos.cbofs.fields.f002.20231022.t00z.nc";

    beforeAll(async () => {
      s3 = await startSignedS3(keys);
      const scratch = mkdtempSync(join(tmpdir(), "dmac-runner-src-"));
      const file = romsFile(scratch, { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour: 1 });
      s3.put("ofs", `cbofs/${basename(file)}`, readFileSync(file));
      present = `s3://ofs/cbofs/${basename(file)}`;
      rmSync(scratch, { recursive: true, force: true });
    });
    afterAll(async () => {
      await s3.close();
    });
    beforeEach(() => {
      // The operator's own identity points at the same server with keys it does not know: a download
      // made with it would be refused as InvalidAccessKeyId. TMPDIR shows where the copies go.
      mkdirSync(join(dir, "scratch"));
      // Set name by name: replacing process.env would detach it from the environment os.tmpdir() reads.
      Object.assign(process.env, env());
    });
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    const s3Job = (): IngestJob => ({
      ...job,
      spec: {
        ...job.spec,
        source: {
          urls: [present, missing], endpoint: s3.endpoint, region: s3.region,
          credentials: { anonymous: false, secretRef: { name: "ofs-reader", accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" } },
        },
      },
    });
    /** Temporary copies left in TMPDIR (worker threads keep their own tsx cache there). */
    const copies = () => readdirSync(join(dir, "scratch")).filter((name) => name.startsWith("dmac-"));
    const both = () => [{ id: "p", url: present }, { id: "m", url: missing }];
    const pending = (items: BatchRequest["items"]) => mergeItems(emptyLedger("ns/job"), items.map((i) => ({ ...i, size: 0 })), new Date());
    const refusals = () => [...s3.refused.values()].reduce((a, b) => a + b, 0);

    it("downloads with the Secret's keys, not the AWS_* environment; a missing object fails naming it; no copies are left", async () => {
      const refusedBefore = refusals();
      const { report, ledger } = await runBatch(pending(both()), { job: s3Job(), credentials: keys, items: both() });
      expect(report.failed).toEqual([{ url: missing, reason: "FetchFailed", message: `${missing}: S3 answered 404 NoSuchKey: NoSuchKey (test server)` }]);
      expect(report.succeeded).toBe(1);
      expect(report.timeSteps).toBe(1);
      expect(ledger.items.p).toMatchObject({ state: "succeeded" });
      expect(ledger.items.m).toMatchObject({ state: "failed", reason: "FetchFailed" });
      expect(refusals()).toBe(refusedBefore);
      expect(copies()).toEqual([]);
    });

    it("keys S3 refuses fail each file with S3's code and where the keys come from", async () => {
      const refusedBefore = s3.refused.get("SignatureDoesNotMatch") ?? 0;
      const { report } = await runBatch(pending(both().slice(0, 1)), { job: s3Job(), credentials: { ...keys, secretAccessKey: "not-the-secret" }, items: both().slice(0, 1) });
      expect(report.failed).toEqual([{
        url: present,
        reason: "FetchFailed",
        message: `${present}: S3 answered 403 SignatureDoesNotMatch: SignatureDoesNotMatch (test server) (check the credentials in spec.source.credentials.secretRef)`,
      }]);
      expect(s3.refused.get("SignatureDoesNotMatch")).toBe(refusedBefore + 1);
      expect(copies()).toEqual([]);
    });
  });
});
