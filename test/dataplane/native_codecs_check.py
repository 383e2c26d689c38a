"""Independent decoders and encoders for native-codecs.test.ts (Debian's Python: zlib, gzip, numcodecs, h5py).

Usage: native_codecs_check.py '<json>' with any of
  "decode": [{"path", "codec": "zlib" | "gzip" | "blosc"}]     -> "decoded": sha256 hex of each, or "error: ..."
  "bloscSize": [{"path", "dtype", "clevel"}]                    -> "bloscSize": bytes numcodecs' c-blosc makes
                                                                   (lz4, byte shuffle, automatic blocksize)
  "hdf5": "<path>"                                              -> writes the chunk-reader fixture (see hdf5_fixture)
Prints one JSON object.
"""
import gzip
import hashlib
import json
import sys
import zlib

import numpy as np


def decode(path: str, codec: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    try:
        if codec == "zlib":
            out = zlib.decompress(data)
        elif codec == "gzip":
            out = gzip.decompress(data)
        elif codec == "blosc":
            import numcodecs

            out = bytes(numcodecs.Blosc().decode(data))
        else:
            raise ValueError(f"unknown codec {codec}")
    except Exception as err:  # the caller reports which file failed and why
        return f"error: {type(err).__name__}: {err}"
    return hashlib.sha256(out).hexdigest()


def blosc_size(path: str, dtype: str, clevel: int) -> int:
    import numcodecs

    data = np.fromfile(path, dtype=dtype)
    return len(numcodecs.Blosc(cname="lz4", clevel=clevel, shuffle=numcodecs.Blosc.SHUFFLE).encode(data))


def hdf5_fixture(path: str) -> None:
    """Chunked datasets with every filter pipeline the chunk reader decodes: shuffle+deflate at
    item sizes 1, 2, 4 and 8, deflate alone, shuffle alone, partial edge chunks, and chunks whose
    filter mask skips deflate (or both filters), written with write_direct_chunk."""
    import h5py

    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:40, 0:50]
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("i2", data=np.stack([(1000 * np.sin(x / 7 + y / 5 + t)).astype("<i2") for t in range(2)]), chunks=(1, 16, 25), shuffle=True, compression="gzip", compression_opts=4)
        f.create_dataset("f8", data=np.stack([np.cos(x[:30, :20] / 9.0) * y[:30, :20] + t for t in range(3)]).astype("<f8"), chunks=(1, 30, 20), shuffle=True, compression="gzip", compression_opts=9)
        f.create_dataset("f4", data=rng.normal(15, 3, (2, 64, 64)).astype("<f4"), chunks=(1, 32, 64), compression="gzip", compression_opts=1)
        f.create_dataset("u1", data=(np.arange(200).reshape(2, 100) % 17).astype("u1"), chunks=(1, 100), shuffle=True, compression="gzip", compression_opts=6)
        f.create_dataset("f4s", data=np.sin(np.arange(3000) / 40.0).reshape(2, 50, 30).astype("<f4"), chunks=(1, 25, 30), shuffle=True)
        masked = np.stack([np.exp(-((x[:20, :20] - 10.0) ** 2) / 50.0) + t for t in range(3)]).astype("<f8")
        ds = f.create_dataset("masked", shape=masked.shape, dtype="<f8", chunks=(1, 20, 20), shuffle=True, compression="gzip", compression_opts=5)
        ds[0] = masked[0]
        plain = masked[1].tobytes()
        shuffled = np.frombuffer(plain, dtype="u1").reshape(-1, 8).T.tobytes()
        # Filter i skipped = bit i of the mask; the pipeline is [shuffle, deflate].
        ds.id.write_direct_chunk((1, 0, 0), shuffled, filter_mask=0b10)
        ds.id.write_direct_chunk((2, 0, 0), masked[2].tobytes(), filter_mask=0b11)


def main() -> None:
    spec = json.loads(sys.argv[1])
    out: dict = {}
    if "decode" in spec:
        out["decoded"] = [decode(d["path"], d["codec"]) for d in spec["decode"]]
    if "bloscSize" in spec:
        out["bloscSize"] = [blosc_size(d["path"], d["dtype"], d["clevel"]) for d in spec["bloscSize"]]
    if "hdf5" in spec:
        hdf5_fixture(spec["hdf5"])
        out["hdf5"] = spec["hdf5"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
