"""The reference contender of bench/scale/ingest.ts: the same cycle into the same Zarr layout with
xarray + dask as a scientist does it: open_mfdataset over the files, rechunk to the store's chunking
(time steps per chunk, every other dimension whole: the NetCDF chunks are smaller), to_zarr with the
same codec, dask's threaded scheduler on the machine's 2 cores.
Usage: xarray_ingest.py TIME_CHUNK CODEC LEVEL STORE FILE..."""
import sys
import time

import dask
import numcodecs
import xarray as xr

time_chunk, codec, level, store, files = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
if codec == "blosc-lz4":
    compressor = numcodecs.Blosc(cname="lz4", clevel=level, shuffle=numcodecs.Blosc.SHUFFLE)
elif codec == "zlib":
    compressor = numcodecs.Zlib(level=level)
else:
    sys.exit(f"codec {codec}: not one of blosc-lz4, zlib")
t0 = time.perf_counter()
with dask.config.set(scheduler="threads", num_workers=2):
    ds = xr.open_mfdataset(files, combine="nested", concat_dim="ocean_time", data_vars="minimal", coords="minimal", compat="override")
    ds = ds.chunk({d: (time_chunk if d == "ocean_time" else -1) for d in ds.dims})
    ds.to_zarr(store, mode="w", consolidated=True, encoding={v: {"compressor": compressor} for v in ds.variables if v not in ds.dims or ds[v].ndim > 1})
print(f"in-process seconds {time.perf_counter() - t0:.2f}, steps {ds.sizes['ocean_time']}", file=sys.stderr)
