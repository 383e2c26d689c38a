"""Checks a store's overview levels against numpy block means computed here, independently of dmac.

usage: overview_check.py '{"store": "...", "group": "", "concatDim": "ocean_time", "reference": "..." (optional)}'

For the data group (the root by default) it reads the `multiscales` layout of the group's
attributes, opens level 0 and each level k with `xr.open_zarr(store, group=...)`, and for every
variable of the level whose last two dimensions are horizontal (`dmac:shape`) computes the
expected level from level 0 with numpy:
  - masks (`mask_*`): 1 where the 2^k x 2^k block has a water cell;
  - coordinates (`lon_*`, `lat_*`, standard_name longitude/latitude): mean of every cell
    (longitudes unwrapped per block, compared modulo 360);
  - everything else: mean of the decoded values that are finite and on water (mask_<grid> == 1,
    the grid named by the dimension suffix, eta_u -> mask_u), NaN where there is none.
Blocks are clipped at the edges. With "reference" (a store of the same files, with or without overviews),
level 0 must equal its level 0 (assert_identical) once the multiscales attributes are dropped.
Prints {"errors": [...], "checked": {"1": [...], ...}, "levels": K, "times": {...}}.
"""
import json
import sys

import numpy as np
import xarray as xr
import zarr

spec = json.loads(sys.argv[1])
store, group = spec["store"], spec.get("group", "")
prefix = f"{group}/" if group else ""
errors = []


def block(a, f, valid):
    """Sum and count of the valid cells of each f x f block of the last two axes (clipped at the edges)."""
    ny, nx = a.shape[-2:]
    py, px = (-ny) % f, (-nx) % f
    pad = [(0, 0)] * (a.ndim - 2) + [(0, py), (0, px)]
    v = np.pad(np.where(valid, a, 0.0).astype("f8"), pad)
    w = np.pad(valid.astype("f8"), pad)
    shape = a.shape[:-2] + ((ny + py) // f, f, (nx + px) // f, f)
    return v.reshape(shape).sum(axis=(-3, -1)), w.reshape(shape).sum(axis=(-3, -1))


def block1d(a, f):
    n = a.shape[0]
    p = (-n) % f
    v = np.pad(a.astype("f8"), (0, p)).reshape(-1, f).sum(axis=1)
    w = np.pad(np.ones(n), (0, p)).reshape(-1, f).sum(axis=1)
    return v / w


root = zarr.open_consolidated(store, mode="r")
attrs = dict(root[group].attrs) if group else dict(root.attrs)
ms = attrs.get("multiscales")
if ms is None:
    print(json.dumps({"errors": ["no multiscales attribute"], "checked": {}, "levels": 0}))
    sys.exit(0)
layout = ms["layout"]
level0 = xr.open_zarr(store, group=group or None, consolidated=True)
horizontal = set(layout[0]["dmac:shape"].keys())
checked = {}
times = {}


def is_longitude(name, var):
    return name.startswith("lon") or var.attrs.get("standard_name") == "longitude"


def lon_block_mean(a, f):
    """Mean of each f x f block of longitudes, each value unwrapped to within 180 degrees of the block's first."""
    ny, nx = a.shape[-2:]
    out = np.full((-(-ny // f), -(-nx // f)), np.nan)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            b = a[i * f : (i + 1) * f, j * f : (j + 1) * f].ravel()
            b = b[np.isfinite(b)]
            if b.size:
                out[i, j] = np.mean(b[0] + np.mod(b - b[0] + 180, 360) - 180)
    return out


def is_coord(name, var):
    return name.startswith(("lon", "lat")) or var.attrs.get("standard_name") in ("longitude", "latitude")


for k, entry in enumerate(layout[1:], start=1):
    f = 2**k
    path = prefix + entry["asset"]
    lv = xr.open_zarr(store, group=path, consolidated=True)
    checked[str(k)] = []
    tdim = spec.get("concatDim", "ocean_time")
    if tdim not in lv.variables or not np.array_equal(lv[tdim].values, level0[tdim].values):
        errors.append(f"level {k}: time coordinate {tdim} is not level 0's")
    else:
        times[str(k)] = len(lv[tdim])
    for dim, size in entry["dmac:shape"].items():
        if lv.sizes.get(dim, size) != size:
            errors.append(f"level {k}: {dim} has {lv.sizes.get(dim)} cells, dmac:shape says {size}")
    for name in list(lv.variables):
        var = lv[name]
        if var.ndim == 0 or var.dims[-1] not in horizontal:
            continue
        src = level0[name]
        if src.dims != var.dims:
            errors.append(f"level {k} {name}: dims {var.dims}, level 0 {src.dims}")
            continue
        a = src.values
        if var.ndim == 1 and is_longitude(name, src):
            expected = lon_block_mean(a[np.newaxis, :], f)[0]
        elif var.ndim == 1:
            expected = block1d(a, f)
        elif name.startswith("mask"):
            s, _ = block(a, f, np.ones(a.shape, bool))
            _, n = block(a, f, np.isfinite(a) & (a != 0))
            expected = (n > 0).astype("f8")
        elif is_longitude(name, src):
            expected = lon_block_mean(a, f)
        elif is_coord(name, src):
            s, n = block(a, f, np.ones(a.shape, bool))
            expected = s / n
        else:
            ydim = src.dims[-2]
            mask_name = "mask_" + ydim.split("_", 1)[1] if "_" in ydim else None
            valid = np.isfinite(a)
            if mask_name in level0:
                valid = valid & (level0[mask_name].values == 1)
            s, n = block(a, f, valid)
            with np.errstate(invalid="ignore", divide="ignore"):
                expected = np.where(n > 0, s / np.maximum(n, 1), np.nan)
        actual = var.values.astype("f8")
        if actual.shape != expected.shape:
            errors.append(f"level {k} {name}: shape {actual.shape}, numpy {expected.shape}")
            continue
        if not np.array_equal(np.isnan(actual), np.isnan(expected)):
            errors.append(f"level {k} {name}: NaN at {int((np.isnan(actual) != np.isnan(expected)).sum())} cells differ from numpy")
            continue
        ok = np.isfinite(expected)
        if is_longitude(name, src):
            # Longitudes compare modulo 360 (dmac puts them in level 0's range, numpy's are unwrapped per block).
            actual = expected + (np.mod(actual - expected + 180, 360) - 180)
        if not np.allclose(actual[ok], expected[ok], rtol=2e-6, atol=1e-6):
            worst = float(np.max(np.abs(actual[ok] - expected[ok])))
            errors.append(f"level {k} {name}: differs from the numpy block mean by up to {worst}")
            continue
        checked[str(k)].append(name)

if "reference" in spec:
    ref = xr.open_zarr(spec["reference"], group=group or None, consolidated=True).load()
    got = level0.load()
    for ds in (got, ref):
        ds.attrs = {k: v for k, v in ds.attrs.items() if k not in ("multiscales", "zarr_conventions")}
    try:
        xr.testing.assert_identical(got, ref)
    except AssertionError as err:
        errors.append("level 0 differs from the store without overviews: " + str(err)[:2000])

print(json.dumps({"errors": errors, "checked": checked, "levels": len(layout) - 1, "times": times}))
