"""xarray's side of bench/scale/api.ts: the same three EDR queries on the same Zarr store, with
xarray + dask (xr.open_zarr: one dask chunk per Zarr chunk, loaded by dask's threaded scheduler).

  position  nearest wet cell (haversine over lon_rho/lat_rho with mask_rho, as the data API's
            k-d tree finds it), then every time step and level there
  area      wet cells whose centre lies inside the polygon (even-odd rule, as the data API), at
            one level, every time step
  cube      wet cells inside the bbox, at a few levels, every time step

Usage: api_xarray.py SPEC.json [--cold KIND]
SPEC: {"store", "position": {"parameter", "points": [[lon, lat], ...]},
       "area": {"parameter", "level", "polygons": [[[lon, lat], ...], ...]},
       "cube": {"parameter", "levels": [...], "bboxes": [[minx, miny, maxx, maxy], ...]}}
Without --cold: the dataset is opened once (untimed), then every query of every kind is timed.
With --cold KIND: a fresh process times opening the store, reading the grid and the first query
of that kind (the counterpart of the data API's first query on a fresh server).
Prints JSON {kind: [{"ms", "count", "sum"}, ...]}: count and sum of the non-NaN values, to check
both sides selected the same cells.
"""
import json
import math
import sys
import time

import numpy as np
import xarray as xr


def inside(lon, lat, ring):
    """Even-odd rule over the ring's edges, vectorised over cells (the data API's inPolygon)."""
    x, y = lon, lat
    result = np.zeros(x.shape, dtype=bool)
    n = len(ring)
    for k in range(n):
        x1, y1 = ring[k]
        x2, y2 = ring[(k + 1) % n]
        if y1 == y2:
            continue
        crosses = ((y1 > y) != (y2 > y)) & (x < (x2 - x1) * (y - y1) / (y2 - y1) + x1)
        result ^= crosses
    return result


class Grid:
    def __init__(self, ds):
        self.lon = ds["lon_rho"].values.astype("float64")
        self.lat = ds["lat_rho"].values.astype("float64")
        self.wet = ds["mask_rho"].values != 0


def summary(values):
    v = np.asarray(values, dtype="float64")
    ok = ~np.isnan(v)
    return int(ok.sum()), float(v[ok].sum())


def position(ds, grid, spec, point):
    qlon, qlat = point
    rq = math.radians(qlat)
    lat_r = np.radians(grid.lat)
    a = np.sin((lat_r - rq) / 2) ** 2 + np.cos(lat_r) * math.cos(rq) * np.sin(np.radians(grid.lon - qlon) / 2) ** 2
    j, i = np.unravel_index(int(np.argmin(np.where(grid.wet, a, np.inf))), grid.lon.shape)
    return ds[spec["parameter"]].isel(eta_rho=int(j), xi_rho=int(i)).values


def area(ds, grid, spec, polygon):
    jj, ii = np.nonzero(grid.wet & inside(grid.lon, grid.lat, polygon))
    cells = {"eta_rho": xr.DataArray(jj, dims="cell"), "xi_rho": xr.DataArray(ii, dims="cell")}
    return ds[spec["parameter"]].isel(s_rho=spec["level"], **cells).values


def cube(ds, grid, spec, bbox):
    minx, miny, maxx, maxy = bbox
    sel = grid.wet & (grid.lon >= minx) & (grid.lon <= maxx) & (grid.lat >= miny) & (grid.lat <= maxy)
    jj, ii = np.nonzero(sel)
    # The box of rows and columns the cells span, read as one slab, then the cells picked from it.
    slab = ds[spec["parameter"]].isel(s_rho=spec["levels"], eta_rho=slice(jj.min(), jj.max() + 1), xi_rho=slice(ii.min(), ii.max() + 1)).values
    return slab[:, :, jj - jj.min(), ii - ii.min()]


QUERIES = {"position": (position, "points"), "area": (area, "polygons"), "cube": (cube, "bboxes")}


def main():
    spec = json.load(open(sys.argv[1]))
    cold = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--cold" else None
    started = time.perf_counter()
    ds = xr.open_zarr(spec["store"], consolidated=True)
    grid = Grid(ds)
    opened_ms = (time.perf_counter() - started) * 1000
    out = {}
    for kind, (run, key) in QUERIES.items():
        if cold is not None and kind != cold:
            continue
        items = spec[kind][key][:1] if cold else spec[kind][key]
        results = []
        for item in items:
            t0 = time.perf_counter()
            values = run(ds, grid, spec[kind], item)
            ms = (time.perf_counter() - t0) * 1000 + (opened_ms if cold else 0)
            count, total = summary(values)
            results.append({"ms": ms, "count": count, "sum": total})
        out[kind] = results
    print(json.dumps(out))


if __name__ == "__main__":
    main()
