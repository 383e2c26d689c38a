"""What xarray answers for a point: the nearest cell of a variable's grid, all time steps.

Regular grids: `.sel(lat=, lon=, method="nearest")`, with the query longitude moved into the
grid's convention first (the usual xarray recipe for 0..360 grids). Curvilinear and
unstructured grids: xarray has no index for them, so the nearest wet cell by great-circle
distance (haversine), ties to the lowest flat index (numpy argmin).

Usage: xarray_point.py '<json>' with a list of {"store", "variable", "lon", "lat", "grid":
{"kind", "lon", "lat", "mask"?}, "drop"?: [...]}. Prints a list of {"times", "values"
([time][level]), "lon", "lat"}, one per query (one Python start for all of them).
"""
import json
import math
import sys

import numpy as np
import xarray as xr


def point(spec: dict) -> dict:
    ds = xr.open_zarr(spec["store"], consolidated=True, drop_variables=spec.get("drop", []))
    var = ds[spec["variable"]]
    grid = spec["grid"]
    qlon, qlat = float(spec["lon"]), float(spec["lat"])
    if grid["kind"] == "regular":
        glon = ds[grid["lon"]]
        if float(glon.max()) > 180:
            qlon = qlon % 360
        point = var.sel({grid["lat"]: qlat, grid["lon"]: qlon}, method="nearest")
        plon, plat = float(point[grid["lon"]]), float(point[grid["lat"]])
    else:
        lon = np.asarray(ds[grid["lon"]].values, dtype="float64")
        lat = np.asarray(ds[grid["lat"]].values, dtype="float64")
        rl, rq = np.radians(lat), math.radians(qlat)
        dl = np.radians(lon - qlon)
        a = np.sin((rl - rq) / 2) ** 2 + np.cos(rl) * math.cos(rq) * np.sin(dl / 2) ** 2
        dist = 2 * np.arcsin(np.sqrt(np.minimum(1, a)))
        if grid.get("mask"):
            dist = np.where(np.asarray(ds[grid["mask"]].values) == 0, np.inf, dist)
        flat = int(np.argmin(dist))
        index = np.unravel_index(flat, lon.shape)
        dims = ds[grid["lon"]].dims
        point = var.isel({d: int(i) for d, i in zip(dims, index)})
        plon, plat = float(lon[index]), float(lat[index])
    point = point.load()
    time_dim = point.dims[0]
    values = point.values.reshape(point.sizes[time_dim], -1)
    return {
        "times": [str(np.datetime_as_string(t, unit="ms")) + "Z" for t in point[time_dim].values],
        "values": [[None if np.isnan(v) else float(v) for v in row] for row in values],
        "dtype": str(point.dtype),
        "lon": plon,
        "lat": plat,
    }


def main() -> None:
    print(json.dumps([point(spec) for spec in json.loads(sys.argv[1])]))


if __name__ == "__main__":
    main()
