// Default spatial chunking (issue21.md): a new store chunks the horizontal dimensions of a large
// regular or curvilinear grid by at most 512 when the Dataset does not set them, so a viewer can
// read only what it shows; explicit chunking wins; small grids stay whole; the ledger pins it.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FileStore, ingest, readConsolidated, type Ledger } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { curvilinearFile, hoursAfter } from "./curvilinear.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const T0 = "2023-10-22T00:00:00Z";

describe("default spatial chunking", () => {
  const src = join(tmp.path, "src");
  const big = [1, 2].map((h) => curvilinearFile(src, `big-${h}.nc`, { ny: 600, nx: 700, ns: 1, times: [hoursAfter(T0, h)] }));

  it("chunks horizontal dimensions longer than 512 by 512 and leaves the rest whole; xarray reads the same values", async () => {
    const store = join(tmp.path, "big.zarr");
    await ingest({ store, inputs: big.slice(0, 1), overviews: { gridThreshold: Infinity } });
    const second = await ingest({ store, inputs: big.slice(1), overviews: { gridThreshold: Infinity } });
    expect(second.lengths[""]).toBe(2);
    const state = await readConsolidated<Ledger>(new FileStore(store));
    const chunks = (name: string): number[] | undefined => state?.hierarchy.arrays[name]?.meta.chunks;
    expect(chunks("temp")).toEqual([1, 1, 512, 512]);
    expect(chunks("zeta")).toEqual([1, 512, 512]);
    expect(chunks("u")).toEqual([1, 1, 512, 512]);
    expect(chunks("lon_rho")).toEqual([512, 512]);
    expect(chunks("ocean_time")).toEqual([1024]);
    expect(state?.ledger?.spatialChunk).toBe(512);
    expect(state?.ledger?.chunking).toEqual({});
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: big.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
  });

  it("keeps the Dataset's chunk for a dimension it sets, and grids of at most 512 whole", async () => {
    const store = join(tmp.path, "explicit.zarr");
    await ingest({ store, inputs: big.slice(0, 1), chunking: { xi_rho: 100 }, overviews: { gridThreshold: Infinity } });
    const state = await readConsolidated<Ledger>(new FileStore(store));
    expect(state?.hierarchy.arrays.zeta?.meta.chunks).toEqual([1, 512, 100]);
    const small = join(tmp.path, "small.zarr");
    await ingest({ store: small, inputs: [curvilinearFile(src, "small.nc", { ny: 512, nx: 300, ns: 1, times: [hoursAfter(T0, 1)] })] });
    const s = await readConsolidated<Ledger>(new FileStore(small));
    expect(s?.hierarchy.arrays.zeta?.meta.chunks).toEqual([1, 512, 300]);
  });
});
