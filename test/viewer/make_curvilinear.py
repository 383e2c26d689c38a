"""Writes a curvilinear Zarr v2 store with xarray (the reference writer): a rotated ny x nx
ROMS-like grid (2-D lon_rho/lat_rho, mask_rho with a land corner) and a float32 field `zeta`
on it, for the viewer's rendering-time measurement.

Usage: make_curvilinear.py <store path> <time steps> <ny> <nx>
"""
import sys

import numpy as np
import pandas as pd
import xarray as xr


def main() -> None:
    path = sys.argv[1]
    nt, ny, nx = (int(a) for a in sys.argv[2:5])
    j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    # Rotated by 30 degrees, so no row or column is a parallel or a meridian.
    lon = -76.0 + 0.004 * i * np.cos(np.pi / 6) - 0.004 * j * np.sin(np.pi / 6)
    lat = 37.0 + 0.004 * i * np.sin(np.pi / 6) + 0.004 * j * np.cos(np.pi / 6)
    mask = np.ones((ny, nx))
    mask[: ny // 5, : nx // 5] = 0
    t = np.arange(nt)[:, None, None]
    zeta = (np.sin(i / 25.0)[None] * np.cos(j / 40.0)[None] + 0.1 * t).astype("float32")
    zeta = np.where(mask[None] == 1, zeta, np.nan).astype("float32")
    ds = xr.Dataset(
        {"zeta": (("ocean_time", "eta_rho", "xi_rho"), zeta, {"long_name": "free-surface", "units": "meter"})},
        coords={
            "ocean_time": ("ocean_time", pd.date_range("2023-10-22T00:00:00", periods=nt, freq="h")),
            "lon_rho": (("eta_rho", "xi_rho"), lon, {"units": "degree_east", "standard_name": "longitude"}),
            "lat_rho": (("eta_rho", "xi_rho"), lat, {"units": "degree_north", "standard_name": "latitude"}),
            "mask_rho": (("eta_rho", "xi_rho"), mask, {"flag_meanings": "land water"}),
        },
        attrs={"title": "curvilinear %d x %d" % (ny, nx)},
    )
    ds["zeta"].attrs["coordinates"] = "lon_rho lat_rho"
    ds.to_zarr(path, mode="w", consolidated=True, encoding={"zeta": {"chunks": (1, ny, nx)}})


if __name__ == "__main__":
    main()
