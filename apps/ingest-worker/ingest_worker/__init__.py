"""The Dask payload of the ingest: runs ingest task documents (dmac.ioos.us/ingest-task/v1) on a
dask.distributed cluster and reports per-task results in the local executor's shape.

See apps/ingest-worker/README.md and docs/ingest-worker.md.
"""

CONTRACT = "dmac.ioos.us/ingest-task/v1"
__version__ = "0.1.0"
