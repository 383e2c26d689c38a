"""Unit tests of the payload's parts; run with
PYTHONPATH=apps/ingest-worker /usr/bin/python3 -m unittest discover -s apps/ingest-worker/tests
(test/ingest-worker/python-unit.test.ts runs them in CI)."""
import json
import os
import tempfile
import unittest
from unittest import mock

import netCDF4
import numcodecs
import numpy as np

from ingest_worker.contract import ContractError, validate_task, validate_task_list
from ingest_worker.io import FileStore, SourceFetchError, fetch_source, local_path, open_store, read_url, source_s3_client, write_url
from ingest_worker.results import results_document
from ingest_worker.run import ChunkWriter, TaskError, check_source, chunk_key, contiguous_runs, hdf5_end_of_file


class MemoryStore:
    url = "memory://"

    def __init__(self):
        self.objects = {}

    def get(self, key):
        return self.objects.get(key)

    def set(self, key, value):
        self.objects[key] = bytes(value)


def zarray(shape, chunks, dtype="<f4", fill=None, compressor=None):
    return {"zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": dtype, "compressor": compressor,
            "fill_value": fill, "order": "C", "filters": None, "dimension_separator": "."}


def chunk(store, key, meta):
    raw = store.objects[key]
    if meta["compressor"] is not None:
        raw = numcodecs.get_codec(dict(meta["compressor"])).decode(raw)
    return np.frombuffer(bytes(raw), dtype=meta["dtype"]).reshape(meta["chunks"])


class ContiguousRuns(unittest.TestCase):
    def test_groups_steps_consecutive_on_both_sides(self):
        steps = [{"source": 2, "target": 12}, {"source": 0, "target": 10}, {"source": 1, "target": 11}, {"source": 5, "target": 13}]
        self.assertEqual([(r.source, r.target, r.length) for r in contiguous_runs(steps, 10)], [(0, 10, 3), (5, 13, 1)])

    def test_runs_stop_at_the_maximum_length(self):
        steps = [{"source": i, "target": i} for i in range(5)]
        self.assertEqual([(r.source, r.length) for r in contiguous_runs(steps, 2)], [(0, 2), (2, 2), (4, 1)])


class ChunkWriting(unittest.TestCase):
    def test_partial_chunk_is_merged_and_missing_chunk_starts_as_fill(self):
        store, meta = MemoryStore(), zarray([6, 2], [3, 2], fill="NaN")
        w = ChunkWriter(store, 2)
        w.write_region("a", meta, (0, 0), np.array([[1, 2]], dtype="<f4"))
        w.write_region("a", meta, (2, 0), np.array([[5, 6], [7, 8]], dtype="<f4"))
        np.testing.assert_array_equal(chunk(store, "a/0.0", meta), [[1, 2], [np.nan, np.nan], [5, 6]])
        np.testing.assert_array_equal(chunk(store, "a/1.0", meta), [[7, 8], [np.nan, np.nan], [np.nan, np.nan]])
        self.assertEqual(w.chunks, 3)
        self.assertEqual(w.bytes_written, 3 * 24)

    def test_a_chunk_covered_up_to_the_edge_is_rebuilt_not_merged(self):
        store, meta = MemoryStore(), zarray([4, 1], [3, 1], dtype="<i2", fill=-1)
        store.set("a/1.0", np.array([[9], [9], [9]], dtype="<i2").tobytes())
        ChunkWriter(store, 2).write_region("a", meta, (3, 0), np.array([[4]], dtype="<i2"))
        np.testing.assert_array_equal(chunk(store, "a/1.0", meta), [[4], [-1], [-1]])

    def test_null_fill_is_zero_and_codecs_and_v3_keys_apply(self):
        store = MemoryStore()
        meta = zarray([2, 3], [1, 3], dtype="<i8", compressor={"id": "zstd", "level": 3})
        w = ChunkWriter(store, 3)
        w.write_region("g/v", meta, (1, 1), np.array([[7, 8]], dtype="<i8"))
        self.assertEqual(list(store.objects), ["g/v/c/1/0"])
        np.testing.assert_array_equal(chunk(store, "g/v/c/1/0", meta), [[0, 7, 8]])

    def test_a_chunk_of_the_wrong_size_is_an_error_naming_it(self):
        store, meta = MemoryStore(), zarray([3], [3], fill=0)
        store.set("a/0", b"\0" * 4)
        with self.assertRaisesRegex(TaskError, r"memory:///a: chunk 0 has 4 bytes, expected 12"):
            ChunkWriter(store, 2).write_region("a", meta, (1,), np.array([1], dtype="<f4"))

    def test_chunk_keys(self):
        self.assertEqual(chunk_key("a/b", (1, 0, 2), 2), "a/b/1.0.2")
        self.assertEqual(chunk_key("a/b", (1, 0, 2), 3), "a/b/c/1/0/2")


class Sources(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def nc4(self):
        path = os.path.join(self.dir.name, "a.nc")
        with netCDF4.Dataset(path, "w") as ds:
            ds.createDimension("t", None)
            ds.createVariable("v", "f4", ("t",))[:] = np.arange(1000, dtype="f4")
        return path

    def test_hdf5_superblock_records_the_file_length(self):
        path = self.nc4()
        with open(path, "rb") as f:
            self.assertEqual(hdf5_end_of_file(f.read(64)), os.path.getsize(path))

    def test_truncated_missing_and_foreign_files_are_refused_with_the_reason(self):
        path = self.nc4()
        check_source(path)
        with open(path, "rb") as f:
            data = f.read()
        cut = os.path.join(self.dir.name, "cut.nc")
        with open(cut, "wb") as f:
            f.write(data[: len(data) // 2])
        with self.assertRaisesRegex(TaskError, rf"^{cut}: truncated: the HDF5 superblock records {len(data)} bytes but the file has {len(data) // 2}$"):
            check_source(cut)
        with self.assertRaisesRegex(TaskError, r"none.nc: cannot read \(ENOENT\)$"):
            check_source(os.path.join(self.dir.name, "none.nc"))
        text = os.path.join(self.dir.name, "x.nc")
        with open(text, "w") as f:
            f.write("hello")
        with self.assertRaisesRegex(TaskError, "not a NetCDF file"):
            check_source(text)


class Io(unittest.TestCase):
    def test_file_store_replaces_atomically_and_refuses_escaping_keys(self):
        with tempfile.TemporaryDirectory() as root:
            store = FileStore(root)
            store.set("a/0.0", b"one")
            store.set("a/0.0", b"two")
            self.assertEqual(store.get("a/0.0"), b"two")
            self.assertEqual(os.listdir(os.path.join(root, "a")), ["0.0"])
            self.assertIsNone(store.get("a/1.0"))
            for bad in ("../x", "/abs", "a//b", "a/./b"):
                with self.assertRaises(ValueError):
                    store.set(bad, b"")

    def test_urls(self):
        self.assertEqual(local_path("file:///data/a%20b.nc"), "/data/a b.nc")
        self.assertEqual(local_path("/data/a.nc"), "/data/a.nc")
        self.assertIsNone(local_path("s3://bucket/a.nc"))
        with self.assertRaisesRegex(ValueError, "unsupported scheme"):
            open_store("gs://bucket/x.zarr")
        with tempfile.TemporaryDirectory() as root:
            url = f"file://{root}/deep/results.json"
            write_url(url, b"{}")
            self.assertEqual(read_url(url), b"{}")
            with self.assertRaisesRegex(FileNotFoundError, "other.json: not found"):
                read_url(f"{root}/other.json")


class SourceSettings(unittest.TestCase):
    """The source's S3 client comes from DMAC_SOURCE_* only; AWS_* are the store's identity."""

    def client(self, env):
        with mock.patch.dict(os.environ, {"AWS_ACCESS_KEY_ID": "STORE", "AWS_SECRET_ACCESS_KEY": "store", "AWS_REGION": "eu-west-1", **env}, clear=True):
            return source_s3_client()

    def test_secret_keys_endpoint_and_region(self):
        c = self.client({"DMAC_SOURCE_S3_ENDPOINT": "http://minio:9000", "DMAC_SOURCE_AWS_REGION": "us-west-2", "DMAC_SOURCE_AWS_ACCESS_KEY_ID": "SRC", "DMAC_SOURCE_AWS_SECRET_ACCESS_KEY": "src"})
        self.assertEqual(c._request_signer._credentials.access_key, "SRC")
        self.assertEqual(c.meta.endpoint_url, "http://minio:9000")
        self.assertEqual(c.meta.region_name, "us-west-2")
        self.assertEqual(c.meta.config.s3["addressing_style"], "path")

    def test_anonymous_is_unsigned_and_the_region_defaults_as_the_operators(self):
        from botocore import UNSIGNED

        c = self.client({"DMAC_SOURCE_ANONYMOUS": "true"})
        self.assertIs(c.meta.config.signature_version, UNSIGNED)
        self.assertEqual(c.meta.region_name, "us-east-1")

    def test_half_a_key_pair_is_an_error_naming_both_variables(self):
        with self.assertRaisesRegex(SourceFetchError, "DMAC_SOURCE_AWS_ACCESS_KEY_ID and DMAC_SOURCE_AWS_SECRET_ACCESS_KEY"):
            self.client({"DMAC_SOURCE_AWS_ACCESS_KEY_ID": "SRC"})

    def test_local_sources_are_read_in_place_and_other_schemes_refused(self):
        with fetch_source("file:///data/a.nc") as path:
            self.assertEqual(path, "/data/a.nc")
        with self.assertRaisesRegex(SourceFetchError, r"^gs://b/a.nc: unsupported source scheme"):
            with fetch_source("gs://b/a.nc"):
                pass


class Documents(unittest.TestCase):
    def test_task_list_needs_the_contract_and_unique_ids(self):
        with self.assertRaisesRegex(ContractError, "task list/contract"):
            validate_task_list({"chains": []})
        task = {"id": "a"}
        with self.assertRaisesRegex(ContractError, "task id 'a' appears more than once"):
            validate_task_list({"contract": "dmac.ioos.us/ingest-task/v1", "chains": [[task], [task]]})
        self.assertEqual(validate_task_list({"contract": "dmac.ioos.us/ingest-task/v1", "chains": [[task]]}), [[task]])

    def test_integers_written_as_floats_become_ints_and_numbers_stay(self):
        # JSON writers may give 3.0 for 3; Ajv accepts it, and numpy slices and shapes need ints.
        zarray = {"zarr_format": 2, "shape": [4.0, 5, 7], "chunks": [1.0, 5, 7], "dtype": "<f4", "compressor": None, "fill_value": 1.0, "order": "C", "filters": None, "dimension_separator": "."}
        doc = {"contract": "dmac.ioos.us/ingest-task/v1", "id": "t", "source": {"url": "/a.nc"}, "target": {"store": "/x.zarr", "zarrFormat": 2.0},
               "concatDim": "time", "steps": [{"source": 0.0, "target": 3.0}], "arrays": [{"variable": "v", "path": "v", "zarray": zarray}]}
        task = validate_task(doc)
        self.assertEqual([type(task["steps"][0][k]) for k in ("source", "target")], [int, int])
        self.assertEqual([type(n) for n in task["arrays"][0]["zarray"]["shape"] + task["arrays"][0]["zarray"]["chunks"]], [int] * 6)
        self.assertIs(type(task["target"]["zarrFormat"]), int)
        self.assertIs(type(task["arrays"][0]["zarray"]["fill_value"]), float)
        self.assertEqual(contiguous_runs(task["steps"], 4)[0].source, 0)
        self.assertIs(type(doc["steps"][0]["source"]), float, "the caller's document is not changed")
        with self.assertRaisesRegex(ContractError, "/steps/0/source: must be integer"):
            validate_task({**doc, "steps": [{"source": 0.5, "target": 0}]})

    def test_results_document_keeps_only_the_contract_fields(self):
        doc = results_document([{"id": "a", "chunks": 1, "bytesWritten": 2, "bytesRead": 3, "extra": 4}], [{"id": "b", "error": "e", "ok": False}])
        self.assertEqual(json.loads(json.dumps(doc)), {"contract": "dmac.ioos.us/ingest-task/v1", "results": [{"id": "a", "chunks": 1, "bytesWritten": 2, "bytesRead": 3}], "failures": [{"id": "b", "error": "e"}]})


if __name__ == "__main__":
    unittest.main()
