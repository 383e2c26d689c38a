"""Executes one ingest task: copies time steps of one NetCDF file into regions of Zarr arrays.

The same steps as the local executor (dataplane/executor/run-task.ts), so both write the same
chunks for the same task:
- steps are grouped into runs consecutive in source and target, of at most ~64 MB per read and a
  whole number of target chunks along the aggregation dimension where that fits;
- values are read exactly as stored (netCDF4 with auto mask/scale off: packed ints stay packed,
  fill values pass through);
- each run is written as one region with the array metadata the task carries (the store's own
  metadata may not be committed yet and is never read or written), chunk by chunk with the same
  rules as writeRegion (ChunkWriter), encoded by numcodecs; every chunk is one atomic object write.
  zarr-python's region writes differ in one place: at the array's edge they merge an existing
  chunk where writeRegion builds it afresh, which can leave different bytes beyond the edge.
"""
from __future__ import annotations

import errno
import itertools
import json
import math
import os
from dataclasses import dataclass

import netCDF4
import numcodecs
import numpy as np

from .contract import ContractError, validate_task
from .io import SourceFetchError, Store, fetch_source, local_path, open_store

MAX_READ_BYTES = 64 * 1024 * 1024
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class TaskError(Exception):
    """A task that cannot run; the message names the file and the problem."""


@dataclass
class Run:
    source: int
    target: int
    length: int


def contiguous_runs(steps: list[dict], max_length: int) -> list[Run]:
    """Groups steps into runs consecutive in both source and target (run-task.ts contiguousRuns)."""
    runs: list[Run] = []
    for s in sorted(steps, key=lambda s: s["target"]):
        last = runs[-1] if runs else None
        if last is not None and last.length < max_length and last.source + last.length == s["source"] and last.target + last.length == s["target"]:
            last.length += 1
        else:
            runs.append(Run(s["source"], s["target"], 1))
    return runs


def hdf5_end_of_file(head: bytes) -> int | None:
    """The end-of-file address an HDF5 superblock (versions 0-3) records; None if unknown."""
    if len(head) < 14:
        return None
    version = head[8]
    if version in (0, 1):
        size = head[13]
        at = (24 if version == 0 else 28) + 2 * size
    elif version in (2, 3):
        size = head[9]
        at = 12 + 2 * size
    else:
        return None
    if size not in (4, 8) or len(head) < at + size:
        return None
    return int.from_bytes(head[at:at + size], "little")


def check_source(path: str, name: str | None = None) -> None:
    """Refuses what the local executor refuses before reading: missing, not NetCDF, truncated.

    Messages name the file by `name` (the source URL for a downloaded copy), else by its path."""
    name = name or path
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as err:
        code = errno.errorcode.get(err.errno or 0, str(err.strerror or err))
        raise TaskError(f"{name}: cannot read ({code})") from err
    if head.startswith(HDF5_SIGNATURE):
        eof = hdf5_end_of_file(head)
        if eof is not None and size < eof:
            raise TaskError(f"{name}: truncated: the HDF5 superblock records {eof} bytes but the file has {size}")
    elif not (head[:3] == b"CDF" and len(head) > 3 and head[3] in (1, 2)):
        raise TaskError(f"{name}: not a NetCDF file (unknown magic bytes)")


def chunk_key(path: str, index: tuple[int, ...], zarr_format: int) -> str:
    """Zarr v2 keys `0.1.2` (dimension_separator "."), v3 default encoding `c/0/1/2` (metadata.ts chunkKey)."""
    if zarr_format == 3:
        return "/".join([path, "c", *map(str, index)])
    return f"{path}/{'.'.join(map(str, index)) if index else '0'}"


def fill_value(zarray: dict) -> np.ndarray:
    """The array's fill value as a scalar of its dtype; null means zero, as zarr-python reads it."""
    raw = zarray["fill_value"]
    value = 0 if raw is None else {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(raw, raw)
    return np.array(value).astype(np.dtype(zarray["dtype"]))


class ChunkWriter:
    """Region writes into one store, chunk by chunk, as dataplane/zarr/chunks.ts writeRegion does.

    A chunk the region covers up to the array's edge is built fresh (beyond the edge: fill_value);
    a chunk it covers partly is read, decoded, merged and replaced; a missing chunk starts as
    fill_value. Every chunk is encoded with the array's numcodecs compressor and written as one
    object. Counts what it writes, for the task's result.
    """

    def __init__(self, store: Store, zarr_format: int) -> None:
        self.store = store
        self.zarr_format = zarr_format
        self.chunks = 0
        self.bytes_written = 0
        self._codecs: dict[str, object] = {}

    def _codec(self, zarray: dict):
        config = zarray["compressor"]
        if config is None:
            return None
        key = json.dumps(config, sort_keys=True)
        if key not in self._codecs:
            try:
                self._codecs[key] = numcodecs.get_codec(dict(config))
            except (ValueError, TypeError) as err:
                raise TaskError(f"compressor {key}: not available ({err})") from err
        return self._codecs[key]

    def _load(self, path: str, zarray: dict, index: tuple[int, ...], codec) -> np.ndarray:
        dtype, shape = np.dtype(zarray["dtype"]), tuple(zarray["chunks"])
        stored = self.store.get(chunk_key(path, index, self.zarr_format))
        if stored is None:
            return np.full(shape, fill_value(zarray), dtype=dtype)
        raw = bytes(codec.decode(stored)) if codec is not None else stored
        expected = math.prod(shape) * dtype.itemsize
        if len(raw) != expected:
            raise TaskError(f"{self.store.url}/{path}: chunk {'.'.join(map(str, index))} has {len(raw)} bytes, expected {expected}")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()

    def write_region(self, path: str, zarray: dict, start: tuple[int, ...], data: np.ndarray) -> None:
        shape, chunks, count = zarray["shape"], zarray["chunks"], data.shape
        if any(n == 0 for n in count):
            return
        codec = self._codec(zarray)
        first = [s // c for s, c in zip(start, chunks)]
        last = [(s + n - 1) // c for s, n, c in zip(start, count, chunks)]
        for index in itertools.product(*(range(f, l + 1) for f, l in zip(first, last))):
            origin = [i * c for i, c in zip(index, chunks)]
            lo = [max(o, s) for o, s in zip(origin, start)]
            hi = [min(o + c, s + n) for o, c, s, n in zip(origin, chunks, start, count)]
            edge = [min(o + c, d) for o, c, d in zip(origin, chunks, shape)]
            if all(l == o and h == e for l, o, h, e in zip(lo, origin, hi, edge)):
                chunk = np.full(tuple(chunks), fill_value(zarray), dtype=np.dtype(zarray["dtype"]))
            else:
                chunk = self._load(path, zarray, index, codec)
            chunk[tuple(slice(l - o, h - o) for l, h, o in zip(lo, hi, origin))] = data[tuple(slice(l - s, h - s) for l, h, s in zip(lo, hi, start))]
            encoded = bytes(codec.encode(chunk)) if codec is not None else chunk.tobytes()
            self.store.set(chunk_key(path, index, self.zarr_format), encoded)
            self.chunks += 1
            self.bytes_written += len(encoded)


def max_run(step_bytes: int, chunk_len: int) -> int:
    """Steps per read: as in run-task.ts, at most ~64 MB, whole target chunks along time where they fit."""
    by_bytes = MAX_READ_BYTES // step_bytes
    return max(1, min(by_bytes, chunk_len * max(1, math.floor(MAX_READ_BYTES / step_bytes / chunk_len))))


def run_task(task: dict) -> dict:
    """Runs one validated task; returns {id, chunks, bytesWritten, bytesRead} or raises.

    An s3:// or http(s):// source is downloaded to a temporary file first (io.fetch_source, with the
    source's own settings) and removed afterwards, whatever the outcome; messages name its URL.
    """
    url = task["source"]["url"]
    try:
        with fetch_source(url) as path:
            return _run_file(task, path, url if local_path(url) is None else path)
    except SourceFetchError as err:
        raise TaskError(str(err)) from err


def _run_file(task: dict, path: str, label: str) -> dict:
    check_source(path, label)
    store = open_store(task["target"]["store"])
    writer = ChunkWriter(store, task["target"].get("zarrFormat", 2))
    concat = task["concatDim"]
    result = {"id": task["id"], "chunks": 0, "bytesWritten": 0, "bytesRead": 0}
    try:
        ds = netCDF4.Dataset(path, "r")
    except OSError as err:
        raise TaskError(f"{label}: cannot open as NetCDF ({err.strerror or err})") from err
    try:
        ds.set_auto_maskandscale(False)
        ds.set_always_mask(False)
        for array in task["arrays"]:
            name = array["variable"]
            v = ds.variables.get(name)
            if v is None:
                raise TaskError(f"{label}: variable {name} is missing")
            if not v.dimensions or v.dimensions[0] != concat:
                raise TaskError(f"{label}: variable {name} does not start with {concat}")
            zarray = array["zarray"]
            dtype = np.dtype(zarray["dtype"])
            if not np.can_cast(v.dtype, dtype, casting="equiv"):
                raise TaskError(f"{label}: variable {name} is {v.dtype.str}, the target array {array['path']} is {dtype.str}")
            inner = tuple(v.shape[1:])
            if inner != tuple(zarray["shape"][1:]):
                raise TaskError(f"{label}: variable {name} has shape {list(v.shape)}, the target array {array['path']} expects [*, {', '.join(map(str, zarray['shape'][1:]))}]")
            step_bytes = max(1, math.prod(inner) * dtype.itemsize)
            for run in contiguous_runs(task["steps"], max_run(step_bytes, zarray["chunks"][0])):
                if run.source + run.length > v.shape[0]:
                    raise TaskError(f"{label}: variable {name} has {v.shape[0]} steps along {concat}; the task asks for step {run.source + run.length - 1}")
                if run.target + run.length > zarray["shape"][0]:
                    raise TaskError(f"{label}: target index {run.target + run.length - 1} is beyond {array['path']}'s length {zarray['shape'][0]}")
                try:
                    data = np.asarray(v[run.source:run.source + run.length]).astype(dtype, casting="equiv", copy=False)
                except (OSError, RuntimeError, IndexError) as err:
                    raise TaskError(f"{label}: variable {name}: reading steps {run.source}-{run.source + run.length - 1} failed ({err})") from err
                result["bytesRead"] += data.nbytes
                try:
                    writer.write_region(array["path"], zarray, (run.target, *(0 for _ in inner)), data)
                except OSError as err:
                    raise TaskError(f"{store.url}/{array['path']}: writing steps {run.target}-{run.target + run.length - 1} failed ({err})") from err
    finally:
        ds.close()
    result["chunks"] = writer.chunks
    result["bytesWritten"] = writer.bytes_written
    return result


def run_document(doc: object, after: object = None) -> dict:
    """Validates and runs one task document, never raising: {"ok": True, "result"} or {"ok": False, "error"}.

    `after` is the outcome of the previous task in the chain: taking it as an argument makes Dask
    run a chain in order. Its value is not used: as in the local executor, a failed task does not
    stop the tasks after it (the planner commits only what precedes the first failure).
    """
    task_id = doc.get("id", "?") if isinstance(doc, dict) else "?"
    try:
        return {"ok": True, "result": run_task(validate_task(doc))}
    except (TaskError, ContractError) as err:
        return {"ok": False, "id": task_id, "error": str(err)}
    except Exception as err:  # anything else still names the file, so the report says what failed
        src = doc.get("source", {}).get("url", "?") if isinstance(doc, dict) else "?"
        return {"ok": False, "id": task_id, "error": f"{src}: {type(err).__name__}: {err}"}
