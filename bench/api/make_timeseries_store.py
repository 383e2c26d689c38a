"""Writes the benchmark store with xarray: a ROMS-like curvilinear grid (2-D lon_rho/lat_rho,
mask_rho) and zeta over many hourly steps, one time step per chunk as dmac's ingest writes it.

Usage: make_timeseries_store.py <store> <steps> <ny> <nx>
"""
import sys

import numpy as np
import pandas as pd
import xarray as xr


def main() -> None:
    path, nt, ny, nx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    j, i = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    lon = -77.0 + 0.01 * i + 0.002 * j
    lat = 36.5 + 0.01 * j + 0.001 * i
    mask = np.where((i < nx // 10) & (j < ny // 3), 0.0, 1.0)
    t = np.arange(nt)[:, None, None]
    zeta = (0.5 * np.sin(t / 12.42 * 2 * np.pi + i / 50) + 0.01 * j).astype("float32")
    zeta = np.where(mask[None] == 0, np.nan, zeta).astype("float32")
    ds = xr.Dataset(
        {"zeta": (("ocean_time", "eta_rho", "xi_rho"), zeta, {"long_name": "free-surface", "units": "meter", "coordinates": "lon_rho lat_rho ocean_time"})},
        coords={
            "ocean_time": ("ocean_time", pd.date_range("2024-01-01", periods=nt, freq="h")),
            "lon_rho": (("eta_rho", "xi_rho"), lon, {"standard_name": "longitude", "units": "degree_east"}),
            "lat_rho": (("eta_rho", "xi_rho"), lat, {"standard_name": "latitude", "units": "degree_north"}),
            "mask_rho": (("eta_rho", "xi_rho"), mask, {"long_name": "mask on RHO-points"}),
        },
        attrs={"title": "benchmark ROMS-like grid"},
    )
    ds.to_zarr(path, mode="w", consolidated=True, encoding={"zeta": {"chunks": (1, ny, nx)}})


if __name__ == "__main__":
    main()
