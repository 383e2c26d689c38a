"""python -m ingest_worker.derive --task URL --results URL [--scheduler ADDRESS | --local-workers N]

Computes a derived update (dmac.ioos.us/derive-task/v1, dataplane/transform/task.ts) on a
dask.distributed cluster: one Dask task per (variable, level slice, band of spatial tiles, run of
output steps within one output time chunk), each writing disjoint chunks under the target's staging prefix. The operator plans, journals and
commits (dataplane/transform/journal.ts); this only computes, exactly as the local computation
(dataplane/transform/derive.ts computeLocal) does, so both stage the same chunks:
- source values are read raw, chunk by chunk (no xarray CF decoding, whose float32 arithmetic
  would differ), and decoded as statistics.ts does: fill and missing values (compared in the
  stored dtype) masked, scale_factor/add_offset applied in float64;
- statistics accumulate in float64 in time order (max/min keep the first of equal values; the mean
  is the float64 sum over the count), cast to the output dtype, missing cells as the fill value;
- regions are written by ChunkWriter, the writer of the ingest tasks (writeRegion's rules).
Results: {"chunks", "bytesWritten", "staged": [chunk keys relative to the store]}.
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import sys
import time

import numpy as np

from .io import Store, open_store, read_url, write_url
from .run import ChunkWriter, chunk_key, fill_value

CONTRACT = "dmac.ioos.us/derive-task/v1"
MAX_BLOCK_BYTES = 64 * 1024 * 1024
log = logging.getLogger("ingest_worker.derive")


class StagingStore:
    """Writes go under the staging prefix; reads of a staged key come from there, others from the store."""

    def __init__(self, store: Store, prefix: str) -> None:
        self.store = store
        self.prefix = prefix.strip("/")
        self.url = store.url
        self.staged: set[str] = set()

    def get(self, key: str) -> bytes | None:
        return self.store.get(f"{self.prefix}/{key}" if key in self.staged else key)

    def set(self, key: str, value: bytes) -> None:
        self.store.set(f"{self.prefix}/{key}", value)
        self.staged.add(key)


def read_region(store: Store, path: str, zarray: dict, zarr_format: int, start: list[int], count: list[int]) -> np.ndarray:
    """A box of an array, read chunk by chunk (zarr/chunks.ts readRegion); missing chunks read as the fill value."""
    reader = ChunkWriter(store, zarr_format)
    codec = reader._codec(zarray)
    chunks = zarray["chunks"]
    out = np.empty(tuple(count), dtype=np.dtype(zarray["dtype"]))
    first = [s // c for s, c in zip(start, chunks)]
    last = [(s + n - 1) // c for s, n, c in zip(start, count, chunks)]
    for index in itertools.product(*(range(f, l + 1) for f, l in zip(first, last))):
        chunk = reader._load(path, zarray, index, codec)
        origin = [i * c for i, c in zip(index, chunks)]
        lo = [max(o, s) for o, s in zip(origin, start)]
        hi = [min(o + c, s + n) for o, c, s, n in zip(origin, chunks, start, count)]
        out[tuple(slice(l - s, h - s) for l, h, s in zip(lo, hi, start))] = chunk[tuple(slice(l - o, h - o) for l, h, o in zip(lo, hi, origin))]
    return out


def decode(raw: np.ndarray, d: dict) -> np.ndarray:
    v = raw.astype(np.float64)
    mask = np.isnan(v)
    if d["fill"] is not None:
        mask |= raw == np.array(d["fill"]).astype(raw.dtype)
    for m in d["missing"]:
        mask |= raw == np.array(m).astype(raw.dtype)
    if d["scale"] != 1 or d["offset"] != 0:
        v = v * d["scale"] + d["offset"]
    v[mask] = np.nan
    return v


def reduce_steps(steps: np.ndarray, statistic: str, decoding: dict) -> np.ndarray:
    """The statistic over the first axis, per cell, in time order (statistics.ts Reducer)."""
    cells = steps.shape[1:]
    acc = np.zeros(cells) if statistic == "mean" else np.full(cells, np.nan)
    count = np.zeros(cells, dtype=np.int64)
    for raw in steps:
        v = decode(raw, decoding)
        valid = ~np.isnan(v)
        if statistic == "mean":
            acc[valid] += v[valid]
        else:
            better = v > acc if statistic == "max" else v < acc
            take = valid & ((count == 0) | better)
            acc[take] = v[take]
        count[valid] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        result = acc / count if statistic == "mean" else acc
    result[count == 0] = np.nan
    return result


def band_axis(var: dict) -> int | None:
    """The axis a piece is cut along into bands of whole chunks: the first horizontal axis (the
    first axis after time not written one index at a time); None for a variable with no such axis."""
    shape = var["target"]["zarray"]["shape"]
    free = [i for i in range(1, len(shape)) if i not in var["splitAxes"]]
    return free[0] if free else None


def compute_piece(task: dict, vi: int, split: tuple[int, ...], run: dict, band: int = 0) -> dict:
    """One variable, one level slice, one band of spatial tiles, one run of output steps: computed and staged."""
    var = task["variables"][vi]
    source = open_store(task["source"]["store"])
    staging = StagingStore(open_store(task["target"]["store"]), task["target"]["staging"])
    writer = ChunkWriter(staging, task["target"]["zarrFormat"])
    out_meta = var["target"]["zarray"]
    src_meta = var["source"]["zarray"]
    oshape = out_meta["shape"]
    split_axes = var["splitAxes"]
    inner = [1 if i == 0 or i in split_axes else n for i, n in enumerate(oshape)]
    inner_start = [split[split_axes.index(i)] if i in split_axes else 0 for i in range(len(oshape))]
    axis = band_axis(var)
    if axis is not None:
        size = out_meta["chunks"][axis]
        inner_start[axis] = band * size
        inner[axis] = min(size, oshape[axis] - band * size)
    cells = math.prod(inner[1:])
    out_dtype = np.dtype(out_meta["dtype"])
    out_fill = fill_value(out_meta)
    level = var["level"]

    def source_box(first: int, count: int) -> tuple[list[int], list[int]]:
        start, cnt, o = [], [], 1
        for i in range(len(src_meta["shape"])):
            if i == 0:
                start.append(first); cnt.append(count)
            elif level is not None and i == level["axis"]:
                start.append(level["index"]); cnt.append(1)
            else:
                start.append(inner_start[o]); cnt.append(inner[o]); o += 1
        return start, cnt

    max_steps = max(1, MAX_BLOCK_BYTES // max(1, cells * out_dtype.itemsize))
    for start_step in range(run["from"], run["to"], max_steps):
        end = min(run["to"], start_step + max_steps)
        if not var["decode"]:
            s, c = source_box(task["steps"][start_step]["first"], end - start_step)
            block = read_region(source, var["name"], src_meta, task["source"]["zarrFormat"], s, c).reshape([end - start_step, *inner[1:]])
        else:
            block = np.empty([end - start_step, *inner[1:]], dtype=out_dtype)
            for i in range(start_step, end):
                step = task["steps"][i]
                s, c = source_box(step["first"], step["count"])
                raw = read_region(source, var["name"], src_meta, task["source"]["zarrFormat"], s, c).reshape([step["count"], cells])
                result = reduce_steps(raw, task["statistic"], var["source"]["decoding"])
                values = result.astype(out_dtype)
                values[np.isnan(result)] = out_fill
                block[i - start_step] = values.reshape(inner[1:])
        writer.write_region(var["name"], out_meta, tuple([start_step, *inner_start[1:]]), block)
    return {"chunks": writer.chunks, "bytesWritten": writer.bytes_written, "staged": sorted(staging.staged)}


def pieces(task: dict) -> list[tuple[int, tuple[int, ...], dict, int]]:
    """Every (variable, level slice, band of tiles, run) to compute. Bands are whole chunks along the
    band axis (one band when that axis is one chunk, as without rechunk) and runs never cross an
    output time chunk, so no two pieces write the same chunk."""
    out = []
    for vi, var in enumerate(task["variables"]):
        shape, chunks = var["target"]["zarray"]["shape"], var["target"]["zarray"]["chunks"]
        axis = band_axis(var)
        bands = 1 if axis is None else max(1, math.ceil(shape[axis] / chunks[axis]))
        for split in itertools.product(*(range(shape[a]) for a in var["splitAxes"])):
            for band in range(bands):
                for run in task["runs"]:
                    out.append((vi, tuple(split), run, band))
    return out


def run_task(client, task: dict) -> dict:
    """Every piece as one Dask task; their chunks are disjoint, so they run in any order."""
    if task.get("contract") != CONTRACT:
        raise ValueError(f"contract {task.get('contract')!r}: this worker speaks {CONTRACT}")
    futures = [client.submit(compute_piece, task, vi, split, run, band, pure=False) for vi, split, run, band in pieces(task)]
    results = client.gather(futures)
    return {
        "chunks": sum(r["chunks"] for r in results),
        "bytesWritten": sum(r["bytesWritten"] for r in results),
        "staged": sorted({k for r in results for k in r["staged"]}),
    }


def main(argv: list[str] | None = None) -> int:
    from .cli import _client

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    p = argparse.ArgumentParser(prog="python -m ingest_worker.derive", description="Computes a dmac derived update on Dask.")
    p.add_argument("--task", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--scheduler")
    p.add_argument("--local-workers", type=int)
    p.add_argument("--connect-timeout", type=float, default=120.0)
    args = p.parse_args(argv)
    try:
        task = json.loads(read_url(args.task))
    except (OSError, ValueError) as err:
        log.error("%s: %s", args.task, err)
        return 2
    started = time.monotonic()
    client, cluster = _client(args)
    try:
        result = run_task(client, task)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    write_url(args.results, json.dumps(result).encode())
    log.info("%d chunks staged in %.1f s", result["chunks"], time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
