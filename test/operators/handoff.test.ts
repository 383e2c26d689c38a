// The operator's side of data.new (operators/ingestjob/handoff.ts) against an S3 bucket emulated by
// fauxqs (npm) and a file store: the announced key lands in the item ledger with the id the cron
// rescan computes (so neither a repeat nor the rescan adds it twice), a URL-list source's file already
// listed is not added again, a key the source does not name is ignored, and an object that is not
// readable yet is retried until the wait ends with a Warning.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalNodd, type LocalNodd } from "../../apps/local-platform/nodd-bucket.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { openWritableStore } from "../../dataplane/zarr/open.js";
import { cloudEvent, eventTypes, InProcessEventBus } from "../../events/platform-events.js";
import { DataNewHandoff, NotReadableYet } from "../../operators/ingestjob/handoff.js";
import { mergeItems, readLedger, updateLedger } from "../../operators/ingestjob/ledger.js";
import { sourceS3Client } from "../../operators/ingestjob/credentials.js";
import { listSourceItems } from "../../operators/ingestjob/source.js";
import type { EventRecorder } from "../../operators/runtime/index.js";
import { silentLogger } from "../support/operator-stack.js";

let nodd: LocalNodd;
let dir: string;
const warnings: string[] = [];
const enqueued: string[] = [];
const jobs = new Map<string, IngestJob>();

const dataset = { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "cbofs", namespace: "maracoos" }, spec: { storage: { url: "file:///cbofs.zarr" } } } as unknown as Dataset;
const job = (name: string, source: Record<string, unknown>): IngestJob => ({
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace: "maracoos" },
  spec: { source: { endpoint: "", region: "us-east-1", credentials: { anonymous: true }, ...source }, datasetRef: { name: "cbofs" }, executor: { type: "local" }, retryLimit: 1 },
}) as unknown as IngestJob;

let handoff: DataNewHandoff;
const announce = (jobName: string, key: string, time = new Date()) =>
  handoff.handle(cloudEvent(eventTypes.dataNew, "/dmac/event-bridge", `maracoos/${jobName}`, { url: `s3://${nodd.bucket}/${key}`, ingestJob: `maracoos/${jobName}` }, time));
const store = () => openWritableStore(join(dir, "stores", "cbofs.zarr"));

beforeAll(async () => {
  nodd = await startLocalNodd();
  dir = mkdtempSync(join(tmpdir(), "dmac-handoff-"));
  jobs.set("maracoos/by-prefix", job("by-prefix", { endpoint: nodd.endpoint, prefix: { url: `s3://${nodd.bucket}/cbofs/`, keyPattern: "\\.nc$", recursive: true } }));
  // Listed with its own spelling of the key (%20 for the space): the ledger id depends on the URL.
  jobs.set("maracoos/by-url", job("by-url", { endpoint: nodd.endpoint, urls: [`s3://${nodd.bucket}/listed/a%20b.nc`] }));
  handoff = new DataNewHandoff({
    bus: new InProcessEventBus(),
    queue: "unused",
    job: (key) => jobs.get(key),
    dataset: () => dataset,
    roots: { storageRoot: join(dir, "stores"), inputRoot: join(dir, "inputs") },
    secrets: async () => undefined,
    recorder: { record: async (_o: unknown, type: string, reason: string) => void warnings.push(`${type} ${reason}`) } as unknown as EventRecorder,
    log: silentLogger,
    enqueue: (key) => void enqueued.push(key),
    maxWaitMs: 60_000,
  });
}, 60_000);

afterAll(async () => {
  await nodd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("DataNewHandoff", () => {
  it("adds exactly the announced key, once, with the id the source listing gives it", async () => {
    await nodd.put("cbofs/2026/a.nc", "a", { announce: false });
    await nodd.put("cbofs/2026/b.nc", "b", { announce: false });
    await announce("by-prefix", "cbofs/2026/a.nc");
    await announce("by-prefix", "cbofs/2026/a.nc");
    const ledger = await readLedger(await store(), "maracoos", "by-prefix");
    expect(Object.values(ledger.items).map((e) => e.url)).toEqual([`s3://${nodd.bucket}/cbofs/2026/a.nc`]);
    expect(enqueued).toContain("maracoos/by-prefix");
    // The cron rescan lists both files and adds only b: a's id is the one the listing computes.
    const listed = await listSourceItems(jobs.get("maracoos/by-prefix")!.spec.source, { inputRoot: dir, s3: () => sourceS3Client(jobs.get("maracoos/by-prefix")!.spec.source, undefined) });
    const merged = await updateLedger(await store(), "maracoos", "by-prefix", (l) => mergeItems(l, listed, new Date()));
    expect(Object.values(merged.items).map((e) => e.url).sort()).toEqual([`s3://${nodd.bucket}/cbofs/2026/a.nc`, `s3://${nodd.bucket}/cbofs/2026/b.nc`]);
  });

  it("ignores a key the job's source does not name", async () => {
    await nodd.put("elsewhere/c.nc", "c", { announce: false });
    await announce("by-prefix", "elsewhere/c.nc");
    const ledger = await readLedger(await store(), "maracoos", "by-prefix");
    expect(Object.values(ledger.items).some((e) => e.url.endsWith("c.nc"))).toBe(false);
  });

  it("does not add a URL-list source's file again when its listing has it", async () => {
    await nodd.put("listed/a b.nc", "a", { announce: false });
    const listed = await listSourceItems(jobs.get("maracoos/by-url")!.spec.source, { inputRoot: dir, s3: () => sourceS3Client(jobs.get("maracoos/by-url")!.spec.source, undefined) });
    await updateLedger(await store(), "maracoos", "by-url", (l) => mergeItems(l, listed, new Date()));
    expect(listed).toHaveLength(1);
    await announce("by-url", "listed/a b.nc");
    const ledger = await readLedger(await store(), "maracoos", "by-url");
    expect(Object.values(ledger.items).map((e) => e.url)).toEqual([`s3://${nodd.bucket}/listed/a%20b.nc`]);
  });

  it("retries an object that is not readable yet, and gives up with a Warning after the wait", async () => {
    await expect(announce("by-prefix", "cbofs/2026/late.nc")).rejects.toBeInstanceOf(NotReadableYet);
    await announce("by-prefix", "cbofs/2026/late.nc", new Date(Date.now() - 120_000));
    expect(warnings).toContain("Warning AnnouncedObjectMissing");
  });
});
