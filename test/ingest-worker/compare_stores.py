"""Compares two Zarr stores written from the same task list by different executors.

Usage: compare_stores.py EXPECTED ACTUAL [DROP]  (local directories; Zarr v2 or v3 as dmac writes
them; DROP a JSON list of variables xarray cannot open, FVCOM's siglay/siglev, compared by chunks only)
Prints {"identical", "detail", "chunks", "bytesEqual"}: the same objects on both sides, metadata
byte-equal, every chunk decoding to the same bytes (values, including padding beyond the array
edge), and for v2 stores every group equal under xarray.testing.assert_identical.
"""
import json
import os
import sys

import numcodecs
import xarray as xr


def objects(root):
    out = set()
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel == ".dmac" or rel.startswith(".dmac" + os.sep):
            continue
        for name in files:
            if not name.startswith(".tmp-"):
                out.add(os.path.normpath(os.path.join(rel, name)))
    return out


def read(root, key):
    with open(os.path.join(root, key), "rb") as f:
        return f.read()


def codec_of(root, key):
    """The compressor config of the array a chunk key belongs to (v2 .zarray or v3 zarr.json)."""
    parts = key.split(os.sep)
    for cut in range(len(parts) - 1, 0, -1):
        folder = os.path.join(*parts[:cut])
        v2 = os.path.join(root, folder, ".zarray")
        if os.path.exists(v2):
            return json.loads(read(root, os.path.join(folder, ".zarray")))["compressor"]
        v3 = os.path.join(root, folder, "zarr.json")
        if os.path.exists(v3):
            meta = json.loads(read(root, os.path.join(folder, "zarr.json")))
            if meta.get("node_type") != "array":
                continue
            c = next((c for c in meta["codecs"] if c["name"] != "bytes"), None)
            if c is None:
                return None
            conf = dict(c.get("configuration", {}))
            if c["name"] == "blosc":
                conf = {"cname": conf["cname"], "clevel": conf["clevel"], "shuffle": 1 if conf["shuffle"] == "shuffle" else 0}
            elif c["name"] == "zstd":
                conf = {"level": conf["level"]}
            return {"id": c["name"], **conf}
    raise ValueError(f"{key}: no array metadata above it")


def is_metadata(key):
    return os.path.basename(key) in (".zarray", ".zattrs", ".zgroup", ".zmetadata", "zarr.json")


def main():
    expected, actual = sys.argv[1], sys.argv[2]
    drop = json.loads(sys.argv[3]) if len(sys.argv) > 3 else []
    a, b = objects(expected), objects(actual)
    problems = []
    if a != b:
        problems.append(f"objects only in {expected}: {sorted(a - b)[:10]}; only in {actual}: {sorted(b - a)[:10]}")
    chunks = bytes_equal = 0
    for key in sorted(a & b):
        x, y = read(expected, key), read(actual, key)
        if is_metadata(key):
            if x != y:
                problems.append(f"{key}: metadata differs")
            continue
        chunks += 1
        if x == y:
            bytes_equal += 1
            continue
        config = codec_of(expected, key)
        codec = numcodecs.get_codec(config) if config else None
        dx, dy = (bytes(codec.decode(x)), bytes(codec.decode(y))) if codec else (x, y)
        if dx != dy:
            problems.append(f"{key}: decoded chunk differs ({len(dx)} and {len(dy)} bytes)")
    if os.path.exists(os.path.join(expected, ".zmetadata")) and not problems:
        meta = json.loads(read(expected, ".zmetadata"))["metadata"]
        groups = sorted({k[: -len(".zgroup")].rstrip("/") for k in meta if k.endswith(".zgroup")})
        for group in groups:
            opened = [xr.open_zarr(s, group=group or None, consolidated=True, decode_times=False, drop_variables=drop).load() for s in (expected, actual)]
            try:
                xr.testing.assert_identical(opened[1], opened[0])
            except AssertionError as err:
                problems.append(f"group {group or '/'}: {str(err)[:2000]}")
    print(json.dumps({"identical": not problems, "detail": "\n".join(problems[:20]), "chunks": chunks, "bytesEqual": bytes_equal}))


if __name__ == "__main__":
    main()
