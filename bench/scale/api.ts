// The data API at real size (issue #21 item 1), side by side with xarray + dask in the same run,
// on a full CBOFS-like cycle: 48 hourly files of a 291x332 ROMS grid with 20 s-levels made by
// bench/scale/generate.py, ingested by our ingest as production does (one time step per chunk).
//
//   npx tsx bench/scale/api.ts [--inputs /tmp/dmac-scale/cbofs] [--work /tmp/dmac-api-scale]
//                              [--cache-mb 512] [--warm 60] [--xarray-warm 6] [--burst 1000] [--concurrency 8]
//
// 1. Queries through the real data API: `node bin/dmac.js serve data-api --store ... --cache-mb N`
//    (the compiled program the image runs) in its own process, over HTTP:
//    - position: a point's temp at every level over the whole cycle (48 x 20 values);
//    - area: temp at the surface over the whole cycle in a polygon over the bay's main stem;
//    - cube: salt at 3 levels over the whole cycle in a bbox over the middle of the bay.
//    Cold = the first query of its kind on a freshly started server (nothing opened or decoded;
//    the OS file cache warm for both sides); warm = p50 over distinct places once the chunks are
//    decoded. xarray: cold = a fresh process opening the store, reading the grid, first query;
//    warm = the same distinct places with the dataset open. Both sides' answers are compared
//    (count and sum of the values).
// 2. Memory: a fresh server with --cache-mb (default 512); its RSS when started (at rest, no
//    dataset opened), then sampled every 50 ms through a burst of 1,000 distinct queries
//    (positions, areas, cubes at varied places, parameters, levels and times; `--concurrency` at
//    once). The bound to check: the stated baseline (BASELINE_MIB, apps/data-api/cache-budget.ts)
//    + --cache-mb; also reported: the peak above the process at rest.
// Prints the machine's load (os.loadavg, as `uptime` shows it) at start and end.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { arrayOf, ingest, openStore, readConsolidated, readRegion } from "../../dataplane/index.js";
import { BASELINE_MIB, RUNTIME_ENV } from "../../apps/data-api/cache-budget.js";
import { mulberry32 } from "../../test/support/prng.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "..", "..");
const PYTHON = "/usr/bin/python3";
const { values: args } = parseArgs({
  options: {
    inputs: { type: "string", default: "/tmp/dmac-scale/cbofs" },
    work: { type: "string", default: "/tmp/dmac-api-scale" },
    "cache-mb": { type: "string", default: "512" },
    warm: { type: "string", default: "60" },
    "xarray-warm": { type: "string", default: "6" },
    burst: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    "plain-runtime": { type: "boolean", default: false },
    "only-burst": { type: "boolean", default: false },
  },
});
const [CACHE_MB, WARM, XARRAY_WARM, BURST, CONCURRENCY] = [args["cache-mb"], args.warm, args["xarray-warm"], args.burst, args.concurrency].map(Number) as [number, number, number, number, number];
const fmt = (x: number, d = 1) => x.toFixed(d);
const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");

function p(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))] ?? NaN;
}

function cycleFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) if (/nos\.cbofs\.fields\.f\d{3}\.\d{8}\.t\d\dz\.nc$/.test(entry)) out.push(join(dir, entry));
  return out.sort();
}

// ---------------------------------------------------------------- inputs and store
const started = new Date();
console.log(`bench/scale/api.ts, ${started.toISOString()}, ${cpus().length} cores, load average ${load()} (1, 5, 15 min)`);
let files = cycleFiles(args.inputs);
if (files.length < 48) {
  const out = resolve(args.inputs, "..");
  console.log(`generating the CBOFS-like cycle into ${out} (bench/scale/generate.py)...`);
  await run(PYTHON, [join(here, "generate.py"), out, "--only", "cbofs"], { maxBuffer: 16 * 1024 * 1024 });
  files = cycleFiles(args.inputs);
}
if (files.length < 48) throw new Error(`${args.inputs}: ${files.length} CBOFS files, expected 48`);
files = files.slice(0, 48);
mkdirSync(args.work, { recursive: true });
const storePath = join(args.work, "cbofs.zarr");
if (!existsSync(join(storePath, ".zmetadata"))) {
  rmSync(storePath, { recursive: true, force: true });
  const t0 = performance.now();
  const report = await ingest({ store: storePath, inputs: files, concurrency: 2 });
  const refused = report.files.filter((f) => f.status === "refused");
  if (refused.length > 0) throw new Error(`ingest refused: ${refused.map((f) => f.reason).join("; ")}`);
  console.log(`store: ${storePath}, ingested from ${files.length} files in ${fmt((performance.now() - t0) / 1000)} s`);
} else console.log(`store: ${storePath} (already ingested; delete it to ingest again)`);

const store = await openStore(storePath);
const state = await readConsolidated(store);
if (state === undefined) throw new Error(`${storePath}: no consolidated metadata`);
const readAll = async (name: string) => {
  const a = arrayOf(store, state, name);
  if (a === undefined) throw new Error(`${storePath}: no ${name}`);
  return Float64Array.from(await readRegion(a), Number);
};
const [lon, lat, mask] = await Promise.all([readAll("lon_rho"), readAll("lat_rho"), readAll("mask_rho")]);
const temp = state.hierarchy.arrays["temp"]?.meta;
if (temp === undefined) throw new Error("no temp");
const steps = temp.shape[0] ?? 0;
console.log(`temp: shape ${temp.shape.join("x")}, chunks ${temp.chunks.join("x")} (${fmt((temp.chunks.reduce((a, b) => a * b, 4)) / 2 ** 20)} MiB decoded), ${state.hierarchy.arrays["temp"]?.meta.compressor?.id ?? "raw"}`);
const wetCells = [...mask.keys()].filter((c) => mask[c] === 1);

// ---------------------------------------------------------------- the queries
const rnd = mulberry32(21);
const jitter = () => (rnd() - 0.5) * 0.004;
const wetPoint = (): [number, number] => {
  const c = wetCells[Math.floor(rnd() * wetCells.length)] as number;
  return [(lon[c] as number) + jitter(), (lat[c] as number) + jitter()];
};
// The bay's main stem, from the mouth to the Susquehanna flats (inside the grid).
const BAY: Array<[number, number]> = [[-76.45, 36.95], [-75.95, 36.95], [-75.95, 37.6], [-76.15, 38.3], [-76.25, 39.0], [-76.1, 39.5], [-76.35, 39.5], [-76.55, 39.0], [-76.55, 38.3], [-76.5, 37.6], [-76.45, 36.95]];
const CUBE: [number, number, number, number] = [-76.5, 37.6, -76.0, 38.1];
const LEVELS = [-0.975, -0.525, -0.025];
const shift = (k: number): [number, number] => (k === 0 ? [0, 0] : [(rnd() - 0.5) * 0.1, (rnd() - 0.5) * 0.2]);
const n = Math.max(WARM, XARRAY_WARM) + 1;
const points = Array.from({ length: n }, wetPoint);
const polygons = Array.from({ length: n }, (_, k) => {
  const [dx, dy] = shift(k);
  return BAY.map(([x, y]) => [x + dx, y + dy] as [number, number]);
});
const bboxes = Array.from({ length: n }, (_, k) => {
  const [dx, dy] = shift(k);
  return [CUBE[0] + dx, CUBE[1] + dy, CUBE[2] + dx, CUBE[3] + dy] as [number, number, number, number];
});
const wkt = (ring: Array<[number, number]>) => `POLYGON((${ring.map(([x, y]) => `${x} ${y}`).join(", ")}))`;
type Kind = "position" | "area" | "cube";
const KINDS: Kind[] = ["position", "area", "cube"];
const urlOf = (kind: Kind, k: number): string => {
  if (kind === "position") return `/collections/cbofs/position?coords=${encodeURIComponent(`POINT(${points[k]?.join(" ")})`)}&parameter-name=temp`;
  if (kind === "area") return `/collections/cbofs/area?coords=${encodeURIComponent(wkt(polygons[k] ?? []))}&parameter-name=temp&z=${LEVELS[2]}`;
  return `/collections/cbofs/cube?bbox=${bboxes[k]?.join(",")}&parameter-name=salt&z=${LEVELS.join(",")}`;
};
const specPath = join(args.work, "api-spec.json");
writeFileSync(specPath, JSON.stringify({
  store: storePath,
  position: { parameter: "temp", points },
  area: { parameter: "temp", level: 19, polygons },
  cube: { parameter: "salt", levels: [0, 9, 19], bboxes },
}));

// ---------------------------------------------------------------- the data API, in its own process
interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(cacheMb: number): Promise<Server> {
  const proc = spawn(process.execPath, [join(root, "bin", "dmac.js"), "serve", "data-api", "--port", "0", "--store", `cbofs=file://${storePath}`, "--cache-mb", String(cacheMb)], {
    cwd: root,
    // As the chart runs it (apps/data-api/chart.ts): RUNTIME_ENV's glibc and V8 settings, unless --plain-runtime.
    env: { ...process.env, DMAC_LOG_LEVEL: "warn", ...(args["plain-runtime"] ? {} : RUNTIME_ENV) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((ok, fail) => {
    let text = "";
    proc.stdout?.on("data", (b: Buffer) => {
      text += b.toString();
      const m = /listening on (\S+)/.exec(text);
      if (m?.[1] !== undefined) ok(m[1]);
    });
    proc.once("exit", (code) => fail(new Error(`data API exited (${code}) before listening: ${text}`)));
  });
  return {
    url,
    proc,
    stop: () =>
      new Promise<void>((ok) => {
        if (proc.exitCode !== null) return ok();
        proc.once("exit", () => ok());
        proc.kill("SIGTERM");
      }),
  };
}

interface Answer {
  status: number;
  ms: number;
  count: number;
  sum: number;
}

async function query(server: Server, path: string): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}${path}`);
  const body = await res.text();
  const ms = performance.now() - t0;
  let count = 0;
  let sum = 0;
  if (res.status === 200) {
    const doc = JSON.parse(body) as { ranges?: Record<string, { values: Array<number | null> }>; coverages?: Array<{ ranges: Record<string, { values: Array<number | null> }> }> };
    for (const ranges of doc.coverages?.map((c) => c.ranges) ?? [doc.ranges ?? {}])
      for (const r of Object.values(ranges))
        for (const v of r.values)
          if (v !== null) {
            count += 1;
            sum += v;
          }
  }
  return { status: res.status, ms, count, sum };
}

function rssMiB(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m?.[1] !== undefined ? Number(m[1]) / 1024 : NaN;
}

// Compiles dist/ first when the sources changed (bin/dmac.js does it on start; not in a timing).
await run(process.execPath, [join(root, "bin", "dmac.js"), "--version"], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).catch(() => undefined);

// --only-burst skips the timings (memory experiments).
if (!args["only-burst"]) {
  const ours: Record<Kind, { cold: Answer; warm: Answer[] }> = {} as Record<Kind, { cold: Answer; warm: Answer[] }>;
  for (const kind of KINDS) {
    const server = await startServer(CACHE_MB);
    try {
      const cold = await query(server, urlOf(kind, 0));
      if (cold.status !== 200) throw new Error(`${kind}: HTTP ${cold.status}`);
      // Warm: the chunks of the cycle are decoded (by the cold query); distinct places each time.
      const warm: Answer[] = [];
      for (let k = 1; k <= WARM; k++) warm.push(await query(server, urlOf(kind, k)));
      ours[kind] = { cold, warm };
      console.log(`data API ${kind}: cold ${fmt(cold.ms)} ms (${cold.count} values), warm p50 ${fmt(p(warm.map((a) => a.ms), 50), 2)} ms, p90 ${fmt(p(warm.map((a) => a.ms), 90), 2)} ms over ${warm.length}; server RSS ${fmt(rssMiB(server.proc.pid as number))} MiB`);
    } finally {
      await server.stop();
    }
  }

  // ---------------------------------------------------------------- xarray + dask
  type XResult = Record<Kind, Array<{ ms: number; count: number; sum: number }>>;
  const xspec = join(args.work, "api-spec-xarray.json");
  // xarray's warm run covers the first XARRAY_WARM places the data API also answered warm.
  const trimmed = JSON.parse(readFileSync(specPath, "utf8")) as Record<string, Record<string, unknown[]>>;
  for (const [kind, key] of [["position", "points"], ["area", "polygons"], ["cube", "bboxes"]] as const) trimmed[kind] = { ...trimmed[kind], [key]: (trimmed[kind]?.[key] ?? []).slice(0, XARRAY_WARM + 1) };
  writeFileSync(xspec, JSON.stringify(trimmed));
  const xcold = {} as Record<Kind, { ms: number; count: number; sum: number }>;
  for (const kind of KINDS) {
    const { stdout } = await run(PYTHON, [join(here, "api_xarray.py"), xspec, "--cold", kind], { maxBuffer: 64 * 1024 * 1024 });
    xcold[kind] = (JSON.parse(stdout) as XResult)[kind][0] as { ms: number; count: number; sum: number };
  }
  const { stdout: xwarmOut } = await run(PYTHON, [join(here, "api_xarray.py"), xspec], { maxBuffer: 64 * 1024 * 1024 });
  const xwarm = JSON.parse(xwarmOut) as XResult;

  // Same cells, same values: count exactly, sum to float32 rounding.
  for (const kind of KINDS) {
    const pairs: Array<[Answer, { count: number; sum: number }]> = [[ours[kind].cold, xcold[kind]], ...(xwarm[kind].slice(1).map((x, k) => [ours[kind].warm[k] as Answer, x]) as Array<[Answer, { count: number; sum: number }]>)];
    for (const [a, x] of pairs)
      if (a.count !== x.count || Math.abs(a.sum - x.sum) > 1e-5 * Math.max(1, Math.abs(x.sum)))
        throw new Error(`${kind}: the data API answered ${a.count} values summing to ${a.sum}, xarray ${x.count} summing to ${x.sum}`);
  }

  console.log(`\n| query (whole 48-step cycle) | values | data API cold | xarray cold | ratio | data API warm p50 (p90) | xarray warm p50 | ratio |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  const DESCRIBE: Record<Kind, string> = { position: "position: temp, 20 levels", area: `area: temp at the surface, bay polygon (${ours.area.cold.count / steps} wet cells)`, cube: `cube: salt, 3 levels, bbox (${ours.cube.cold.count / steps / 3} wet cells)` };
  for (const kind of KINDS) {
    const w = ours[kind].warm.map((a) => a.ms);
    const xw = xwarm[kind].slice(1).map((x) => x.ms);
    console.log(`| ${DESCRIBE[kind]} | ${ours[kind].cold.count} | ${fmt(ours[kind].cold.ms)} ms | ${fmt(xcold[kind].ms)} ms | ${fmt(xcold[kind].ms / ours[kind].cold.ms)}x | ${fmt(p(w, 50), 2)} (${fmt(p(w, 90), 2)}) ms | ${fmt(p(xw, 50))} ms | ${fmt(p(xw, 50) / p(w, 50))}x |`);
  }
  console.log(`answers equal xarray's (count and sum of values) for every query compared; load average now ${load()}`);
}

// ---------------------------------------------------------------- memory: a burst of distinct queries
const PARAMS3D = ["temp", "salt", "u", "v", "w", "AKv", "AKt", "AKs"];
const PARAMS2D = ["zeta", "ubar", "vbar", "Pair", "Uwind", "Vwind", "shflux"];
const times = Array.from({ length: steps }, (_, i) => new Date(Date.UTC(2023, 9, 22, 1 + i)).toISOString().replace(".000Z", "Z"));
const interval = (maxLen: number): string => {
  const len = 1 + Math.floor(rnd() * maxLen);
  const a = Math.floor(rnd() * (steps - len + 1));
  return len === 1 ? `&datetime=${times[a]}` : `&datetime=${times[a]}/${times[a + len - 1]}`;
};
const burst = new Set<string>();
while (burst.size < BURST) {
  const k = burst.size % 4;
  const param = rnd() < 0.75 ? (PARAMS3D[Math.floor(rnd() * PARAMS3D.length)] as string) : (PARAMS2D[Math.floor(rnd() * PARAMS2D.length)] as string);
  const z = PARAMS3D.includes(param) ? `&z=${(-0.975 + 0.05 * Math.floor(rnd() * 20)).toFixed(3)}` : "";
  const [x, y] = wetPoint();
  if (k <= 1) burst.add(`/collections/cbofs/position?coords=${encodeURIComponent(`POINT(${x} ${y})`)}&parameter-name=${param}${interval(12)}`);
  else if (k === 2) {
    const w = 0.05 + 0.25 * rnd();
    burst.add(`/collections/cbofs/area?coords=${encodeURIComponent(wkt([[x - w, y - w], [x + w, y - w], [x + w, y + w], [x - w, y + w], [x - w, y - w]]))}&parameter-name=${param}${z}${interval(3)}`);
  } else {
    const w = 0.05 + 0.2 * rnd();
    burst.add(`/collections/cbofs/cube?bbox=${[x - w, y - w, x + w, y + w].join(",")}&parameter-name=${param}${z}${interval(3)}`);
  }
}
const server = await startServer(CACHE_MB);
try {
  const pid = server.proc.pid as number;
  await new Promise((ok) => setTimeout(ok, 500));
  const baseline = rssMiB(pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, 50);
  const statuses = new Map<number, number>();
  const queue = [...burst];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        const a = await query(server, path);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid, "VmHWM"));
  const after = rssMiB(pid);
  const bad = [...statuses.keys()].filter((s) => s >= 500);
  console.log(`\nmemory: ${burst.size} distinct queries (${[...statuses].map(([s, c]) => `${c} x ${s}`).join(", ")}), ${CONCURRENCY} at a time, in ${fmt(seconds)} s`);
  const bound = BASELINE_MIB + CACHE_MB;
  console.log(`  --cache-mb ${CACHE_MB}; RSS at rest ${fmt(baseline)} MiB (started, nothing opened), peak ${fmt(peak)} MiB (${fmt(peak - baseline)} above rest), after the burst ${fmt(after)} MiB`);
  console.log(`  bound: stated baseline ${BASELINE_MIB} + cache ${CACHE_MB} = ${bound} MiB: ${peak <= bound ? "held" : "EXCEEDED"} (peak ${fmt((100 * peak) / bound, 0)} % of it)`);
  if (bad.length > 0) throw new Error(`burst: server errors ${bad.join(", ")}`);
} finally {
  await server.stop();
}
console.log(`\nfinished ${new Date().toISOString()} (${fmt((Date.now() - started.getTime()) / 1000, 0)} s), load average ${load()}; store ${fmt(dirBytes(storePath) / 2 ** 20, 0)} MiB on disk`);

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const s = statSync(join(dir, entry));
    if (s.isFile()) total += s.size;
  }
  return total;
}
