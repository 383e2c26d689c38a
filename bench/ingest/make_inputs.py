"""Benchmark inputs: NetCDF-4 files shaped like NOS OFS output, one time step per file,
a 24-level 500x500 float32 field in zlib level-1 chunks with shuffle (as NOAA writes them).

Usage: make_inputs.py OUTDIR [NFILES=40]  (40 files = 960 MB uncompressed)
"""
import os
import sys

import netCDF4
import numpy as np


def main() -> None:
    out = sys.argv[1]
    nfiles = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    os.makedirs(out, exist_ok=True)
    ny = nx = 500
    nz = 24
    yy, xx = np.meshgrid(np.linspace(0, 6, ny), np.linspace(0, 6, nx), indexing="ij")
    rng = np.random.default_rng(42)
    for i in range(nfiles):
        path = os.path.join(out, f"nos.bench.fields.f{i + 1:03d}.20231022.t00z.nc")
        if os.path.exists(path):
            continue
        with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
            ds.createDimension("ocean_time", None)
            ds.createDimension("s_rho", nz)
            ds.createDimension("eta_rho", ny)
            ds.createDimension("xi_rho", nx)
            t = ds.createVariable("ocean_time", "f8", ("ocean_time",))
            t.units = "seconds since 2016-01-01 00:00:00"
            t[:] = [246326400.0 + 3600.0 * (i + 1)]
            v = ds.createVariable("temp", "f4", ("ocean_time", "s_rho", "eta_rho", "xi_rho"), zlib=True, complevel=1, shuffle=True, chunksizes=(1, 1, ny, nx), fill_value=np.float32(1e37))
            v.units = "Celsius"
            base = 15 + 3 * np.sin(yy + 0.1 * i) * np.cos(xx)
            data = np.stack([base - 0.4 * k for k in range(nz)])[None].astype("f4")
            data += rng.normal(0, 0.05, data.shape).astype("f4")
            v[:] = np.round(data, 3)
    print(out)


if __name__ == "__main__":
    main()
