"""xarray's side of the station-series benchmark: the store is opened once (outside the timing),
then per query one station's whole series, selected by its id (the store's station coordinate)
and loaded. Prints per-query milliseconds and each series' first values.

Usage: xarray_stations.py <store> <variable> '<json [station id, ...]>'
"""
import json
import sys
import time

import numpy as np
import xarray as xr


def main() -> None:
    ds = xr.open_zarr(sys.argv[1], consolidated=True)
    variable = sys.argv[2]
    ids = json.loads(sys.argv[3])
    timings, firsts = [], []
    for station in ids:
        start = time.perf_counter()
        series = ds[variable].sel(station=station).values
        timings.append((time.perf_counter() - start) * 1000)
        firsts.append([None if np.isnan(v) else float(v) for v in series[:3]])
    print(json.dumps({"ms": timings, "firsts": firsts, "steps": int(ds.sizes["time"])}))


if __name__ == "__main__":
    main()
