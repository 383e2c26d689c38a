// A NaN _FillValue (what xarray writes for floats by default) survives the ledger: the ledger is
// JSON where Zarr spells NaN as "NaN", and a later ingest into the same store must still see the
// dataset's fill value as NaN, not refuse its own next file.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ingest } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Writes one step of a small field with _FillValue = NaN, via netCDF4. */
function nanFillFile(hour: number): string {
  const path = join(tmp.path, `nanfill_${hour}.nc`);
  const script = `
import sys, numpy as np, netCDF4
ds = netCDF4.Dataset(sys.argv[1], "w", format="NETCDF4")
ds.createDimension("time", None); ds.createDimension("y", 2); ds.createDimension("x", 3)
t = ds.createVariable("time", "f8", ("time",)); t.units = "hours since 2023-10-22 00:00:00"; t[:] = [float(sys.argv[2])]
lat = ds.createVariable("lat", "f4", ("y", "x")); lat.units = "degrees_north"; lat[:] = np.arange(6).reshape(2, 3)
lon = ds.createVariable("lon", "f4", ("y", "x")); lon.units = "degrees_east"; lon[:] = -70 - np.arange(6).reshape(2, 3)
v = ds.createVariable("sst", "f4", ("time", "y", "x"), fill_value=np.float32("nan"))
v.units = "degC"; v.coordinates = "lat lon"
v[0] = np.array([[1, 2, np.nan], [4, 5, 6]], dtype="f4") + float(sys.argv[2])
ds.close()`;
  execFileSync("/usr/bin/python3", ["-c", script, path, String(hour)]);
  return path;
}

describe("NaN fill values", () => {
  it("a second ingest into a store with NaN fill values appends instead of refusing", async () => {
    const store = join(tmp.path, "nanfill.zarr");
    const first = await ingest({ store, inputs: [nanFillFile(1)], concurrency: 0 });
    expect(first.files.map((f) => f.status)).toEqual(["ingested"]);
    const second = await ingest({ store, inputs: [nanFillFile(2)], concurrency: 0 });
    expect(second.files.map((f) => [f.status, f.reason])).toEqual([["ingested", undefined]]);
    expect(second.lengths[""]).toBe(2);
    const cmp = await compareWithXarray({ store, concatDim: "time", sources: [[join(tmp.path, "nanfill_1.nc"), 0], [join(tmp.path, "nanfill_2.nc"), 0]] });
    expect(cmp.detail).toBe("");
  });
});
