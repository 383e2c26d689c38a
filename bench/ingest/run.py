"""The ingest benchmark (not a test): the same NetCDF-4 inputs converted, whole process timed, by
 (a) the data plane's local executor (Node, worker threads),
 (b) xarray as a scientist runs it: open_mfdataset(files).to_zarr(store), dask threads on 2 cores,
 (c) the machine's limit: inflate every stored chunk and encode it with the output codec, natively,
     on 2 threads, nothing else,
for blosc-lz4 and zlib-1 output. Prints throughput (uncompressed input MB/s), our ratios to
xarray and to the limit, and every side's peak RSS.

Usage: /usr/bin/python3 bench/ingest/run.py [--files N] [--workdir DIR] [--concurrency N] [--repeat R]
Builds the Node side first (tsc -p bench/ingest). Inputs are generated once into WORKDIR/inputs.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS MB)."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:4])}...\n{out.stderr[-3000:]}")
    line = [l for l in out.stderr.splitlines() if l.startswith("TIME ")][-1]
    _, wall, rss_kb = line.split()
    return float(wall), int(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--workdir", default="/tmp/dmac-bench")
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="runs per contender; the fastest counts")
    args = ap.parse_args()
    inputs_dir = os.path.join(args.workdir, "inputs")
    subprocess.run([PY, os.path.join(HERE, "make_inputs.py"), inputs_dir, str(args.files)], check=True, capture_output=True)
    files = sorted(glob.glob(os.path.join(inputs_dir, "*.nc")))[: args.files]
    subprocess.run(["npx", "tsc", "-p", os.path.join(HERE, "tsconfig.json")], check=True, cwd=ROOT)
    nbytes = args.files * 24 * 500 * 500 * 4
    on_disk = sum(os.path.getsize(f) for f in files)
    env = {**os.environ, "DMAC_CONCURRENCY": str(args.concurrency)}
    node_entry = os.path.join(HERE, ".dist", "bench", "ingest", "ingest-once.js")
    results = {}
    for codec in ["blosc-lz4", "zlib"]:
        row = {}
        for name, make_cmd in [
            ("dmac", lambda out: ["node", node_entry, codec, out, *files]),
            ("xarray", lambda out: [PY, os.path.join(HERE, "xarray_convert.py"), codec, out, *files]),
            ("limit", lambda out: [PY, os.path.join(HERE, "limit.py"), codec, *files]),
        ]:
            best = None
            for _ in range(args.repeat):
                out = os.path.join(args.workdir, f"out-{name}-{codec}.zarr")
                shutil.rmtree(out, ignore_errors=True)
                wall, rss = timed(make_cmd(out), env)
                shutil.rmtree(out, ignore_errors=True)
                if best is None or wall < best[0]:
                    best = (wall, rss)
            row[name] = {"seconds": best[0], "MBps": nbytes / 1e6 / best[0], "peakRssMB": round(best[1])}
        row["dmac_vs_xarray"] = row["dmac"]["MBps"] / row["xarray"]["MBps"]
        row["dmac_vs_limit"] = row["dmac"]["MBps"] / row["limit"]["MBps"]
        results[codec] = row
    load = os.getloadavg()
    print(json.dumps({"files": args.files, "uncompressedMB": nbytes / 1e6, "onDiskMB": on_disk / 1e6, "loadavg": load, "results": results}, indent=2))
    print(f"\n{args.files} files, {nbytes / 1e6:.0f} MB uncompressed ({on_disk / 1e6:.0f} MB on disk); load average {load[0]:.1f}")
    print(f"{'codec':<10} {'contender':<8} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    for codec, row in results.items():
        for name in ["dmac", "xarray", "limit"]:
            r = row[name]
            print(f"{codec:<10} {name:<8} {r['seconds']:>8.2f} {r['MBps']:>8.1f} {r['peakRssMB']:>12}")
        print(f"{codec:<10} dmac/xarray {row['dmac_vs_xarray']:.2f}x (target >= 1.5), dmac/limit {row['dmac_vs_limit'] * 100:.0f}% (target >= 80%)")


if __name__ == "__main__":
    main()
