// Zarr v3 output (storage.format zarr-v3): zarr.json per node, dimension_names, `c/` chunk keys,
// consolidated metadata inline in the root. zarr-python 2.13 on these machines cannot read v3, so
// the reader here is zarrita (what the data API uses), checked value by value against a v2 store.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as zarr from "zarrita";
import { FileStore, ingest, readConsolidated, type Ledger } from "../../dataplane/index.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("Zarr v3", () => {
  it.each(["zlib", "blosc-lz4", "zstd"] as const)("%s: zarrita reads the v3 store equal to the v2 one; reruns stay idempotent", async (codec) => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const files = [1, 2, 3].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour }));
    const v3 = join(tmp.path, `${codec}-v3.zarr`);
    const v2 = join(tmp.path, `${codec}-v2.zarr`);
    await ingest({ store: v3, inputs: files.slice(0, 2), format: "zarr-v3", encoding: { codec }, chunking: { ocean_time: 2 }, concurrency: 0 });
    const more = await ingest({ store: v3, inputs: files, concurrency: 0 });
    expect(more.timeSteps).toBe(1);
    await ingest({ store: v2, inputs: files, encoding: { codec }, chunking: { ocean_time: 2 }, concurrency: 0 });

    expect(existsSync(join(v3, ".zmetadata"))).toBe(false);
    expect(existsSync(join(v3, "temp", "c", "1", "0", "0", "0"))).toBe(true);
    const zeta = JSON.parse(readFileSync(join(v3, "zeta", "zarr.json"), "utf8")) as { dimension_names: string[]; shape: number[]; attributes: Record<string, unknown> };
    expect(zeta.dimension_names).toEqual(["ocean_time", "eta_rho", "xi_rho"]);
    expect(zeta.shape).toEqual([3, 5, 7]);
    expect(zeta.attributes._FillValue).toBeCloseTo(1e37, -30);
    const state = await readConsolidated<Ledger>(new FileStore(v3));
    expect(state?.format).toBe(3);
    expect(state?.ledger?.groups[""]).toHaveLength(3);

    const s3 = await zarr.withConsolidatedMetadata(new FileStore(v3) as never, { format: "v3" });
    const s2 = await zarr.withConsolidatedMetadata(new FileStore(v2) as never, { format: "v2" });
    for (const name of ["temp", "salt", "zeta", "ocean_time", "lat_rho", "mask_rho"]) {
      const a = await zarr.get(await zarr.open.v3(zarr.root(s3).resolve(name), { kind: "array" }));
      const b = await zarr.get(await zarr.open.v2(zarr.root(s2).resolve(name), { kind: "array" }));
      expect(a.shape, name).toEqual(b.shape);
      expect(Array.from(a.data as ArrayLike<number>), name).toEqual(Array.from(b.data as ArrayLike<number>));
    }
    await expect(ingest({ store: v3, inputs: [], format: "zarr-v2", concurrency: 0 })).rejects.toThrow(/storage.format: the store is zarr-v3/);
  });
});
