// The native NetCDF-4 chunk reader (object header + v1 B-tree + node:zlib) returns exactly what
// HDF5 itself (h5wasm) returns, for chunked+deflated+shuffled, chunked+deflated and contiguous data.
import { afterAll, describe, expect, it } from "vitest";
import { open } from "node:fs/promises";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { openSource } from "../../dataplane/index.js";
import { storageLayout } from "../../dataplane/source/hdf5-chunks.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("native HDF5 chunk reads", () => {
  it("match h5wasm for every variable and for sub-boxes", async () => {
    await h5wasm.ready;
    const path = romsFile(tmp.path, { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour: 1 });
    const file = new h5wasm.File(path, "r");
    const src = await openSource(path);
    const fh = await open(path, "r");
    try {
      const zeta = file.get("zeta") as InstanceType<typeof h5wasm.Dataset>;
      const ref = zeta.create_reference().ref_data;
      const layout = await storageLayout(fh, Number(Buffer.from(Array.from(ref)).readBigUInt64LE(0)), 3);
      expect(layout).toMatchObject({ kind: "chunked", chunkShape: [1, 5, 7] });
      expect(layout?.kind === "chunked" ? layout.chunks.length : 0).toBe(1);
      for (const v of src.variables) {
        const ds = file.get(v.name) as InstanceType<typeof h5wasm.Dataset>;
        const full = await src.read(v.name, v.shape.map(() => 0), v.shape);
        const expected = v.shape.length === 0 ? [ds.value as number] : Array.from(ds.value as ArrayLike<number>);
        expect(Array.from(full as ArrayLike<number>), v.name).toEqual(expected);
      }
      const box = await src.read("temp", [0, 1, 1, 2], [1, 2, 3, 4]);
      const want = (file.get("temp") as InstanceType<typeof h5wasm.Dataset>).slice([[0, 1], [1, 3], [1, 4], [2, 6]]);
      expect(Array.from(box as Float32Array)).toEqual(Array.from(want as Float32Array));
    } finally {
      file.close();
      src.close();
      await fh.close();
    }
  });
});
