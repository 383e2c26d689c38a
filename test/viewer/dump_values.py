"""Prints arrays of a Zarr store as xarray decodes them (mask and scale applied), as JSON: the
viewer tests' reference values. NaN becomes null.

Usage: dump_values.py <store path> <array> [<array> ...]
"""
import json
import sys

import numpy as np
import xarray as xr


def main() -> None:
    # Arrays named like their first dimension but with more dimensions (FVCOM siglay(siglay, node))
    # cannot be xarray variables: leave them out.
    meta = json.load(open(f"{sys.argv[1]}/.zmetadata"))["metadata"]
    drop = [k[: -len("/.zattrs")] for k, v in meta.items() if k.endswith("/.zattrs") and len(v.get("_ARRAY_DIMENSIONS", [])) > 1 and k[: -len("/.zattrs")] in v["_ARRAY_DIMENSIONS"]]
    ds = xr.open_zarr(sys.argv[1], consolidated=True, decode_times=False, drop_variables=drop)
    out = {}
    for name in sys.argv[2:]:
        a = ds[name]
        v = np.asarray(a.values, dtype="float64")
        out[name] = {"dims": list(a.dims), "shape": list(v.shape), "values": [None if np.isnan(x) else float(x) for x in v.ravel()]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
