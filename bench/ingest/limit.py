"""(c) The machine's limit: read every stored chunk's bytes directly (h5py read_direct_chunk),
inflate it, undo the HDF5 shuffle, encode it with the output codec, split over both cores;
nothing else. Inflate and zlib output use libdeflate (through ctypes, which lets go of the GIL)
when the machine has it, the fastest native deflate here, so the limit is not set by Python's
zlib; blosc-lz4 output uses numcodecs' c-blosc as xarray does.
Usage: [DMAC_LIMIT_DEFLATE=zlib] limit.py CODEC FILE..."""
import ctypes
import ctypes.util
import os
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import h5py
import numcodecs
import numpy as np

codec, files = sys.argv[1], sys.argv[2:]
blosc = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)

try:
    libdeflate = ctypes.CDLL(ctypes.util.find_library("deflate") or "libdeflate.so.0")
except OSError:
    libdeflate = None
# DMAC_LIMIT_DEFLATE=zlib: Python's zlib, as the issue first defined the limit (for comparison).
if os.environ.get("DMAC_LIMIT_DEFLATE") == "zlib":
    libdeflate = None
if libdeflate is not None:
    libdeflate.libdeflate_alloc_decompressor.restype = ctypes.c_void_p
    libdeflate.libdeflate_alloc_compressor.restype = ctypes.c_void_p
    libdeflate.libdeflate_alloc_compressor.argtypes = [ctypes.c_int]
    libdeflate.libdeflate_zlib_decompress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    libdeflate.libdeflate_zlib_compress.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
    libdeflate.libdeflate_zlib_compress.restype = ctypes.c_size_t
    libdeflate.libdeflate_zlib_compress_bound.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libdeflate.libdeflate_zlib_compress_bound.restype = ctypes.c_size_t
per_thread = threading.local()


def inflate(raw: bytes, nbytes: int) -> np.ndarray:
    if libdeflate is None:
        return np.frombuffer(zlib.decompress(raw), np.uint8)
    if not hasattr(per_thread, "d"):
        per_thread.d = libdeflate.libdeflate_alloc_decompressor()
    out = np.empty(nbytes, np.uint8)
    got = ctypes.c_size_t(0)
    if libdeflate.libdeflate_zlib_decompress(per_thread.d, raw, len(raw), out.ctypes.data, nbytes, ctypes.byref(got)) != 0:
        raise ValueError("corrupt chunk")
    return out[: got.value]


def deflate(plain: np.ndarray) -> int:
    if libdeflate is None:
        return len(zlib.compress(plain, 1))
    if not hasattr(per_thread, "c"):
        per_thread.c = libdeflate.libdeflate_alloc_compressor(1)
        per_thread.out = np.empty(0, np.uint8)
    bound = libdeflate.libdeflate_zlib_compress_bound(per_thread.c, plain.nbytes)
    if per_thread.out.nbytes < bound:
        per_thread.out = np.empty(bound, np.uint8)
    return libdeflate.libdeflate_zlib_compress(per_thread.c, plain.ctypes.data, plain.nbytes, per_thread.out.ctypes.data, bound)


def one(path: str) -> int:
    total = 0
    with h5py.File(path, "r") as f:
        ds = f["temp"]
        itemsize = ds.dtype.itemsize
        nbytes = int(np.prod(ds.chunks)) * itemsize
        for i in range(ds.id.get_num_chunks()):
            info = ds.id.get_chunk_info(i)
            _, raw = ds.id.read_direct_chunk(info.chunk_offset)
            inflated = inflate(raw, nbytes)
            # HDF5 shuffle: bytes grouped by significance; regroup by element.
            plain = inflated.reshape(itemsize, -1).T.copy()
            total += len(blosc.encode(plain.view(ds.dtype))) if codec == "blosc-lz4" else deflate(plain)
    return total


t0 = time.perf_counter()
with ThreadPoolExecutor(2) as pool:
    written = sum(pool.map(one, files))
library = "libdeflate" if libdeflate is not None else "zlib"
print(f"in-process seconds {time.perf_counter() - t0:.2f}, bytes written {written}, deflate library {library}", file=sys.stderr)
