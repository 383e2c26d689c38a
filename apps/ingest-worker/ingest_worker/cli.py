"""python -m ingest_worker --tasks URL --results URL [--scheduler ADDRESS | --local-workers N]

Reads the operator's task list, runs its chains on a dask.distributed cluster (tasks of one chain
in order, chains in parallel), and writes the results document. Exit status: 0 when the results
document was written (task failures are reported in it, per file), 2 when the task list cannot be
read or is invalid, 1 for any other error (no results written: the operator retries every file).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
import uuid

from . import CONTRACT, __version__
from .contract import ContractError, validate_task_list
from .io import read_url
from .results import write_results

log = logging.getLogger("ingest_worker")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ingest_worker", description="Runs dmac ingest tasks on Dask and reports per-task results.")
    p.add_argument("--tasks", required=True, help="URL of the task list ({contract, chains}): file://, a local path or s3://")
    p.add_argument("--results", required=True, help="URL to write the results document to")
    p.add_argument("--scheduler", help="Dask scheduler address (default: $DASK_SCHEDULER_ADDRESS, which dask-kubernetes sets for a DaskJob)")
    p.add_argument("--local-workers", type=int, help="run a LocalCluster with N worker processes instead of connecting to a scheduler")
    p.add_argument("--connect-timeout", type=float, default=120.0, help="seconds to wait for the scheduler (default 120)")
    p.add_argument("--version", action="version", version=f"ingest_worker {__version__} ({CONTRACT})")
    args = p.parse_args(argv)
    if args.local_workers is not None and args.local_workers < 1:
        p.error("--local-workers: must be at least 1")
    if args.local_workers is not None and args.scheduler:
        p.error("--scheduler and --local-workers exclude each other")
    return args


def _client(args: argparse.Namespace):
    from distributed import Client, LocalCluster

    address = args.scheduler or (None if args.local_workers else os.environ.get("DASK_SCHEDULER_ADDRESS"))
    if address:
        log.info("connecting to the Dask scheduler at %s", address)
        return Client(address, timeout=args.connect_timeout), None
    workers = args.local_workers or os.cpu_count() or 1
    log.info("starting a LocalCluster with %d worker processes", workers)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def run_chains(client, chains: list[list[dict]]) -> tuple[list[dict], list[dict]]:
    """Submits every task, each depending on the one before it in its chain; gathers outcomes.

    Results and failures come back in task-list order, whatever order tasks finish in.
    """
    from distributed import as_completed

    from .run import run_document

    batch = uuid.uuid4().hex[:8]
    order: list[tuple[str, object]] = []
    for c, chain in enumerate(chains):
        previous = None
        for t, task in enumerate(chain):
            previous = client.submit(run_document, task, previous, key=f"ingest-{batch}-{c}-{t}", pure=False)
            order.append((task["id"], previous))
    outcomes: dict[str, dict] = {}
    futures = {f.key: task_id for task_id, f in order}
    total = len(order)
    for future in as_completed([f for _, f in order]):
        task_id = futures[future.key]
        try:
            outcome = future.result()
        except Exception as err:
            # The function never raises, so this is the cluster: a worker lost (KilledWorker) or a
            # dependency lost with it. Retrying can help; the operator retries "run again" failures.
            outcome = {"ok": False, "id": task_id, "error": f"the Dask cluster lost this task ({type(err).__name__}: {err}); run again"}
        outcomes[task_id] = outcome
        log.info("%d/%d %s %s", len(outcomes), total, "ok" if outcome["ok"] else "FAILED", outcome.get("error") or task_id)
    results = [outcomes[i]["result"] for i, _ in order if outcomes[i]["ok"]]
    failures = [{"id": i, "error": outcomes[i]["error"]} for i, _ in order if not outcomes[i]["ok"]]
    return results, failures


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    # As PID 1 in a container, SIGTERM would be ignored without a handler: exit so the pod stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args(argv)
    expected = os.environ.get("DMAC_TASK_CONTRACT")
    if expected and expected != CONTRACT:
        log.error("the operator speaks %s, this worker %s", expected, CONTRACT)
        return 2
    try:
        chains = validate_task_list(json.loads(read_url(args.tasks)))
    except (OSError, ValueError, ContractError) as err:
        log.error("%s: %s", args.tasks, err)
        return 2
    started = time.monotonic()
    client, cluster = _client(args)
    try:
        results, failures = run_chains(client, chains)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    write_results(args.results, results, failures)
    log.info("%d tasks ok, %d failed, %.1f s; results at %s", len(results), len(failures), time.monotonic() - started, args.results)
    return 0
