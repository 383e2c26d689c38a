"""Compares a derived store with xarray computing the same transform on the source store.

Usage: derive_check.py JSON with source, derived, variable, period (pandas frequency, e.g. "1D"),
statistic (max|min|mean), optional isel ({"s_rho": -1}) and offset (pandas offset string, e.g.
"5H" for periods starting at 05:00 UTC). Prints JSON: ok, detail, times, counts.
Max and min must be equal bit for bit; a mean equal to float32 precision (xarray sums float32 in
float32, the transform in float64)."""
import json
import sys

import numpy as np
import xarray as xr

spec = json.loads(sys.argv[1])
src = xr.open_zarr(spec["source"], consolidated=True)
out = xr.open_zarr(spec["derived"], consolidated=True)
var = spec["variable"]
da = src[var]
if spec.get("isel"):
    da = da.isel(**spec["isel"])
kw = {}
if spec.get("offset"):
    kw["offset"] = spec["offset"]
res = da.resample(ocean_time=spec["period"], **kw)
expected = getattr(res, spec["statistic"])()
# Periods without a step are not derived (xarray gives them NaN rows); compare those that have steps.
counts = src.ocean_time.resample(ocean_time=spec["period"], **kw).count()
expected = expected.sel(ocean_time=counts.ocean_time[counts.values > 0])
got = out[var]
detail = []
if list(got.dims) != list(expected.dims):
    detail.append(f"dims {got.dims} != {expected.dims}")
if got.dtype != expected.dtype:
    detail.append(f"dtype {got.dtype} != {expected.dtype}")
if not np.array_equal(got.ocean_time.values, expected.ocean_time.values):
    detail.append(f"times {got.ocean_time.values} != {expected.ocean_time.values}")
elif spec["statistic"] == "mean":
    if not np.allclose(got.values, expected.values, rtol=2e-6, atol=0, equal_nan=True):
        detail.append(f"values differ: max abs diff {np.nanmax(np.abs(got.values - expected.values))}")
elif not np.array_equal(got.values, expected.values, equal_nan=True):
    detail.append(f"values differ at {int(np.sum(~((got.values == expected.values) | (np.isnan(got.values) & np.isnan(expected.values)))))} cells")
got_counts = out[f"ocean_time_count"].values.tolist()
want_counts = [int(c) for c in counts.values if c > 0]
if got_counts != want_counts:
    detail.append(f"counts {got_counts} != {want_counts}")
print(json.dumps({
    "ok": not detail,
    "detail": "; ".join(detail),
    "times": [str(t)[:19] for t in got.ocean_time.values],
    "complete": out["ocean_time_complete"].values.tolist(),
    "cell_methods": got.attrs.get("cell_methods", ""),
    "source": out.attrs.get("dmac_source", ""),
}))
