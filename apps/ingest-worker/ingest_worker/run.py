"""Executes one ingest task: copies time steps of one NetCDF file into regions of Zarr arrays.

The same steps as the local executor (dataplane/executor/run-task.ts), so both write the same
chunks for the same task:
- steps are grouped into runs consecutive in source and target, of at most ~64 MB per read and a
  whole number of target chunks along the aggregation dimension where that fits;
- values are read exactly as stored (netCDF4 with auto mask/scale off: packed ints stay packed,
  fill values pass through);
- each run is written as one region with zarr-python over the array metadata the task carries
  (the store's own metadata may not be committed yet and is never read or written): a chunk the
  region covers entirely is encoded fresh, a chunk it covers partly is read, merged and replaced,
  a chunk not yet in the store starts as fill_value; every chunk is one atomic object write.
"""
from __future__ import annotations

import errno
import json
import math
import os
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

import netCDF4
import numpy as np
import zarr

from .contract import ContractError, validate_task
from .io import Store, local_path, open_store

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


def check_source(path: str) -> None:
    """Refuses what the local executor refuses before reading: missing, not NetCDF, truncated."""
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as err:
        code = errno.errorcode.get(err.errno or 0, str(err.strerror or err))
        raise TaskError(f"{path}: cannot read ({code})") from err
    if head.startswith(HDF5_SIGNATURE):
        eof = hdf5_end_of_file(head)
        if eof is not None and size < eof:
            raise TaskError(f"{path}: truncated: the HDF5 superblock records {eof} bytes but the file has {size}")
    elif not (head[:3] == b"CDF" and len(head) > 3 and head[3] in (1, 2)):
        raise TaskError(f"{path}: not a NetCDF file (unknown magic bytes)")


class ChunkStore(MutableMapping):
    """The chunk side of one zarr array: maps zarr's v2 keys to the store's layout and counts writes.

    zarr-python reads the array metadata from a separate in-memory store (the task's `zarray`),
    so only chunk keys reach this mapping.
    """

    def __init__(self, store: Store, zarr_format: int) -> None:
        self.store = store
        self.zarr_format = zarr_format
        self.chunks = 0
        self.bytes_written = 0

    def _key(self, key: str) -> str:
        if self.zarr_format == 2:
            return key
        folder, _, index = key.rpartition("/")
        return f"{folder}/c/{index.replace('.', '/')}"

    def __getitem__(self, key: str) -> bytes:
        data = self.store.get(self._key(key))
        if data is None:
            raise KeyError(key)
        return data

    def __setitem__(self, key: str, value) -> None:
        data = bytes(memoryview(value).cast("B"))
        self.store.set(self._key(key), data)
        self.chunks += 1
        self.bytes_written += len(data)

    def __delitem__(self, key: str) -> None:
        # zarr deletes only all-fill chunks when write_empty_chunks is off; ours is on.
        raise TaskError(f"{self.store.url}/{key}: the ingest never deletes chunks")

    def __iter__(self) -> Iterator[str]:
        raise TaskError(f"{self.store.url}: the ingest does not list chunks")

    def __len__(self) -> int:
        raise TaskError(f"{self.store.url}: the ingest does not list chunks")


def target_array(array: dict, chunk_store: ChunkStore) -> zarr.Array:
    meta = {f"{array['path']}/.zarray": json.dumps(array["zarray"]).encode()}
    return zarr.Array(meta, path=array["path"], chunk_store=chunk_store, write_empty_chunks=True)


def max_run(step_bytes: int, chunk_len: int) -> int:
    """Steps per read: as in run-task.ts, at most ~64 MB, whole target chunks along time where they fit."""
    by_bytes = MAX_READ_BYTES // step_bytes
    return max(1, min(by_bytes, chunk_len * max(1, math.floor(MAX_READ_BYTES / step_bytes / chunk_len))))


def run_task(task: dict) -> dict:
    """Runs one validated task; returns {id, chunks, bytesWritten, bytesRead} or raises."""
    url = task["source"]["url"]
    path = local_path(url)
    if path is None:
        raise TaskError(f"{url}: sources are local paths or file:// URLs (remote inputs are fetched before planning)")
    check_source(path)
    store = open_store(task["target"]["store"])
    chunk_store = ChunkStore(store, task["target"].get("zarrFormat", 2))
    concat = task["concatDim"]
    result = {"id": task["id"], "chunks": 0, "bytesWritten": 0, "bytesRead": 0}
    try:
        ds = netCDF4.Dataset(path, "r")
    except OSError as err:
        raise TaskError(f"{path}: cannot open as NetCDF ({err.strerror or err})") from err
    try:
        ds.set_auto_maskandscale(False)
        ds.set_always_mask(False)
        for array in task["arrays"]:
            name = array["variable"]
            v = ds.variables.get(name)
            if v is None:
                raise TaskError(f"{path}: variable {name} is missing")
            if not v.dimensions or v.dimensions[0] != concat:
                raise TaskError(f"{path}: variable {name} does not start with {concat}")
            zarray = array["zarray"]
            dtype = np.dtype(zarray["dtype"])
            if not np.can_cast(v.dtype, dtype, casting="equiv"):
                raise TaskError(f"{path}: variable {name} is {v.dtype.str}, the target array {array['path']} is {dtype.str}")
            inner = tuple(v.shape[1:])
            if inner != tuple(zarray["shape"][1:]):
                raise TaskError(f"{path}: variable {name} has shape {list(v.shape)}, the target array {array['path']} expects [*, {', '.join(map(str, zarray['shape'][1:]))}]")
            target = target_array(array, chunk_store)
            step_bytes = max(1, math.prod(inner) * dtype.itemsize)
            for run in contiguous_runs(task["steps"], max_run(step_bytes, zarray["chunks"][0])):
                if run.source + run.length > v.shape[0]:
                    raise TaskError(f"{path}: variable {name} has {v.shape[0]} steps along {concat}; the task asks for step {run.source + run.length - 1}")
                if run.target + run.length > zarray["shape"][0]:
                    raise TaskError(f"{path}: target index {run.target + run.length - 1} is beyond {array['path']}'s length {zarray['shape'][0]}")
                try:
                    data = np.asarray(v[run.source:run.source + run.length]).astype(dtype, casting="equiv", copy=False)
                except (OSError, RuntimeError, IndexError) as err:
                    raise TaskError(f"{path}: variable {name}: reading steps {run.source}-{run.source + run.length - 1} failed ({err})") from err
                result["bytesRead"] += data.nbytes
                try:
                    target[run.target:run.target + run.length] = data
                except OSError as err:
                    raise TaskError(f"{store.url}/{array['path']}: writing steps {run.target}-{run.target + run.length - 1} failed ({err})") from err
    finally:
        ds.close()
    result["chunks"] = chunk_store.chunks
    result["bytesWritten"] = chunk_store.bytes_written
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
