"""Writes an FVCOM-like Zarr v2 store with xarray: a planar triangular mesh (a 4 x 4 block of
nodes, each square split into two triangles), 1-based nv(three, nele) as FVCOM writes it, `zeta`
on nodes and `u` on elements, three hourly steps.

Usage: make_fvcom.py <store path>
"""
import sys

import numpy as np
import pandas as pd
import xarray as xr


def main() -> None:
    path = sys.argv[1]
    n = 4
    j, i = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    lon = (-90.5 + 0.02 * i + 0.003 * j).ravel()
    lat = (28.5 + 0.02 * j + 0.002 * i).ravel()
    tris = []
    for jj in range(n - 1):
        for ii in range(n - 1):
            a = jj * n + ii
            tris += [(a, a + 1, a + n + 1), (a, a + n + 1, a + n)]
    tri = np.array(tris)
    nv = (tri.T + 1).astype("int32")  # (three, nele), 1-based
    lonc = lon[tri].mean(axis=1)
    latc = lat[tri].mean(axis=1)
    nt = 3
    t = np.arange(nt)[:, None]
    zeta = (0.1 * np.arange(n * n)[None, :] + 0.05 * t).astype("float32")
    u = (0.01 * np.arange(len(tri))[None, :] - 0.1 + 0.02 * t).astype("float32")
    ds = xr.Dataset(
        {
            "zeta": (("time", "node"), zeta, {"long_name": "Water Surface Elevation", "units": "meters", "coordinates": "lat lon"}),
            "u": (("time", "nele"), u, {"long_name": "Eastward Water Velocity", "units": "meters s-1", "coordinates": "latc lonc"}),
            "nv": (("three", "nele"), nv, {"long_name": "nodes surrounding element"}),
        },
        coords={
            "time": ("time", pd.date_range("2023-10-22T01:00:00", periods=nt, freq="h")),
            "lon": ("node", lon, {"units": "degrees_east", "standard_name": "longitude"}),
            "lat": ("node", lat, {"units": "degrees_north", "standard_name": "latitude"}),
            "lonc": ("nele", lonc, {"units": "degrees_east", "standard_name": "longitude"}),
            "latc": ("nele", latc, {"units": "degrees_north", "standard_name": "latitude"}),
        },
        attrs={"title": "FVCOM-like planar mesh"},
    )
    ds.to_zarr(path, mode="w", consolidated=True)


if __name__ == "__main__":
    main()
