// The Dask payload reading its sources itself, as it does in a cluster where the operator's
// temporary copies are out of reach: tasks name s3:// (or http(s)://) URLs, the payload downloads
// each object with the source's own settings (DMAC_SOURCE_*, the variables the DaskJob carries)
// from an S3 server that checks signatures, and the store equals the local executor's, which read
// the same files from disk. A missing object, refused credentials or an HTTP 404 fail their task
// only, naming the URL and the server's answer; temporary copies are removed either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import { ingest } from "../../dataplane/index.js";
import type { DaskTaskList } from "../../operators/ingestjob/daskjob.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { forecasts } from "../support/cycle-files.js";
import { startSignedS3, type SignedS3Server } from "../support/s3-signed-server.js";
import { compareStores, daskPayloadExecutor, type PayloadRun } from "./harness.js";

const keys = { accessKeyId: "AKIDDMACSOURCE01", secretAccessKey: "source/Secret+key-for-the-payload" };
const tmp = tempDir("dmac-iw-remote-");
const c00 = cycleAt("2023-10-22T00:00:00Z");
const layout = { chunking: { ocean_time: 2 }, encoding: { codec: "zlib" as const, level: 1 } };
let s3: SignedS3Server;
let http: Server;
let httpBase: string;
/** What the HTTP server serves: URL path -> file. */
const served = new Map<string, string>();

beforeAll(async () => {
  s3 = await startSignedS3(keys);
  // Plain HTTP stands in for https://: the payload fetches both with urllib.
  http = createServer((req, res) => {
    const file = served.get(req.url ?? "");
    if (file === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { "Content-Length": body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await s3.close();
  await new Promise((resolve) => http.close(resolve));
  tmp.cleanup();
});

/** ROMS forecast files on disk (what the planner reads) and the same bytes in the bucket. */
function sources(dir: string, hours: number[]): { files: string[]; urlOf: (path: string) => string } {
  const files = forecasts(c00, hours).map((f) => romsFile(join(tmp.path, dir), f));
  for (const file of files) s3.put("ofs", `${dir}/${basename(file)}`, readFileSync(file));
  return { files, urlOf: (path) => `s3://ofs/${dir}/${basename(path)}` };
}

/** The source settings the DaskJob's containers get, plus a store identity (AWS_*) the source must not use. */
function sourceEnv(scratch: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DMAC_SOURCE_S3_ENDPOINT: s3.endpoint,
    DMAC_SOURCE_AWS_REGION: s3.region,
    DMAC_SOURCE_AWS_ACCESS_KEY_ID: keys.accessKeyId,
    DMAC_SOURCE_AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_ACCESS_KEY_ID: "AKIDTHESTOREROLE",
    AWS_SECRET_ACCESS_KEY: "the-store-identity",
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9",
    TMPDIR: scratch,
    ...extra,
  };
}

function scratchDir(name: string): string {
  const dir = join(tmp.path, `${name}-scratch`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const leftovers = (scratch: string) => readdirSync(scratch).filter((name) => name.startsWith("dmac-source-"));
const taskList = (store: string, run: PayloadRun) => JSON.parse(readFileSync(join(store, ".dmac", "dask", run.name, "tasks.json"), "utf8")) as DaskTaskList;

describe("the Dask payload reads remote sources itself", () => {
  it("s3:// sources with the Secret's keys: the store equals the local executor's, no copies left behind", async () => {
    const { files, urlOf } = sources("signed", [1, 2, 3, 4, 5]);
    const local = join(tmp.path, "signed-local.zarr");
    await ingest({ inputs: files, store: local, concurrency: 0, ...layout });

    const store = join(tmp.path, "signed-dask.zarr");
    const scratch = scratchDir("signed");
    const payload = daskPayloadExecutor(store, { sourceUrl: urlOf, env: sourceEnv(scratch) });
    const refusedBefore = [...s3.refused.values()].reduce((a, b) => a + b, 0);
    const report = await ingest({ inputs: files, store, executor: payload.executor, ...layout });
    expect(report.files.map((f) => f.status)).toEqual(files.map(() => "ingested"));
    const run = payload.runs[0]!;
    expect(run.results.failures).toEqual([]);
    // The task list names the objects, not paths only the planner's machine has; ids stay the planner's.
    const tasks = taskList(store, run).chains.flat();
    expect(tasks.map((t) => t.source.url)).toEqual(files.map(urlOf));
    expect(tasks.map((t) => t.id)).toEqual(files);
    expect([...s3.refused.values()].reduce((a, b) => a + b, 0)).toBe(refusedBefore);
    expect(leftovers(scratch)).toEqual([]);

    const cmp = await compareStores(local, store);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });

  it("a missing object fails its task naming the URL and NoSuchKey; the files before it land", async () => {
    const { files, urlOf } = sources("missing", [1, 2, 3]);
    const local = join(tmp.path, "missing-local.zarr");
    await ingest({ inputs: files.slice(0, 2), store: local, concurrency: 0, ...layout });

    const store = join(tmp.path, "missing-dask.zarr");
    const scratch = scratchDir("missing");
    const gone = files[2]!;
    const payload = daskPayloadExecutor(store, {
      sourceUrl: urlOf,
      env: sourceEnv(scratch),
      workers: 1,
      // Deleted after planning, as an object removed between the operator's listing and the workers' reads.
      before: () => s3.objects.delete(`ofs/missing/${basename(gone)}`),
    });
    const report = await ingest({ inputs: files, store, executor: payload.executor, ...layout });
    expect(report.files.map((f) => f.status)).toEqual(["ingested", "ingested", "refused"]);
    expect(payload.runs[0]!.results.failures).toEqual([{ id: gone, error: `${urlOf(gone)}: S3 answered 404 NoSuchKey: NoSuchKey (test server)` }]);
    expect(payload.runs[0]!.results.results.map((r) => r.id)).toEqual(files.slice(0, 2));
    expect(leftovers(scratch)).toEqual([]);

    const cmp = await compareStores(local, store);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });

  it("the source's identity is the one S3 sees: a wrong secret is SignatureDoesNotMatch, anonymous is unsigned", async () => {
    const { files, urlOf } = sources("identity", [1, 2]);
    for (const [name, extra, code] of [
      ["wrong", { DMAC_SOURCE_AWS_SECRET_ACCESS_KEY: "not-the-secret" }, "SignatureDoesNotMatch"],
      ["anonymous", { DMAC_SOURCE_ANONYMOUS: "true", DMAC_SOURCE_AWS_ACCESS_KEY_ID: "", DMAC_SOURCE_AWS_SECRET_ACCESS_KEY: "" }, "AccessDenied"],
    ] as const) {
      const scratch = scratchDir(`identity-${name}`);
      const payload = daskPayloadExecutor(join(tmp.path, `identity-${name}.zarr`), { sourceUrl: urlOf, env: sourceEnv(scratch, extra), workers: 1 });
      const refusedBefore = s3.refused.get(code) ?? 0;
      const report = await ingest({ inputs: files, store: join(tmp.path, `identity-${name}.zarr`), executor: payload.executor, ...layout });
      expect(report.files.map((f) => f.status)).toEqual(["refused", "refused"]);
      expect(payload.runs[0]!.results.failures).toEqual(files.map((id) => ({
        id,
        error: `${urlOf(id)}: S3 answered 403 ${code}: ${code} (test server) (check the credentials in spec.source.credentials.secretRef)`,
      })));
      expect(s3.refused.get(code) ?? 0).toBeGreaterThanOrEqual(refusedBefore + 2);
      expect(leftovers(scratch)).toEqual([]);
    }
  });

  it("http(s):// sources are fetched with urllib; a 404 fails its task only", async () => {
    const files = forecasts(c00, [1, 2]).map((f) => romsFile(join(tmp.path, "web"), f));
    for (const file of files) served.set(`/${basename(file)}`, file);
    const missing = romsFile(join(tmp.path, "web"), { cycle: c00, kind: "f", hour: 3 });
    const local = join(tmp.path, "web-local.zarr");
    await ingest({ inputs: files, store: local, concurrency: 0, ...layout });

    const store = join(tmp.path, "web-dask.zarr");
    const scratch = scratchDir("web");
    const urlOf = (path: string) => `${httpBase}/${basename(path)}`;
    const payload = daskPayloadExecutor(store, { sourceUrl: urlOf, env: sourceEnv(scratch), workers: 1 });
    const report = await ingest({ inputs: [...files, missing], store, executor: payload.executor, ...layout });
    expect(report.files.map((f) => f.status)).toEqual(["ingested", "ingested", "refused"]);
    expect(payload.runs[0]!.results.failures).toEqual([{ id: missing, error: `${urlOf(missing)}: GET answered 404 Not Found` }]);
    expect(leftovers(scratch)).toEqual([]);
    const cmp = await compareStores(local, store);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });
});
