// The NetCDF-4 fast path: when the file's chunks tile whole time steps and a Zarr chunk is one
// step, chunks go from the file to the encoder without the step being assembled, and for
// blosc-lz4 the HDF5-shuffled bytes become blosc blocks as they are (blocksize = the HDF5 chunk).
// xarray (numcodecs' c-blosc) must read every such store exactly as it reads the sources.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ingest, openSource } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** NetCDF-4 files written by netCDF4-python: `chunks` per variable, zlib level 1, shuffle as given. */
function makeFiles(dir: string, n: number, spec: Record<string, { dtype: string; chunks: number[]; shuffle: boolean }>): string[] {
  const script = `
import json, sys, os
import numpy as np, netCDF4
out, n, spec = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
for i in range(n):
    p = os.path.join(out, f"nos.test.fields.f{i + 1:03d}.20231022.t00z.nc")
    with netCDF4.Dataset(p, "w", format="NETCDF4") as ds:
        ds.createDimension("ocean_time", None)
        ds.createDimension("s_rho", 4)
        ds.createDimension("eta_rho", 30)
        ds.createDimension("xi_rho", 50)
        t = ds.createVariable("ocean_time", "f8", ("ocean_time",))
        t.units = "seconds since 2023-10-22 00:00:00"
        t[:] = [3600.0 * (i + 1)]
        for name, s in spec.items():
            dims = ("ocean_time",) + ("s_rho", "eta_rho", "xi_rho")[4 - len(s["chunks"]):]
            v = ds.createVariable(name, s["dtype"], dims, zlib=True, complevel=1, shuffle=s["shuffle"], chunksizes=s["chunks"])
            shape = [1] + [len(ds.dimensions[d]) for d in dims[1:]]
            data = (np.arange(np.prod(shape)).reshape(shape) % 997) * 0.25 + i + rng.normal(0, 0.01, shape)
            v[:] = data.astype(s["dtype"])
    print(p)
`;
  return execFileSync("/usr/bin/python3", ["-c", script, dir, String(n), JSON.stringify(spec)], { encoding: "utf8" }).trim().split("\n");
}

/** blosc header of a stored chunk: [version, versionlz, flags, typesize, nbytes, blocksize, cbytes]. */
function bloscHeader(path: string): { flags: number; typesize: number; nbytes: number; blocksize: number } {
  const b = readFileSync(path);
  return { flags: b[2] ?? 0, typesize: b[3] ?? 0, nbytes: b.readUInt32LE(4), blocksize: b.readUInt32LE(8) };
}

describe("NetCDF-4 chunks written through", () => {
  const spec = {
    temp: { dtype: "f4", chunks: [1, 1, 30, 50], shuffle: true },
    salt: { dtype: "f8", chunks: [1, 2, 30, 50], shuffle: true },
    zeta: { dtype: "i2", chunks: [1, 30, 50], shuffle: true },
    u: { dtype: "f4", chunks: [1, 1, 30, 50], shuffle: false },
    // Do not tile a step (half rows; uneven edge chunks in every dimension, as netCDF-C's
    // default chunking gives ROMS files): assembled in a recycled step buffer (readStepInto).
    v: { dtype: "f4", chunks: [1, 1, 15, 25], shuffle: true },
    w: { dtype: "f8", chunks: [1, 3, 16, 20], shuffle: true },
    ubar: { dtype: "i2", chunks: [1, 16, 20], shuffle: false },
  };
  let files: string[] = [];

  it("the reader offers stored blocks only where chunks tile a step", async () => {
    files = makeFiles(join(tmp.path, "src"), 3, spec);
    const src = await openSource(files[0] as string);
    try {
      const blocks = await src.stepBlocks?.("temp", 0);
      expect(blocks).toMatchObject({ blockBytes: 30 * 50 * 4, count: 4 });
      const one = await blocks?.read(2);
      expect(one?.shuffled).toBe(true);
      expect((await src.stepBlocks?.("salt", 0))?.blockBytes).toBe(2 * 30 * 50 * 8);
      expect((await src.stepBlocks?.("u", 0)) === undefined).toBe(false);
      expect((await (await src.stepBlocks?.("u", 0))?.read(0))?.shuffled).toBe(false);
      expect(await src.stepBlocks?.("v", 0)).toBeUndefined();
    } finally {
      src.close();
    }
  });

  it("a step whose chunks do not tile it is assembled in place, equal to the hyperslab read", async () => {
    const src = await openSource(files[1] as string);
    try {
      for (const [name, inner, size] of [["v", [4, 30, 50], 4], ["w", [4, 30, 50], 8], ["ubar", [30, 50], 2]] as const) {
        const step = new Uint8Array(size * inner.reduce((a: number, b: number) => a * b, 1));
        expect(await src.readStepInto?.(name, 0, step)).toBe(true);
        const want = await src.read(name, [0, ...inner.map(() => 0)], [1, ...inner]);
        expect(Buffer.from(step).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength))).toBe(true);
      }
      // A buffer that is not one step is refused, not overrun.
      expect(await src.readStepInto?.("w", 0, new Uint8Array(8))).toBe(false);
    } finally {
      src.close();
    }
  });

  for (const codec of ["blosc-lz4", "zlib", "none"] as const) {
    for (const concurrency of [0, 2]) {
      it(`${codec}, ${concurrency === 0 ? "inline" : "worker threads"}: xarray reads the store exactly as the sources`, async () => {
        const store = join(tmp.path, `${codec}-${concurrency}.zarr`);
        const r = await ingest({ store, inputs: files, encoding: { codec }, concurrency });
        expect(r.files.map((f) => f.status)).toEqual(["ingested", "ingested", "ingested"]);
        if (codec === "blosc-lz4") {
          // One blosc block per HDF5 chunk, shuffle flag set (0x01), typesize of the element.
          expect(bloscHeader(join(store, "temp", "1.0.0.0"))).toMatchObject({ typesize: 4, nbytes: 4 * 30 * 50 * 4, blocksize: 30 * 50 * 4 });
          expect(bloscHeader(join(store, "salt", "0.0.0.0"))).toMatchObject({ typesize: 8, blocksize: 2 * 30 * 50 * 8 });
          expect(bloscHeader(join(store, "zeta", "2.0.0")).flags & 1).toBe(1);
        }
        const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
        expect(cmp.detail).toBe("");
      });
    }
  }
});
