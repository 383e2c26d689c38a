"""Small helpers the DMAC notebooks share: reading the platform's catalog (STAC) and data (EDR)
APIs with plain HTTP, and opening a Dataset's Zarr store with xarray.

`Platform(api_base, storage_options)` takes the notebooks' two settings:
- api_base: the platform's viewer address, which serves the STAC API under /catalog and the
  EDR data API (with each Dataset's Zarr store) under /data;
- storage_options: how fsspec reads s3:// assets (on Nebari {"anon": False}: the pod's IAM role).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import requests
import xarray as xr

# FVCOM names siglay(siglay, node) like its first dimension, which xarray refuses; its float32
# `time` is only good to minutes and Itime2's units ("msec since 00:00:00") are not CF: the exact
# time is Itime (days) + Itime2 (ms) since 1858-11-17 (modified Julian days).
MJD_EPOCH = pd.Timestamp("1858-11-17")


class Platform:
    def __init__(self, api_base: str, storage_options: dict | None = None):
        self.api_base = api_base.rstrip("/")
        self.stac = f"{self.api_base}/catalog"
        self.edr = f"{self.api_base}/data"
        self.storage_options = storage_options or {}

    def get(self, url: str, **params) -> dict:
        response = requests.get(url, params=params or None, timeout=60)
        response.raise_for_status()
        return response.json()

    def edr_id(self, stac_collection: str) -> str:
        """The data API's collection for a STAC collection (the local platform prefixes the namespace)."""
        ids = [c["id"] for c in self.get(f"{self.edr}/collections")["collections"]]
        for candidate in ids:
            if candidate == stac_collection or candidate.endswith(f"-{stac_collection}"):
                return candidate
        raise LookupError(f"no data API collection for STAC collection {stac_collection!r} (have {ids})")

    def zarr_location(self, stac_collection: str) -> tuple[str, dict]:
        """Where to read a collection's Zarr store: its s3:// asset straight from the data lake
        (a cloud deployment), else the data API's Zarr passthrough (the local platform keeps its
        stores inside the platform: its assets are file:// paths under the operator's storage)."""
        collection = self.get(f"{self.stac}/collections/{stac_collection}")
        href = collection["assets"]["zarr"]["href"]
        if href.startswith("s3://"):
            return href, self.storage_options
        return f"{self.edr}/datasets/{self.edr_id(stac_collection)}/zarr", {}

    def open(self, stac_collection: str, chunks: dict | None = None) -> xr.Dataset:
        """The collection's Zarr store as an xarray Dataset (lazy: dask arrays)."""
        url, options = self.zarr_location(stac_collection)
        raw = xr.open_zarr(url, storage_options=options or None, consolidated=True, chunks=chunks or {}, decode_times=False, drop_variables=["siglay", "siglev"])
        if "Itime" in raw.variables and "Itime2" in raw.variables:
            time = MJD_EPOCH + pd.to_timedelta(raw.Itime.values, unit="D") + pd.to_timedelta(raw.Itime2.values, unit="ms")
            return raw.drop_vars(["Itime", "Itime2"]).assign_coords(time=("time", time))
        return xr.decode_cf(raw)

    def position(self, edr_collection: str, lon: float, lat: float, parameter: str) -> pd.Series:
        """An EDR position query's time series (CoverageJSON) as a pandas Series."""
        cov = self.get(f"{self.edr}/collections/{edr_collection}/position", coords=f"POINT({lon} {lat})", **{"parameter-name": parameter})
        times = pd.to_datetime(cov["domain"]["axes"]["t"]["values"]).tz_localize(None)
        values = np.array([np.nan if v is None else v for v in cov["ranges"][parameter]["values"]], dtype="float64")
        return pd.Series(values, index=times, name=parameter)


def nearest_wet_cell(ds: xr.Dataset, lon: float, lat: float) -> tuple[int, int]:
    """(eta, xi) of the ROMS water cell whose centre is nearest to lon/lat."""
    lon2 = ds.lon_rho.values
    lat2 = ds.lat_rho.values
    d = ((lon2 - lon) * np.cos(np.deg2rad(lat))) ** 2 + (lat2 - lat) ** 2
    d = np.where(ds.mask_rho.values == 1, d, np.inf)
    j, i = np.unravel_index(np.argmin(d), d.shape)
    return int(j), int(i)


def nearest_node(ds: xr.Dataset, lon: float, lat: float) -> int:
    """The FVCOM node nearest to lon/lat."""
    d = ((ds.lon.values - lon) * np.cos(np.deg2rad(lat))) ** 2 + (ds.lat.values - lat) ** 2
    return int(np.argmin(d))


def cell_corners(centres) -> np.ndarray:
    """Corners, shape (ny + 1, nx + 1), of a curvilinear grid's cells from their centres: the mean
    of the four centres around each corner, the grid extended linearly past its edges (as the
    viewer draws ROMS cells). `pcolormesh(corners(lon), corners(lat), field)` then draws every
    cell where the model has it, without matplotlib guessing edges from centres."""
    a = np.asarray(centres, dtype="float64")
    p = np.pad(a, 1, mode="edge")
    p[0, :] = 2 * p[1, :] - p[2, :]
    p[-1, :] = 2 * p[-2, :] - p[-3, :]
    p[:, 0] = 2 * p[:, 1] - p[:, 2]
    p[:, -1] = 2 * p[:, -2] - p[:, -3]
    return (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4
