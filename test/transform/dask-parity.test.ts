// Local and Dask executors give identical derived stores: each transform computed by computeLocal
// (Node) and by the Dask payload (apps/ingest-worker derive.py on a LocalCluster of two worker
// processes, the way a DaskJob runs it), planned and committed by the same derive(), then compared
// by compare_stores.py: same objects, metadata byte-equal, every chunk decoding to the same bytes,
// xarray assert_identical. An update (a later cycle) is compared too.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derive } from "../../dataplane/transform/derive.js";
import { transformOptionsFor, type TransformSpec } from "../../dataplane/transform/options.js";
import { daskCompute, type DeriveTask, type DeriveTaskResult } from "../../dataplane/transform/task.js";
import { tempDir } from "../dataplane/fixtures.js";
import { compareStores, workerRoot } from "../ingest-worker/harness.js";
import { ingestSample, sampleCycles } from "./samples.js";

const tmp = tempDir("dmac-derive-dask-");
afterAll(() => tmp.cleanup());
const layout = { sourceName: "test/source", encoding: { codec: "zlib" as const, level: 1 } };

/** Runs the derive task as a DaskJob does, minus Kubernetes: `python -m ingest_worker.derive` on a LocalCluster of two workers. */
async function runDerivePayload(task: DeriveTask, target: string): Promise<DeriveTaskResult> {
  const dir = join(target, ".dmac", "derive");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "task.json"), JSON.stringify(task));
  await promisify(execFile)("/usr/bin/python3", ["-m", "ingest_worker.derive", "--task", join(dir, "task.json"), "--results", join(dir, "results.json"), "--local-workers", "2"], { env: { ...process.env, PYTHONPATH: workerRoot }, maxBuffer: 32 * 1024 * 1024 });
  return JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as DeriveTaskResult;
}

describe("local and Dask executors give identical derived stores", () => {
  const cycles = sampleCycles();
  const source = join(tmp.path, "source.zarr");
  beforeAll(async () => {
    await ingestSample(source, cycles.flatMap((c) => c.files));
  }, 120_000);

  const cases: [string, TransformSpec][] = [
    ["resample 1d max of zeta", { select: { variables: ["zeta"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } }],
    ["select surface + resample 1d mean of temp", { select: { variables: ["temp"], level: "surface" }, resample: { period: "1d", statistic: "mean", utcOffset: "+00:00" } }],
    ["rechunk zeta and temp (levels split into pieces)", { select: { variables: ["zeta", "temp"] }, rechunk: { tile: 16 } }],
    ["select bottom + resample 6h min of temp in the rechunk layout", { select: { variables: ["temp"], level: "bottom" }, resample: { period: "6h", statistic: "min", utcOffset: "-05:00" }, rechunk: { timeChunk: 4, tile: 8 } }],
  ];
  for (const [title, spec] of cases) {
    it(title, async () => {
      const transform = transformOptionsFor(spec);
      const name = title.replace(/\W+/g, "-");
      const local = join(tmp.path, `${name}-local.zarr`);
      const dask = join(tmp.path, `${name}-dask.zarr`);
      const a = await derive({ source, target: local, transform, layout });
      const b = await derive({ source, target: dask, transform, layout, compute: daskCompute(source, dask, (task) => runDerivePayload(task, dask)) });
      expect(b.chunksRewritten).toBe(a.chunksRewritten);
      const cmp = await compareStores(local, dask);
      expect(cmp.detail).toBe("");
      expect(cmp.identical).toBe(true);
      expect(cmp.chunks).toBeGreaterThan(0);
    }, 180_000);
  }

  it("an update (a later cycle) recomputed on Dask leaves the same store as on the local executor", async () => {
    const growing = join(tmp.path, "growing.zarr");
    const transform = transformOptionsFor({ select: { variables: ["temp"] }, resample: { period: "6h", statistic: "mean", utcOffset: "+00:00" }, rechunk: { timeChunk: 3 } });
    const [local, dask] = [join(tmp.path, "update-local.zarr"), join(tmp.path, "update-dask.zarr")];
    for (const cycle of cycles) {
      await ingestSample(growing, cycle.files);
      await derive({ source: growing, target: local, transform, layout });
      await derive({ source: growing, target: dask, transform, layout, compute: daskCompute(growing, dask, (task) => runDerivePayload(task, dask)) });
      const cmp = await compareStores(local, dask);
      expect(cmp.detail).toBe("");
      expect(cmp.identical).toBe(true);
    }
  }, 240_000);
});
