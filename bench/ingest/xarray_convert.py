"""(b) xarray the way a scientist does it: open_mfdataset(files).to_zarr(store), dask's
threaded scheduler on both cores. Usage: xarray_convert.py CODEC STORE FILE..."""
import sys
import time

import dask
import numcodecs
import xarray as xr

codec, store, files = sys.argv[1], sys.argv[2], sys.argv[3:]
compressor = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE) if codec == "blosc-lz4" else numcodecs.Zlib(level=1)
t0 = time.perf_counter()
with dask.config.set(scheduler="threads", num_workers=2):
    ds = xr.open_mfdataset(files, combine="nested", concat_dim="ocean_time", data_vars="minimal", coords="minimal", compat="override")
    ds.to_zarr(store, mode="w", consolidated=True, encoding={v: {"compressor": compressor} for v in ds.data_vars})
print(f"in-process seconds {time.perf_counter() - t0:.2f}", file=sys.stderr)
