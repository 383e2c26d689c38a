"""xarray's side of the time-series benchmark: the dataset is opened once (outside the timing),
then per query the nearest wet cell (haversine over lon_rho/lat_rho with mask_rho, as the data
API does) and all time steps at it, loaded. Prints per-query milliseconds and the first values.

Usage: xarray_timeseries.py <store> '<json [[lon, lat], ...]>' [--cold]
With --cold the timing of the first query includes opening the dataset (a fresh process: nothing
read yet), the xarray counterpart of the data API's cold column; only the first point is asked.
"""
import json
import math
import sys
import time

import numpy as np
import xarray as xr


def main() -> None:
    cold = "--cold" in sys.argv[3:]
    opened = time.perf_counter()
    ds = xr.open_zarr(sys.argv[1], consolidated=True)
    open_ms = (time.perf_counter() - opened) * 1000
    points = json.loads(sys.argv[2])[:1] if cold else json.loads(sys.argv[2])
    grid_start = time.perf_counter()
    lon = ds["lon_rho"].values.astype("float64")
    lat = ds["lat_rho"].values.astype("float64")
    wet = ds["mask_rho"].values != 0
    if cold:
        open_ms += (time.perf_counter() - grid_start) * 1000
    timings, firsts = [], []
    for qlon, qlat in points:
        start = time.perf_counter()
        rq = math.radians(qlat)
        a = np.sin((np.radians(lat) - rq) / 2) ** 2 + np.cos(np.radians(lat)) * math.cos(rq) * np.sin(np.radians(lon - qlon) / 2) ** 2
        dist = np.where(wet, a, np.inf)
        j, i = np.unravel_index(int(np.argmin(dist)), lon.shape)
        series = ds["zeta"].isel(eta_rho=int(j), xi_rho=int(i)).values
        timings.append((time.perf_counter() - start) * 1000 + (open_ms if cold else 0))
        firsts.append([None if np.isnan(v) else float(v) for v in series[:3]])
    print(json.dumps({"ms": timings, "firsts": firsts, "steps": int(ds.sizes["ocean_time"])}))


if __name__ == "__main__":
    main()
