// Chunks longer than one time step: appends rewrite the last, partly filled chunk (read, merge,
// replace) and edge chunks are padded; codecs zlib, blosc-lz4 and zstd all read back in xarray.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FileStore, ingest, readConsolidated, type CodecName } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("chunking and codecs", () => {
  it.each(["zlib", "blosc-lz4", "zstd"] as CodecName[])("%s, time chunks of 3 and xi chunks of 4, grown over three runs", async (codec) => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const files = [1, 2, 3, 4, 5, 6, 7].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour }));
    const store = join(tmp.path, `${codec}.zarr`);
    const opts = { store, concurrency: 0, encoding: { codec }, chunking: { ocean_time: 3, xi_rho: 4 } };
    await ingest({ ...opts, inputs: files.slice(0, 2) });
    await ingest({ ...opts, inputs: files.slice(2, 4) });
    const last = await ingest({ store, concurrency: 0, inputs: files.slice(4) });
    expect(last.lengths[""]).toBe(7);
    const state = await readConsolidated(new FileStore(store));
    expect(state?.hierarchy.arrays.temp?.meta.chunks).toEqual([3, 3, 5, 4]);
    expect(state?.hierarchy.arrays.temp?.meta.compressor?.id).toBe(codec === "blosc-lz4" ? "blosc" : codec);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
  });

  it("refuses to relabel an existing store with another codec", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const store = join(tmp.path, "fixed.zarr");
    await ingest({ store, concurrency: 0, inputs: [romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour: 1 })], encoding: { codec: "zstd" } });
    await expect(ingest({ store, concurrency: 0, inputs: [], encoding: { codec: "zlib" } })).rejects.toThrow(/^encoding: the store was written with/);
  });
});
