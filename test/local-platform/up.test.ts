// The local platform (`npm start` = `dmac up`) end to end: clusters/local applied to the embedded
// control plane, the shipped samples ingested, the STAC and EDR APIs answering; then a restart on
// the same data directory resumes without ingesting anything again.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPlatform, type LocalPlatform } from "../../apps/local-platform/index.js";
import type { IngestJob } from "../../crds/index.js";
import { ingestJobs, ResourceClient } from "../../operators/client.js";
import { createLogger } from "../../operators/runtime/index.js";
import { isLoopback, listeners } from "../support/listening.js";
import { waiter } from "../support/until.js";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "../..");
const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));
const logLines: string[] = [];
const captured = createLogger("dmac-local", "info", new Writable({ write: (chunk, _e, cb) => (logLines.push(String(chunk)), cb()) }));
const until = waiter({ timeoutMs: 240_000, intervalMs: 250 });

describe("the local platform", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-up-"));
  let platform: LocalPlatform | undefined;
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobsSettled = async (p: LocalPlatform) => {
    const list = await new ResourceClient(p.kubeConfig, ingestJobs).list();
    return list.length === 4 && list.every((j) => j.status?.phase === "Succeeded" && j.status.observedGeneration === j.metadata.generation) ? list : undefined;
  };

  it("applies clusters/local, ingests the samples and serves them through the STAC and EDR APIs", async () => {
    platform = await startLocalPlatform({ dataDir: dir, portBase: 0, repoRoot, log: captured });
    expect(platform.applied.applied).toBeGreaterThan(20);
    const jobs: IngestJob[] = await until("the sample IngestJobs Succeeded", () => jobsSettled(platform!));
    // The station sample (issue #20) is two files: a CF DSG NetCDF of tide gauges and an ERDDAP CSV of buoys;
    // the derived sample (issue #18) reads a Dataset, not files.
    for (const job of jobs.filter((j) => j.spec.source.datasetRef === undefined)) expect(job.status?.items).toMatchObject(job.metadata.name === "chesapeake-stations" ? { total: 2, succeeded: 2, failed: 0 } : { total: 12, succeeded: 12, failed: 0 });

    const stac = await until("both collections published", async () => {
      const body = (await (await fetch(`${platform!.catalogApiUrl}/collections`)).json()) as { collections: { id: string; extent: { temporal: { interval: (string | null)[][] } } }[] };
      return body.collections.length === 4 && body.collections.every((c) => c.extent.temporal.interval[0]?.[1] !== null) ? body : undefined;
    });
    expect(stac.collections.map((c) => c.id).sort()).toEqual(["cbofs-best-forecast", "gcoos-ngofs2-nowcast", "maracoos-cbofs-zeta-daily-max", "maracoos-chesapeake-stations"]);

    const edr = await until("the data API serves the datasets", async () => {
      const body = (await (await fetch(`${platform!.dataApiUrl}/collections`)).json()) as { collections: { id: string }[] };
      return body.collections.length === 4 ? body : undefined;
    });
    expect(edr.collections.map((c) => c.id).sort()).toEqual(["gcoos-ngofs2-nowcast", "maracoos-cbofs-best-forecast", "maracoos-cbofs-zeta-daily-max", "maracoos-chesapeake-stations"]);
    const locations = (await (await fetch(`${platform.dataApiUrl}/collections/maracoos-chesapeake-stations/locations`)).json()) as { features: { id: string }[] };
    expect(locations.features.map((f) => f.id)).toEqual(["8574680", "8575512", "8577330", "8638610", "44062", "44063", "44058"]);
    const position = await fetch(`${platform.dataApiUrl}/collections/maracoos-cbofs-best-forecast/position?coords=POINT(-76.2%2037.2)&parameter-name=zeta`);
    expect(position.status).toBe(200);
    const coverage = (await position.json()) as { type: string; domain: { axes: { t: { values: string[] } } } };
    expect(coverage.domain.axes.t.values).toHaveLength(12);

    const { stdout } = await run("/usr/bin/python3", ["-c", `import xarray as xr; ds = xr.open_zarr(${JSON.stringify(join(dir, "stores", "cbofs-best-forecast.zarr"))}, consolidated=True); print(ds.sizes["ocean_time"])`]);
    expect(stdout.trim()).toBe("12");
    const { stdout: kubectl } = await run("kubectl", ["--kubeconfig", platform.kubeconfigPath, "get", "ingestjobs", "-A", "-o", "jsonpath={.items[*].status.phase}"]);
    expect(kubectl.split(" ")).toEqual(["Succeeded", "Succeeded", "Succeeded", "Succeeded"]);
    // The sample derived Dataset (docs/derived.md): one step per UTC day of the best forecast.
    const { stdout: days } = await run("/usr/bin/python3", ["-c", `import xarray as xr; ds = xr.open_zarr(${JSON.stringify(join(dir, "stores", "cbofs-best-forecast.zarr"))}, consolidated=True); print(len(set(ds.ocean_time.dt.floor("D").values)))`]);
    const derived = jobs.find((j) => j.metadata.name === "cbofs-zeta-daily-max");
    expect(derived?.status?.derived?.steps).toBe(Number(days.trim()));

    // Issue #22: every port the platform opened is on loopback (the operator's probe port included),
    // and the APIs log each request at info with the id their answers carry.
    const open = listeners([process.pid]);
    expect(open.length).toBeGreaterThanOrEqual(5);
    expect(open.filter((l) => !isLoopback(l.address))).toEqual([]);
    const refused = await fetch(`${platform.dataApiUrl}/collections/nope`);
    const id = refused.headers.get("x-request-id");
    expect(((await refused.json()) as { requestId: string }).requestId).toBe(id);
    // The components log from their own threads: their lines arrive a moment after the answer.
    const lines = await until("the request's log lines", async () => {
      const parsed = logLines.map((l) => JSON.parse(l) as { component?: string; reqId?: string; msg: string });
      return parsed.filter((l) => l.component === "data-api" && l.reqId === id).length === 2 ? parsed : undefined;
    });
    expect(lines.filter((l) => l.component === "data-api" && l.reqId === id).map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
    expect(lines.some((l) => l.component === "catalog" && l.msg === "request completed")).toBe(true);
    // The control plane on this thread, the catalog API, the operator and the data API each in a
    // worker thread of its own; the viewer shares the data API's, and serves the page.
    expect(platform.components.map((c) => c.name)).toEqual(["catalog", "operator", "data-api"]);
    expect(new Set(platform.components.map((c) => c.worker.threadId)).size).toBe(3);
    expect(platform.components.find((c) => c.name === "data-api")?.info.viewerUrl).toBe(platform.viewerUrl);
    expect((await fetch(`${platform.viewerUrl}/`)).status).toBe(200);
  }, 300_000);

  it("a restart on the same data directory resumes: nothing is ingested twice", async () => {
    await platform?.stop();
    platform = await startLocalPlatform({ dataDir: dir, portBase: 0, repoRoot, log: silent });
    await until("jobs settled after restart", () => jobsSettled(platform!));
    const ledger = JSON.parse(readFileSync(join(dir, "stores", "cbofs-best-forecast.zarr", ".dmac/ingestjobs/maracoos/cbofs-forecast.json"), "utf8")) as { items: Record<string, { attempts: number; state: string }> };
    expect(Object.values(ledger.items).every((i) => i.attempts === 1 && i.state === "succeeded")).toBe(true);
  }, 300_000);
});
