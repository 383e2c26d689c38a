"""(c) The machine's limit: read every stored chunk's bytes directly (h5py read_direct_chunk),
inflate it (zlib, native), undo the HDF5 shuffle, encode it with the output codec (native),
split over both cores; nothing else. Usage: limit.py CODEC FILE..."""
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import h5py
import numcodecs
import numpy as np

codec, files = sys.argv[1], sys.argv[2:]
encoder = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE) if codec == "blosc-lz4" else numcodecs.Zlib(level=1)


def one(path: str) -> int:
    total = 0
    with h5py.File(path, "r") as f:
        ds = f["temp"]
        itemsize = ds.dtype.itemsize
        for i in range(ds.id.get_num_chunks()):
            info = ds.id.get_chunk_info(i)
            _, raw = ds.id.read_direct_chunk(info.chunk_offset)
            inflated = zlib.decompress(raw)
            # HDF5 shuffle: bytes grouped by significance; regroup by element.
            plain = np.frombuffer(inflated, np.uint8).reshape(itemsize, -1).T.copy()
            total += len(encoder.encode(plain.view(ds.dtype)))
    return total


t0 = time.perf_counter()
with ThreadPoolExecutor(2) as pool:
    written = sum(pool.map(one, files))
print(f"in-process seconds {time.perf_counter() - t0:.2f}, bytes written {written}", file=sys.stderr)
