"""Acceptance check: a Zarr store written by dmac equals the sources combined by xarray.

Usage: xarray_compare.py '<json>' with {"store", "group" (optional), "storageOptions" (optional), "concatDim",
"sources": [[path, index], ...]} - each source step in the expected order.
Prints {"identical": bool, "detail": str, "times": [...]}.
"""
import json
import sys

import xarray as xr


def compare(spec: dict, **kwargs) -> tuple:
    dim = spec["concatDim"]
    parts = []
    opened = {}
    for path, index in spec["sources"]:
        if path not in opened:
            opened[path] = xr.open_dataset(path, **kwargs)
        parts.append(opened[path].isel({dim: [index]}))
    expected = xr.concat(parts, dim=dim, data_vars="minimal", coords="minimal", compat="override", combine_attrs="override").load()
    if "storageOptions" in spec:
        # fsspec URLs, e.g. "reference://" with {"fo": "refs.json"} (kerchunk references), opened
        # the way the acceptance names it. chunks={} reads one Zarr chunk per request:
        # fsspec 2022.11 (Debian 12) returns the chunks of a multi-chunk read in the wrong order
        # when they point into several files whose URLs sort otherwise (docs/references.md).
        backend_kwargs = {"consolidated": True, "storage_options": spec["storageOptions"]}
        actual = xr.open_dataset(spec["store"], engine="zarr", group=spec.get("group"), chunks={}, backend_kwargs=backend_kwargs, **kwargs).load()
    else:
        actual = xr.open_zarr(spec["store"], group=spec.get("group"), consolidated=True, **kwargs).load()
    try:
        xr.testing.assert_identical(actual, expected)
    except AssertionError as err:
        return actual, str(err)[:4000]
    return actual, ""


def main() -> None:
    spec = json.loads(sys.argv[1])
    dim = spec["concatDim"]
    undecodable = spec.get("undecodable", [])
    # FVCOM's siglay(siglay, node) clashes with xarray's dimension coordinates in every backend;
    # scientists drop them on open, so the comparison does too (on both sides).
    drop = spec.get("drop", [])
    # Variables xarray cannot decode (FVCOM's "msec since 00:00:00") are compared raw, then
    # everything else with full CF decoding.
    _, detail = compare(spec, decode_times=False, drop_variables=drop) if undecodable else (None, "")
    actual, decoded_detail = compare(spec, drop_variables=drop + undecodable)
    detail = detail or decoded_detail
    print(json.dumps({
        "identical": detail == "",
        "detail": detail,
        "times": [str(t) for t in actual[dim].values],
        "nbytes": int(actual.nbytes),
    }))


if __name__ == "__main__":
    main()
