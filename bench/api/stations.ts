// Benchmark: one station's whole series from the data API (EDR /locations/{id}, CoverageJSON)
// with a warm chunk cache, over a real HTTP socket (the server in a worker thread), against Python xarray selecting the same
// station's series from the same Zarr store (opened once), in one run. Target (issue #20): p50
// under 5 ms warm with 100 stations x 1 year hourly. Warm means every station asked once before:
// the chunk is decoded and the whole-series answer encoded; a datetime subset, which is encoded
// on every request, is timed too.
//   npx tsx bench/api/stations.ts [--stations 100] [--hours 8760] [--queries 300] [--xarray-queries 100]
// The store is made by the observations ingest from a CF DSG timeSeries file (orthogonal layout,
// written by ncgen from samples/stations.ts), as a Dataset with featureType timeSeries gets it.
import { mkdtempSync, rmSync } from "node:fs";
import { execFile } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { ingest } from "../../dataplane/index.js";
import { stationFixture, writeDsg, type StationDef } from "../../samples/stations.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const { values: args } = parseArgs({ options: { stations: { type: "string", default: "100" }, hours: { type: "string", default: "8760" }, queries: { type: "string", default: "300" }, "xarray-queries": { type: "string", default: "100" } } });
const [STATIONS, HOURS, QUERIES, PY_QUERIES] = [args.stations, args.hours, args.queries, args["xarray-queries"]].map(Number) as [number, number, number, number];

const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  return { p50: at(50), p90: at(90), p99: at(99), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
};
const fmt = (x: number) => x.toFixed(2);

// Gauges spread over the bay (ids 9000000 + k), each with a full year of hourly water level.
const defs: StationDef[] = Array.from({ length: STATIONS }, (_, k) => ({
  id: String(9_000_000 + k), name: `Bench gauge ${k}`, platform: "water level station",
  lon: -76.9 + (k % 10) * 0.1, lat: 36.9 + Math.floor(k / 10) * 0.25, z: 0, variable: "water_level",
}));

const dir = mkdtempSync(join(tmpdir(), "dmac-bench-stations-"));
try {
  let t = performance.now();
  const file = writeDsg(join(dir, "stations.nc"), stationFixture({ stations: defs, hours: HOURS, start: Date.UTC(2025, 0, 1) }), "orthogonal", "nc4");
  const store = join(dir, "stations.zarr");
  const made = performance.now() - t;
  t = performance.now();
  const report = await ingest({ store, inputs: [file], featureType: "timeSeries", encoding: { codec: "blosc-lz4", level: 5 } });
  if (report.files[0]?.status !== "ingested") throw new Error(JSON.stringify(report.files));
  console.log(`store: ${STATIONS} stations x ${HOURS} hourly steps (DSG file by ncgen in ${fmt(made / 1000)} s, ingested in ${fmt((performance.now() - t) / 1000)} s, blosc-lz4)`);

  const ids = Array.from({ length: QUERIES }, (_, i) => defs[(i * 37) % STATIONS]?.id as string);
  // The server runs in a worker thread (stations-server.ts), so the client's work is not on its event loop.
  const worker = new Worker(new URL("./stations-server.ts", import.meta.url), { workerData: { store }, execArgv: ["--import", "tsx"] });
  const server = await new Promise<{ url: string }>((resolve, reject) => {
    worker.once("message", (m: { url: string }) => resolve(m));
    worker.once("error", reject);
  });
  try {
    const url = (id: string) => `${server.url}/collections/stations/locations/${id}?parameter-name=water_level`;
    t = performance.now();
    await (await fetch(url(ids[0] as string))).arrayBuffer();
    console.log(`cold first query (open store, read station table, decode one chunk): ${fmt(performance.now() - t)} ms`);
    // Warm: every station's chunk decoded once.
    for (const d of defs) await (await fetch(url(d.id))).arrayBuffer();
    const ours: number[] = [];
    const firsts: Array<Array<number | null>> = [];
    for (const id of ids) {
      // Time to the answer's last byte; parsing it (as a client would, after) is not the API's latency.
      const start = performance.now();
      const res = await fetch(url(id));
      const body = await res.text();
      ours.push(performance.now() - start);
      const doc = JSON.parse(body) as { ranges: { water_level: { values: Array<number | null> } } };
      if (res.status !== 200 || doc.ranges.water_level.values.length !== HOURS) throw new Error(`bad answer ${res.status}`);
      firsts.push(doc.ranges.water_level.values.slice(0, 3));
    }
    // The same answers minus the first hour (a datetime subset): encoded on every request, never cached.
    const subset = `&datetime=${new Date(Date.UTC(2025, 0, 1, 1)).toISOString()}/..`;
    const uncached: number[] = [];
    for (const id of ids.slice(0, 100)) {
      const start = performance.now();
      const res = await fetch(url(id) + subset);
      await res.text();
      uncached.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`bad answer ${res.status}`);
    }
    const { stdout } = await run("/usr/bin/python3", [join(here, "xarray_stations.py"), store, "water_level", JSON.stringify(ids.slice(0, PY_QUERIES))], { maxBuffer: 64 * 1024 * 1024 });
    const py = JSON.parse(stdout) as { ms: number[]; firsts: Array<Array<number | null>> };
    const mismatches = py.firsts.filter((f, i) => f.some((v, k) => v !== firsts[i]?.[k])).length;
    const a = summary(ours);
    const b = summary(py.ms);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    console.log(`data API /locations/{id} (CoverageJSON over HTTP to the last byte, warm), ${ours.length} queries: p50 ${fmt(a.p50)} ms, p90 ${fmt(a.p90)} ms, p99 ${fmt(a.p99)} ms, mean ${fmt(a.mean)} ms`);
    const u = summary(uncached);
    console.log(`  the same minus the first hour (datetime subset: encoded per request, not cached), ${uncached.length} queries: p50 ${fmt(u.p50)} ms, p90 ${fmt(u.p90)} ms`);
    console.log(`xarray .sel(station=id).values (in process, store opened once), ${py.ms.length} queries: p50 ${fmt(b.p50)} ms, p90 ${fmt(b.p90)} ms, p99 ${fmt(b.p99)} ms, mean ${fmt(b.mean)} ms`);
    console.log(`ratio xarray/dmac at p50: ${fmt(b.p50 / a.p50)}x; target p50 < 5 ms: ${a.p50 < 5 ? "met" : "NOT met"}; first values differing: ${mismatches} of ${py.firsts.length}`);
  } finally {
    worker.postMessage("close");
    await new Promise((resolve) => worker.once("exit", resolve));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
