"""The reference contender of bench/scale/ingest.ts: the same files into the same Zarr layout with
xarray + dask as a scientist does it: open_mfdataset over the files, rechunk to the store's
chunking, to_zarr with the same compressor, dask's threaded scheduler on the machine's 2 cores.
The layout (every data variable's chunks and compressor) is read from our store of the same run,
so both write exactly the same chunk grid and codec.
Usage: xarray_ingest.py CONCAT_DIM OUR_STORE STORE FILE..."""
import json
import os
import sys
import time

import dask
import numcodecs
import xarray as xr

concat_dim, ours, store, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(os.path.join(ours, ".zmetadata")) as f:
    meta = json.load(f)["metadata"]
t0 = time.perf_counter()
with dask.config.set(scheduler="threads", num_workers=2):
    ds = xr.open_mfdataset(files, combine="nested", concat_dim=concat_dim, data_vars="minimal", coords="minimal", compat="override")
    encoding = {}
    for name, var in ds.variables.items():
        zarray = meta.get(f"{name}/.zarray")
        # Dimension coordinates are indexes (in memory, not dask): their layout is xarray's.
        if zarray is None or name in ds.dims:
            continue
        chunks = dict(zip(var.dims, zarray["chunks"]))
        ds[name] = ds[name].chunk(chunks)
        encoding[name] = {"compressor": numcodecs.get_codec(zarray["compressor"]) if zarray["compressor"] else None, "chunks": tuple(zarray["chunks"])}
    ds.to_zarr(store, mode="w", consolidated=True, encoding=encoding)
print(f"in-process seconds {time.perf_counter() - t0:.2f}, steps {ds.sizes[concat_dim]}", file=sys.stderr)
