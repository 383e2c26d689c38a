"""The results document the operator reads back (operators/ingestjob/daskjob.ts `DaskResults`)."""
from __future__ import annotations

import json

from . import CONTRACT
from .io import write_url


def results_document(results: list[dict], failures: list[dict]) -> dict:
    return {
        "contract": CONTRACT,
        "results": [{k: r[k] for k in ("id", "chunks", "bytesWritten", "bytesRead")} for r in results],
        "failures": [{"id": f["id"], "error": f["error"]} for f in failures],
    }


def write_results(url: str, results: list[dict], failures: list[dict]) -> None:
    """Writes the results in one atomic replace: the operator never reads half a document."""
    write_url(url, (json.dumps(results_document(results, failures), indent=2) + "\n").encode())
