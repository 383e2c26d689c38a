"""Writes a regular-grid Zarr v2 store with xarray (the reference writer): 1-D lat/lon with
longitudes 0..358, a surface field with NaN cells and a field on depth levels.

Usage: make_regular.py <store path> [<time steps> <ny> <nx>]
"""
import sys

import numpy as np
import pandas as pd
import xarray as xr


def main() -> None:
    path = sys.argv[1]
    nt, ny, nx = (int(a) for a in sys.argv[2:5]) if len(sys.argv) > 4 else (4, 11, 180)
    lon = np.linspace(0, 360, nx, endpoint=False)
    lat = np.linspace(-10, 10, ny)
    depth = np.array([0.0, 10.0, 50.0])
    time = pd.date_range("2023-10-22T00:00:00", periods=nt, freq="h")
    t, y, x = np.meshgrid(np.arange(nt), lat, lon, indexing="ij")
    sst = (20 + 0.1 * y + 0.01 * x + 0.5 * t).astype("float32")
    sst[:, 0, ::7] = np.nan  # some missing cells
    temp = (sst[:, None, :, :] - depth[None, :, None, None] * 0.1).astype("float32")
    ds = xr.Dataset(
        {
            "sst": (("time", "lat", "lon"), sst, {"long_name": "sea surface temperature", "units": "degC", "standard_name": "sea_surface_temperature"}),
            "temp": (("time", "depth", "lat", "lon"), temp, {"long_name": "sea water temperature", "units": "degC", "standard_name": "sea_water_temperature"}),
        },
        coords={
            "time": ("time", time),
            "depth": ("depth", depth, {"units": "m", "positive": "down"}),
            "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude"}),
            "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude"}),
        },
        attrs={"title": "regular test grid"},
    )
    ds.to_zarr(path, mode="w", consolidated=True, encoding={"sst": {"chunks": (1, ny, nx)}, "temp": {"chunks": (1, 3, ny, nx)}})


if __name__ == "__main__":
    main()
