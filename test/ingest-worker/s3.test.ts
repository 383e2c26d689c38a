// The payload against S3 (the local S3-compatible test server standing in for AWS): it reads the
// task list from s3://, writes chunks with one PUT each and the results document back to s3://,
// with the endpoint taken from AWS_ENDPOINT_URL_S3 as the TypeScript S3 store takes it. The store
// equals the one the local executor writes to disk for the same files.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ingest } from "../../dataplane/index.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { useS3TestServer } from "../support/s3-env.js";
import { compareStores, daskPayloadExecutor } from "./harness.js";

const tmp = tempDir("dmac-iw-s3-");
const s3Server = useS3TestServer({ setProcessEnv: true });
afterAll(() => tmp.cleanup());

describe("the Dask payload on S3", () => {
  it("reads tasks from s3://, writes chunks and results there, and equals the local executor's store", async () => {
    const s3 = s3Server();
    const c = cycleAt("2023-10-22T00:00:00Z");
    const files = [1, 2, 3, 4].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour }));
    const options = { inputs: files, chunking: { ocean_time: 2 }, encoding: { codec: "blosc-lz4" as const } };
    const local = join(tmp.path, "local.zarr");
    await ingest({ ...options, store: local, concurrency: 0 });

    const url = "s3://ocean-data/cbofs/dask.zarr";
    const payload = daskPayloadExecutor(url);
    const putsBefore = s3.requests.put;
    const report = await ingest({ ...options, store: url, executor: payload.executor });
    expect(report.files.map((f) => f.status)).toEqual(["ingested", "ingested", "ingested", "ingested"]);
    const run = payload.runs[0]!;
    expect(run.results.failures).toEqual([]);
    expect(s3.objects.has(`ocean-data/cbofs/dask.zarr/.dmac/dask/${run.name}/results.json`)).toBe(true);
    // Every chunk the payload reported is one PUT (plus the task list, results and the commit's metadata).
    const reportedChunks = run.results.results.reduce((n, r) => n + r.chunks, 0);
    expect(reportedChunks).toBeGreaterThan(0);
    expect(s3.requests.put - putsBefore).toBeGreaterThanOrEqual(reportedChunks + 2);

    // Copy the bucket's objects to disk and compare as for local stores.
    const copy = join(tmp.path, "from-s3.zarr");
    for (const [key, bytes] of s3.objects) {
      if (!key.startsWith("ocean-data/cbofs/dask.zarr/")) continue;
      const path = join(copy, key.slice("ocean-data/cbofs/dask.zarr/".length));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    const cmp = await compareStores(local, copy);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });
});
