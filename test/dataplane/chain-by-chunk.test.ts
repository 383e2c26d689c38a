// Chains whose target chunks hold several steps are copied chunk by chunk inline
// (dataplane/executor/chain-by-chunk.ts): each chunk encoded once instead of once per file, the
// same store as task by task (worker threads) and as xarray; a failing file falls back to task by
// task, which reports it alone.
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ingest, runLocal, chainTasks, type IngestTask } from "../../dataplane/index.js";
import { batchesByChunk, runChainByChunk } from "../../dataplane/executor/chain-by-chunk.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";
import { storeDigest } from "./store-snapshot.js";

const tmp = tempDir("dmac-chain-");
afterAll(() => tmp.cleanup());
const c00 = cycleAt("2023-10-22T00:00:00Z");

/** The tasks an ingest of `files` with time chunks of 4 runs, captured through its executor. */
async function tasksOf(files: string[], store: string): Promise<IngestTask[][]> {
  let chains: IngestTask[][] = [];
  await ingest({ store, inputs: files, chunking: { ocean_time: 4 }, executor: async (c) => ((chains = c), { results: [], failures: [] }) });
  return chains;
}

describe("chains copied chunk by chunk", () => {
  const files = [1, 2, 3, 4, 5, 6, 7].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c00, kind: "f", hour }));

  it("each chunk is written once per array; the store equals the task-by-task run and xarray's", async () => {
    const chains = chainTasks((await tasksOf(files, join(tmp.path, "plan.zarr"))).flat());
    // Steps 0-3 and 4-6 share chunks: two chains of 4 and 3 files.
    expect(chains.map((c) => c.length)).toEqual([4, 3]);
    expect(chains.every(batchesByChunk)).toBe(true);
    const results = await runChainByChunk(chains[0] as IngestTask[]);
    expect(results.map((r) => r.id)).toEqual((chains[0] as IngestTask[]).map((t) => t.id));
    const arrays = (chains[0] as IngestTask[])[0]?.arrays.length ?? 0;
    // One chunk per array for the whole chain (task by task it would be one per array per file).
    expect(results.reduce((n, r) => n + r.chunks, 0)).toBe(arrays);

    const inline = join(tmp.path, "inline.zarr");
    const threads = join(tmp.path, "threads.zarr");
    const r = await ingest({ store: inline, inputs: files, chunking: { ocean_time: 4 }, concurrency: 0 });
    await ingest({ store: threads, inputs: files, chunking: { ocean_time: 4 }, concurrency: 2 });
    expect(r.files.map((f) => f.status)).toEqual(Array(7).fill("ingested"));
    const [a, b] = await Promise.all([storeDigest(inline), storeDigest(threads)]);
    expect(a.arrays).toEqual(b.arrays);
    expect(a.chunkKeys).toEqual(b.chunkKeys);
    const cmp = await compareWithXarray({ store: inline, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
  });

  it("a file that cannot be read: the chain runs task by task, that file alone fails", async () => {
    const copies = [1, 2, 3, 4].map((hour) => romsFile(join(tmp.path, "gone"), { cycle: c00, kind: "f", hour }));
    const [chain] = chainTasks((await tasksOf(copies, join(tmp.path, "gone-plan.zarr"))).flat());
    if (chain === undefined) throw new Error("no chain");
    rmSync(copies[2] as string);
    await expect(runChainByChunk(chain)).rejects.toThrow(/f003/);
    const out = await runLocal([chain], { concurrency: 0 });
    expect(out.failures).toEqual([{ id: copies[2], error: expect.stringContaining("cannot read") }]);
    expect(out.results.map((r) => r.id)).toEqual([copies[0], copies[1], copies[3]]);
  });

  it("not batched: one task, one-step chunks, or chunks too large to hold", async () => {
    const [chain] = chainTasks((await tasksOf(files.slice(0, 4), join(tmp.path, "small.zarr"))).flat());
    if (chain === undefined) throw new Error("no chain");
    expect(batchesByChunk(chain.slice(0, 1))).toBe(false);
    const oneStep = chain.map((t) => ({ ...t, arrays: t.arrays.map((a) => ({ ...a, zarray: { ...a.zarray, chunks: [1, ...a.zarray.chunks.slice(1)] } })) }));
    expect(batchesByChunk(oneStep)).toBe(false);
    const huge = chain.map((t) => ({ ...t, arrays: t.arrays.map((a) => ({ ...a, zarray: { ...a.zarray, chunks: [4, 20, 3000, 3000] } })) }));
    expect(batchesByChunk(huge)).toBe(false);
  });
});
