"""The ingest benchmark (not a test): the same NetCDF-4 inputs converted, whole process timed, by
 (a) the data plane's local executor (Node), inline (-j 0, the default here) and on worker threads,
 (b) xarray as a scientist runs it: open_mfdataset(files).to_zarr(store), dask threads on 2 cores,
 (c) the machine's limit: inflate every stored chunk and encode it with the output codec, natively,
     on 2 threads, nothing else,
for blosc-lz4 and zlib-1 output. Prints throughput (uncompressed input MB/s), our ratios to
xarray and to the limit per round (range and median), every side's peak RSS and CPU seconds.

Usage: /usr/bin/python3 bench/ingest/run.py [--files N] [--workdir DIR] [--concurrency N] [--repeat R] [--codecs blosc-lz4,zlib]
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
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS MB, CPU seconds user+sys)."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M %U %S", *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:4])}...\n{out.stderr[-3000:]}")
    line = [l for l in out.stderr.splitlines() if l.startswith("TIME ")][-1]
    _, wall, rss_kb, user, system = line.split()
    return float(wall), int(rss_kb) / 1024, float(user) + float(system)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--workdir", default="/tmp/dmac-bench")
    ap.add_argument("--concurrency", type=int, default=2, help="worker threads of the dmac-workers contender")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each round runs every contender once, in turn")
    ap.add_argument("--codecs", default="blosc-lz4,zlib")
    args = ap.parse_args()
    inputs_dir = os.path.join(args.workdir, "inputs")
    subprocess.run([PY, os.path.join(HERE, "make_inputs.py"), inputs_dir, str(args.files)], check=True, capture_output=True)
    files = sorted(glob.glob(os.path.join(inputs_dir, "*.nc")))[: args.files]
    subprocess.run(["npx", "tsc", "-p", os.path.join(HERE, "tsconfig.json")], check=True, cwd=ROOT)
    nbytes = args.files * 24 * 500 * 500 * 4
    on_disk = sum(os.path.getsize(f) for f in files)
    node_entry = os.path.join(HERE, ".dist", "bench", "ingest", "ingest-once.js")
    contenders = [
        # The local executor inline (-j 0): reads, inflates and deflates on libuv's thread pool.
        ("dmac", lambda codec, out: ["node", node_entry, codec, out, *files], {"DMAC_CONCURRENCY": "0"}),
        ("dmac-workers", lambda codec, out: ["node", node_entry, codec, out, *files], {"DMAC_CONCURRENCY": str(args.concurrency)}),
        ("xarray", lambda codec, out: [PY, os.path.join(HERE, "xarray_convert.py"), codec, out, *files], {}),
        ("limit", lambda codec, out: [PY, os.path.join(HERE, "limit.py"), codec, *files], {}),
    ]
    results = {}
    for codec in args.codecs.split(","):
        # Rounds interleave the contenders, so a burst of load from other users of the machine
        # hits all of them alike; ratios are taken within each round.
        runs = {name: [] for name, _, _ in contenders}
        for _ in range(args.repeat):
            for name, make_cmd, extra in contenders:
                out = os.path.join(args.workdir, f"out-{name}-{codec}.zarr")
                shutil.rmtree(out, ignore_errors=True)
                # The previous contender's output is flushed now, not during this one's run.
                os.sync()
                runs[name].append(timed(make_cmd(codec, out), {**os.environ, **extra}))
                shutil.rmtree(out, ignore_errors=True)
        row = {}
        for name, got in runs.items():
            secs = [w for w, _, _ in got]
            # CPU seconds depend far less on other users' load than wall time does.
            cpu = [c for _, _, c in got]
            row[name] = {"seconds": min(secs), "secondsRange": [min(secs), max(secs)], "MBps": nbytes / 1e6 / min(secs), "peakRssMB": round(max(r for _, r, _ in got)), "cpuSecondsRange": [min(cpu), max(cpu)]}
        def ratios(a, b):
            per = sorted(runs[b][i][0] / runs[a][i][0] for i in range(args.repeat))
            return [per[0], per[-1], per[len(per) // 2]]
        row["dmac_vs_xarray"] = ratios("dmac", "xarray")
        row["dmac_vs_limit"] = ratios("dmac", "limit")
        row["xarray_vs_limit"] = ratios("xarray", "limit")
        results[codec] = row
    load = os.getloadavg()
    print(json.dumps({"files": args.files, "uncompressedMB": nbytes / 1e6, "onDiskMB": on_disk / 1e6, "loadavg": load, "results": results}, indent=2))
    print(f"\n{args.files} files, {nbytes / 1e6:.0f} MB uncompressed ({on_disk / 1e6:.0f} MB on disk); {args.repeat} rounds; load average {load[0]:.1f}")
    print(f"{'codec':<10} {'contender':<13} {'seconds (range)':>18} {'MB/s':>8} {'peak RSS MB':>12} {'CPU s (range)':>16}")
    for codec, row in results.items():
        for name, _, _ in contenders:
            r = row[name]
            lo, hi = r["secondsRange"]
            c0, c1 = r["cpuSecondsRange"]
            print(f"{codec:<10} {name:<13} {f'{lo:.2f}-{hi:.2f}':>18} {r['MBps']:>8.1f} {r['peakRssMB']:>12} {f'{c0:.2f}-{c1:.2f}':>16}")
        (a, b, am), (c, d, cm), (e, f, em) = row["dmac_vs_xarray"], row["dmac_vs_limit"], row["xarray_vs_limit"]
        print(f"{codec:<10} per round (median): dmac/xarray {a:.2f}-{b:.2f}x ({am:.2f}; target >= 1.5), dmac/limit {c * 100:.0f}-{d * 100:.0f}% ({cm * 100:.0f}%; target >= 80%), xarray/limit {e * 100:.0f}-{f * 100:.0f}% ({em * 100:.0f}%)")


if __name__ == "__main__":
    main()
