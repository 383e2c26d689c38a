"""Checks that two Zarr stores of the same cycle hold the same data (bench/scale/ingest.ts runs it on
our store and xarray's, so a speed-up that broke the data shows): every variable's dimensions and
shape, the values of the static ones and of the first, middle and last step of the others (all
steps with --all; reading 2 x 3.9 GB takes minutes here). Usage: compare.py STORE_A STORE_B [--all]"""
import sys

import numpy as np
import xarray as xr

a, b = (xr.open_zarr(s, consolidated=True) for s in sys.argv[1:3])
every = "--all" in sys.argv[3:]
names = sorted(set(a.variables) | set(b.variables))
problems = [n for n in names if n not in a.variables or n not in b.variables]
for n in names:
    if n in problems:
        continue
    x, y = a[n], b[n]
    if x.dims != y.dims or x.shape != y.shape:
        problems.append(f"{n}: {x.dims}{x.shape} vs {y.dims}{y.shape}")
        continue
    time_dim = next((d for d in x.dims if d in ("ocean_time", "MT", "time")), None)
    if time_dim is not None and not every and x.sizes[time_dim] > 3:
        steps = x.sizes[time_dim]
        x, y = (v.isel({time_dim: [0, steps // 2, steps - 1]}) for v in (x, y))
    if not np.array_equal(x.values, y.values, equal_nan=x.dtype.kind == "f"):
        problems.append(f"{n}: values differ")
if problems:
    sys.exit("stores differ: " + "; ".join(problems))
print(f"same: {len(names)} variables{'' if every else ' (first, middle and last steps)'}")
