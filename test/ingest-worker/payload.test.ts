// Acceptance for the Dask payload (apps/ingest-worker): for the same task lists, planned and
// committed by the data plane as the operator does it, the payload on a two-worker LocalCluster
// and the local executor leave equal stores (same objects, byte-equal metadata, chunks that
// decode to the same bytes, xarray assert_identical); a task whose source is truncated or missing
// fails with the file and the reason, and the other tasks still land.
import { afterAll, describe, expect, it } from "vitest";
import { copyFileSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { ingest, runLocal, type ExecutionOutcome, type IngestOptions, type IngestTask, type TaskResult } from "../../dataplane/index.js";
import { outcomeFromResults } from "../../operators/ingestjob/daskjob.js";
import { cycleAt, fvcomFile, romsFile, rtofsFile, tempDir, truncatedCopy, type CycleFile } from "../dataplane/fixtures.js";
import { forecasts, nowcasts } from "../support/cycle-files.js";
import { compareStores, daskPayloadExecutor } from "./harness.js";

const tmp = tempDir("dmac-iw-");
afterAll(() => tmp.cleanup());

const c00 = cycleAt("2023-10-22T00:00:00Z");
const c06 = cycleAt("2023-10-22T06:00:00Z");

type Runs = Array<Omit<IngestOptions, "store" | "executor" | "concurrency">>;

/** The local executor, recording its per-task results for comparison with the payload's. */
function recordingLocal(results: TaskResult[], before?: (chains: IngestTask[][]) => void) {
  return async (chains: IngestTask[][]): Promise<ExecutionOutcome> => {
    before?.(chains);
    const out = await runLocal(chains, { concurrency: 0 });
    results.push(...out.results);
    return out;
  };
}

/** Runs the same ingests into two stores, one per executor; returns both reports and the payload runs. */
async function both(name: string, runs: Runs, before?: (chains: IngestTask[][]) => () => void) {
  const localStore = join(tmp.path, `${name}-local.zarr`);
  const daskStore = join(tmp.path, `${name}-dask.zarr`);
  const localResults: TaskResult[] = [];
  let restore: (() => void) | undefined;
  const local = [];
  for (const r of runs) {
    local.push(await ingest({ ...r, store: localStore, executor: recordingLocal(localResults, before && ((chains) => (restore = before(chains)))) }));
    restore?.();
  }
  const payload = daskPayloadExecutor(daskStore, before ? { before: (chains) => (restore = before(chains)) } : {});
  const dask = [];
  for (const r of runs) {
    dask.push(await ingest({ ...r, store: daskStore, executor: payload.executor }));
    restore?.();
  }
  return { localStore, daskStore, local, dask, localResults, payloadRuns: payload.runs };
}

describe("the Dask payload and the local executor write equal stores", () => {
  it("ROMS (NetCDF-4) append over two runs, time chunks of 3 (chains, partial chunks merged), xi chunks of 4, zlib", async () => {
    const files = forecasts(c00, [1, 2, 3, 4, 5, 6, 7]).map((f) => romsFile(join(tmp.path, "roms"), f));
    const layout = { chunking: { ocean_time: 3, xi_rho: 4 }, encoding: { codec: "zlib" as const, level: 1 } };
    const r = await both("roms-append", [{ inputs: files.slice(0, 4), ...layout }, { inputs: files.slice(4), ...layout }]);
    expect(r.dask.map((x) => x.lengths[""])).toEqual([4, 7]);
    expect(r.dask.map((x) => x.files)).toEqual(r.local.map((x) => x.files));
    // Tasks sharing a time chunk arrive as one chain; the payload ran them in order.
    expect(r.payloadRuns[0]?.results.results.map((x) => x.id)).toEqual(files.slice(0, 4));
    expect(r.payloadRuns[0]?.results.failures).toEqual([]);
    // Same reads per task as the local executor. Writes differ by design: the local executor copies a
    // chain sharing a time chunk chunk by chunk (executor/chain-by-chunk.ts: each chunk encoded once,
    // counted for the task that completes it), the payload file by file (a chunk rewritten per file).
    const pick = (x: TaskResult) => ({ id: x.id, bytesRead: x.bytesRead });
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    const payloadResults = r.payloadRuns.flatMap((p) => p.results.results);
    expect(payloadResults.map(pick).sort(byId)).toEqual(r.localResults.map(pick).sort(byId));
    const chunksWritten = (results: readonly TaskResult[]) => results.reduce((n, x) => n + x.chunks, 0);
    expect(chunksWritten(r.localResults)).toBeLessThan(chunksWritten(payloadResults));
    const cmp = await compareStores(r.localStore, r.daskStore);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
    // 18 chunks of zeta, temp and salt (3 along time, 2 along xi), one of ocean_time (AXIS_CHUNK
    // steps) and 11 static ones.
    expect(cmp.chunks).toBe(30);
  });

  it("ROMS model run (nowcast and forecast groups), uncompressed: chunk bytes are equal too", async () => {
    const files = [...nowcasts(c06, [4, 5, 6]), ...forecasts(c06, [1, 2, 3])].map((f) => romsFile(join(tmp.path, "roms"), f));
    const r = await both("roms-run", [{ inputs: files, aggregation: { type: "model-run" }, chunking: { ocean_time: 2 }, encoding: { codec: "none" } }]);
    expect(r.dask[0]?.lengths).toEqual({ forecast: 3, nowcast: 3 });
    const cmp = await compareStores(r.localStore, r.daskStore);
    expect(cmp.detail).toBe("");
    expect(cmp.bytesEqual).toBe(cmp.chunks);
    // The local executor encodes each 2-step chunk once; the payload writes it once per file.
    const bytesWritten = (results: readonly TaskResult[]) => results.reduce((n, x) => n + x.bytesWritten, 0);
    expect(bytesWritten(r.localResults)).toBeLessThan(bytesWritten(r.payloadRuns[0]?.results.results ?? []));
  });

  it("FVCOM (NetCDF-3 classic, big-endian) best forecast over two cycles, later forecasts replacing steps, zstd", async () => {
    const a = forecasts(c00, [1, 2, 3, 4, 5, 6, 7]).map((f) => fvcomFile(join(tmp.path, "fvcom"), f));
    const b = [...forecasts(c06, [1, 2, 3]), ...nowcasts(c06, [6])].map((f) => fvcomFile(join(tmp.path, "fvcom"), f));
    const opts = { aggregation: { type: "best-forecast" as const }, encoding: { codec: "zstd" as const } };
    const r = await both("fvcom-best", [{ inputs: a, ...opts }, { inputs: b, ...opts }]);
    expect(r.dask.map((x) => x.lengths[""])).toEqual([7, 9]);
    expect(r.dask.map((x) => x.files)).toEqual(r.local.map((x) => x.files));
    const cmp = await compareStores(r.localStore, r.daskStore, ["siglay", "siglev"]);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });

  it("RTOFS best forecast with blosc-lz4, and a Zarr v3 store (c/ chunk keys) with gzip", async () => {
    const d1 = cycleAt("2023-09-22T00:00:00Z");
    const d2 = cycleAt("2023-09-23T00:00:00Z");
    const files = [...forecasts(d1, [12, 24, 36]), ...forecasts(d2, [12, 24])].map((f) => rtofsFile(join(tmp.path, "rtofs"), f));
    const r = await both("rtofs-best", [{ inputs: files, aggregation: { type: "best-forecast" }, encoding: { codec: "blosc-lz4" }, chunking: { MT: 2 } }]);
    expect(r.dask[0]?.lengths[""]).toBe(4);
    const cmp = await compareStores(r.localStore, r.daskStore);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);

    const v3 = await both("rtofs-v3", [{ inputs: files, aggregation: { type: "best-forecast" }, format: "zarr-v3", encoding: { codec: "zlib" }, chunking: { MT: 3 } }]);
    expect(v3.payloadRuns[0]?.tasks[0]?.target.zarrFormat).toBe(3);
    const cmp3 = await compareStores(v3.localStore, v3.daskStore);
    expect(cmp3.detail).toBe("");
    expect(cmp3.chunks).toBeGreaterThan(0);
  });
});

describe("failures", () => {
  it("a truncated and a missing source fail with the file and the reason; the other tasks land, as with the local executor", async () => {
    const files = forecasts(c00, [1, 2, 3, 4, 5]).map((f) => romsFile(join(tmp.path, "broken"), f));
    const [, second, third] = files as [string, string, string];
    // Break two files after planning, as a source that changes under a running job would.
    const breakSources = (): (() => void) => {
      copyFileSync(second, `${second}.bak`);
      truncatedCopy(`${second}.bak`, second);
      renameSync(third, `${third}.bak`);
      return () => {
        renameSync(`${second}.bak`, second);
        renameSync(`${third}.bak`, third);
      };
    };
    const r = await both("broken", [{ inputs: files, chunking: { ocean_time: 2 } }], breakSources);
    const payload = r.payloadRuns[0]!;
    expect(payload.results.failures).toEqual([
      { id: second, error: expect.stringMatching(new RegExp(`^${second}: truncated: the HDF5 superblock records \\d+ bytes but the file has \\d+$`)) },
      { id: third, error: `${third}: cannot read (ENOENT)` },
    ]);
    expect(payload.results.results.map((x) => x.id)).toEqual([files[0], files[3], files[4]]);
    // The same reasons as the local executor, through the data plane's commit (only what precedes
    // the first failure is committed; later files are "run again").
    expect(r.dask[0]?.files).toEqual(r.local[0]?.files);
    expect(r.dask[0]?.files.map((f) => f.status)).toEqual(["ingested", "refused", "refused", "refused", "refused"]);
    expect(r.dask[0]?.lengths[""]).toBe(1);
    // Chunks of the later tasks were written (uncommitted) by both executors alike.
    const cmp = await compareStores(r.localStore, r.daskStore);
    expect(cmp.detail).toBe("");

    // The operator reads this very file: outcomeFromResults keeps results and failures per task.
    const doc = JSON.parse(readFileSync(join(r.daskStore, ".dmac", "dask", payload.name, "results.json"), "utf8")) as unknown;
    const outcome = outcomeFromResults(payload.tasks, doc as never, payload.name);
    expect(outcome.results.map((x) => x.id)).toEqual([files[0], files[3], files[4]]);
    expect(outcome.failures.map((x) => x.id)).toEqual([second, third]);
    expect(outcome.failures.every((f) => !f.error.includes("run again"))).toBe(true);
  });

  it("a chunk a later run covers up to the array's edge is rebuilt, dropping steps an uncommitted run left beyond the edge", async () => {
    // Run 1 plans six steps in chunks of three; step 1's file vanishes, so only step 0 is committed
    // while steps 3-5 sit in chunk 1. Run 2 commits steps 1-3: its write covers chunk 1 up to the
    // new edge (4), which the local executor builds afresh (fill beyond the edge), not merged.
    const files = forecasts(c00, [1, 2, 3, 4, 5, 6]).map((f) => romsFile(join(tmp.path, "edge"), f));
    const gone = files[1]!;
    let calls = 0;
    const breakFirstRun = (): (() => void) => {
      if (calls++ % 2 === 1) return () => undefined;
      renameSync(gone, `${gone}.bak`);
      return () => renameSync(`${gone}.bak`, gone);
    };
    const layout = { chunking: { ocean_time: 3 }, encoding: { codec: "none" as const } };
    const r = await both("edge", [{ inputs: files, ...layout }, { inputs: files.slice(1, 4), ...layout }], breakFirstRun);
    expect(r.dask.map((x) => x.lengths[""])).toEqual([1, 4]);
    expect(r.dask.map((x) => x.files)).toEqual(r.local.map((x) => x.files));
    const cmp = await compareStores(r.localStore, r.daskStore);
    expect(cmp.detail).toBe("");
    expect(cmp.bytesEqual).toBe(cmp.chunks);
  });
});
