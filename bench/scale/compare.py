"""Checks that two Zarr stores of the same cycle hold the same data (bench/scale/ingest.ts runs it on
our store and xarray's, so a speed-up that broke the data shows). Usage: compare.py STORE_A STORE_B"""
import sys

import numpy as np
import xarray as xr

a, b = (xr.open_zarr(s, consolidated=True) for s in sys.argv[1:3])
names = sorted(set(a.variables) | set(b.variables))
problems = [n for n in names if n not in a.variables or n not in b.variables]
for n in names:
    if n in problems:
        continue
    x, y = a[n], b[n]
    if x.dims != y.dims or x.shape != y.shape:
        problems.append(f"{n}: {x.dims}{x.shape} vs {y.dims}{y.shape}")
    elif not np.array_equal(x.values, y.values, equal_nan=x.dtype.kind == "f"):
        problems.append(f"{n}: values differ")
if problems:
    sys.exit("stores differ: " + "; ".join(problems))
print(f"same: {len(names)} variables, {a.sizes.get('ocean_time')} steps")
