// Stores other than the local filesystem: S3 (against a local S3-compatible test server that
// stands in for AWS) for writing, plain HTTP for read-only access, zarrita as the reader the
// data API uses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as zarr from "zarrita";
import { S3Store } from "../../dataplane/zarr/s3-store.js";
import { HttpStore, ingest, openStore, readConsolidated, resolveInputs, type Ledger } from "../../dataplane/index.js";
import { startS3, type S3TestServer } from "./s3-server.js";
import { startSignedS3 } from "../support/s3-signed-server.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";

const tmp = tempDir();
let s3: S3TestServer;
const saved = { ...process.env };
beforeAll(async () => {
  s3 = await startS3();
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" });
});
afterAll(async () => {
  process.env = saved;
  await s3.close();
  tmp.cleanup();
});

describe("S3 and HTTP stores", () => {
  it("ingests into s3:// and the result reads back over HTTP with zarrita, equal to a local run", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const files = [1, 2, 3].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour }));
    const r = await ingest({ store: "s3://ocean-data/cbofs/append.zarr", inputs: files, concurrency: 0, encoding: { codec: "blosc-lz4" } });
    expect(r.timeSteps).toBe(3);
    expect(s3.objects.has("ocean-data/cbofs/append.zarr/.zmetadata")).toBe(true);
    expect(s3.objects.has("ocean-data/cbofs/append.zarr/zeta/2.0.0")).toBe(true);
    // Idempotent on S3 too.
    expect((await ingest({ store: "s3://ocean-data/cbofs/append.zarr", inputs: files, concurrency: 0 })).timeSteps).toBe(0);

    const local = join(tmp.path, "local.zarr");
    await ingest({ store: local, inputs: files, concurrency: 0, encoding: { codec: "blosc-lz4" } });

    const http = await openStore(`${s3.endpoint}/ocean-data/cbofs/append.zarr`);
    expect(http).toBeInstanceOf(HttpStore);
    expect("set" in http).toBe(false);
    const viaHttp = await readConsolidated<Ledger>(http);
    expect(viaHttp?.ledger?.groups[""]?.length).toBe(3);

    const remote = await zarr.withConsolidatedMetadata(http as never, { format: "v2" });
    const arr = await zarr.open.v2(zarr.root(remote).resolve("temp"), { kind: "array" });
    const localArr = await zarr.open.v2(zarr.root(await openStore(local) as never).resolve("temp"), { kind: "array" });
    const [a, b] = await Promise.all([zarr.get(arr), zarr.get(localArr)]);
    expect(a.shape).toEqual([3, 3, 5, 7]);
    expect(Array.from(a.data as Float32Array)).toEqual(Array.from(b.data as Float32Array));
    await expect(import("../../dataplane/index.js").then((m) => m.openWritableStore(`${s3.endpoint}/x`))).rejects.toThrow(/read-only/);
  });

  it("s3:// inputs are fetched with their key layout, so cycles parse from the key", async () => {
    const c = cycleAt("2023-10-22T06:00:00Z");
    const file = romsFile(join(tmp.path, "remote"), { cycle: c, kind: "f", hour: 2 });
    const key = "cbofs.20231022/nos.cbofs.fields.f002.20231022.t06z.nc";
    await new S3Store({ bucket: "noaa-ofs-pds", prefix: "", client: new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1" }) }).set(`/${key}`, readFileSync(file));
    const resolved = await resolveInputs([`s3://noaa-ofs-pds/${key}`, "s3://noaa-ofs-pds/missing.nc"]);
    try {
      expect(resolved.files).toHaveLength(1);
      expect(resolved.files[0]).toMatch(/noaa-ofs-pds\/cbofs\.20231022\/nos\.cbofs\.fields\.f002\.20231022\.t06z\.nc$/);
      expect(readFileSync(resolved.files[0] as string)).toEqual(readFileSync(file));
      expect(resolved.failures[0]?.reason).toBe("s3://noaa-ofs-pds/missing.nc: S3 answered 404 NoSuchKey: not found");
      const r = await ingest({ store: join(tmp.path, "best.zarr"), inputs: resolved.files, aggregation: { type: "best-forecast" }, concurrency: 0 });
      expect(r.files[0]?.status).toBe("ingested");
    } finally {
      await resolved.cleanup();
    }
  });

  it("s3:// inputs are read with the client passed in (another server, other keys), not the AWS_* environment's", async () => {
    // The environment points at the unsigned server with keys the signed one does not know.
    const keys = { accessKeyId: "AKIDDMACINPUTS01", secretAccessKey: "inputs/Secret+key" };
    const signed = await startSignedS3(keys);
    const client = new S3Client({ endpoint: signed.endpoint, forcePathStyle: true, region: signed.region, credentials: keys });
    const file = romsFile(join(tmp.path, "signed"), { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour: 3 });
    const key = "cbofs.20231022/nos.cbofs.fields.f003.20231022.t00z.nc";
    signed.put("ofs", key, readFileSync(file));
    const resolved = await resolveInputs([`s3://ofs/${key}`, "s3://ofs/gone.nc"], { s3: { client, credentials: "the test's keys" } });
    try {
      expect(resolved.files).toHaveLength(1);
      expect(resolved.files[0]).toMatch(/ofs\/cbofs\.20231022\/nos\.cbofs\.fields\.f003\.20231022\.t00z\.nc$/);
      expect(readFileSync(resolved.files[0] as string)).toEqual(readFileSync(file));
      expect(resolved.origins.get(resolved.files[0] as string)).toBe(`s3://ofs/${key}`);
      expect(resolved.failures).toEqual([{ input: "s3://ofs/gone.nc", reason: "s3://ofs/gone.nc: S3 answered 404 NoSuchKey: NoSuchKey (test server)" }]);
      expect([...signed.refused.values()]).toEqual([]);
      // The caller's client is still open: resolveInputs leaves it to the caller to destroy.
      expect((await client.send(new HeadObjectCommand({ Bucket: "ofs", Key: key }))).ContentLength).toBe(readFileSync(file).length);

      // Without a client, the environment's identity is the one S3 sees, and a refusal says where it comes from.
      const endpoint = process.env.AWS_ENDPOINT_URL_S3;
      process.env.AWS_ENDPOINT_URL_S3 = signed.endpoint;
      const fromEnv = await resolveInputs([`s3://ofs/${key}`]).finally(() => {
        process.env.AWS_ENDPOINT_URL_S3 = endpoint;
      });
      expect(fromEnv.files).toEqual([]);
      expect(fromEnv.failures.map((f) => f.reason)).toEqual([`s3://ofs/${key}: S3 answered 403 InvalidAccessKeyId: InvalidAccessKeyId (test server) (check the credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)`]);
      await fromEnv.cleanup();
    } finally {
      await resolved.cleanup();
      client.destroy();
      await signed.close();
    }
  });

  it("https:// (here plain http on a local server) inputs are fetched with their key layout", async () => {
    const { createServer } = await import("node:http");
    const c = cycleAt("2023-10-22T12:00:00Z");
    const file = romsFile(join(tmp.path, "web"), { cycle: c, kind: "n", hour: 6 });
    const key = "cbofs.20231022/nos.cbofs.fields.n006.20231022.t12z.nc";
    const server = createServer((req, res) => {
      if (req.url === `/noaa-ofs-pds/${key}`) res.writeHead(200).end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const resolved = await resolveInputs([`http://127.0.0.1:${port}/noaa-ofs-pds/${key}`, `http://127.0.0.1:${port}/missing.nc`]);
    try {
      expect(resolved.files[0]).toMatch(/cbofs\.20231022\/nos\.cbofs\.fields\.n006\.20231022\.t12z\.nc$/);
      expect(readFileSync(resolved.files[0] as string)).toEqual(readFileSync(file));
      expect(resolved.failures[0]?.reason).toMatch(/missing\.nc: HTTP 404/);
      const r = await ingest({ store: join(tmp.path, "run.zarr"), inputs: resolved.files, aggregation: { type: "model-run" }, concurrency: 0 });
      expect(r.lengths).toEqual({ nowcast: 1 });
    } finally {
      await resolved.cleanup();
      server.close();
    }
  });
});
