// The ingest at real size (issue #21 item 1): one CBOFS cycle, 12 and 48 files, ingested by our
// ingest as `dmac up` runs it (ingest-child.ts) and by xarray + dask (xarray_ingest.py) into the
// same layout, in the same run, turn about. Reports wall time, peak RSS of the whole process tree,
// CPU seconds and the machine's load beside every figure, and the ratios the issue asks for.
//
//   npx tsx bench/scale/ingest.ts [--out /tmp/dmac-scale] [--cases cbofs-12,cbofs-48,rtofs] [--layout default] [--repeat 2]
//
// Inputs come from generate.py (made when missing). The stores stay in OUT/zarr/ for the data API
// bench (bench/scale/api*): OUT/zarr/cbofs-48.zarr is ours of the full cycle, cbofs-48-xarray.zarr xarray's.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_LAYOUTS } from "./layouts.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
const PY = "/usr/bin/python3";

export interface Measured {
  seconds: number;
  peakRssMB: number;
  cpuSeconds: number;
  /** One-minute load average when the run started and when it ended. */
  load: [number, number];
}

/** One thing to ingest: a set of files and the layout both contenders write. */
export interface Case {
  name: string;
  /** Directory of the inputs under OUT, and how many of its files. */
  dir: string;
  files: number;
  layout: string;
  concatDim: string;
}

/** The cases by name; `--cases` picks some (default all). CBOFS layouts follow `--layout`. */
function casesFor(layout: string): Record<string, Case> {
  return {
    "cbofs-12": { name: "cbofs-12", dir: join("cbofs-12", "cbofs.20231022"), files: 12, layout, concatDim: "ocean_time" },
    "cbofs-48": { name: "cbofs-48", dir: join("cbofs", "cbofs.20231022"), files: 48, layout, concatDim: "ocean_time" },
    rtofs: { name: "rtofs", dir: join("rtofs", "rtofs.20231022"), files: 3, layout: "rtofs", concatDim: "MT" },
  };
}

export interface IngestBenchOptions {
  out: string;
  cases: Case[];
  repeat: number;
}

export function parseArgs(argv: string[]): IngestBenchOptions {
  const get = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
  };
  const layout = get("--layout", "default");
  if (BENCH_LAYOUTS[layout] === undefined) throw new Error(`--layout ${layout}: one of ${Object.keys(BENCH_LAYOUTS).join(", ")}`);
  const known = casesFor(layout);
  const cases = get("--cases", Object.keys(known).join(",")).split(",").map((name) => {
    const c = known[name];
    if (c === undefined) throw new Error(`--cases ${name}: one of ${Object.keys(known).join(", ")}`);
    return c;
  });
  return { out: resolve(get("--out", "/tmp/dmac-scale")), cases, repeat: Number(get("--repeat", "2")) };
}

/** Resident set of a process and all its descendants now, in kB (0 once it has gone). */
function treeRssKb(pid: number): number {
  let total = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean)) total += treeRssKb(Number(child));
  } catch {
    // The process ended between two reads.
  }
  return total;
}

/**
 * Runs `cmd` under /usr/bin/time (peak RSS of the largest process, CPU of all of them) while
 * sampling the RSS of its whole tree every 50 ms; the peak is the larger of the two.
 */
export function measure(cmd: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured & { stderr: string }> {
  const startLoad = loadavg()[0] ?? 0;
  return new Promise((resolvePromise, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "TIME %e %M %U %S", ...cmd], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let treePeak = 0;
    const timer = setInterval(() => {
      if (child.pid !== undefined) treePeak = Math.max(treePeak, treeRssKb(child.pid));
    }, 50);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      const line = stderr.split("\n").filter((l) => l.startsWith("TIME ")).pop();
      if (code !== 0 || line === undefined) return reject(new Error(`${cmd.slice(0, 3).join(" ")}... exited with ${code}:\n${stderr.slice(-3000)}`));
      const [, wall, rssKb, user, sys] = line.split(" ").map(Number) as [number, number, number, number, number];
      resolvePromise({ seconds: wall, peakRssMB: Math.round(Math.max(rssKb, treePeak) / 1024), cpuSeconds: Math.round((user + sys) * 100) / 100, load: [startLoad, loadavg()[0] ?? 0], stderr });
    });
  });
}

function inputsOf(out: string, c: Case): string[] {
  const dir = join(out, c.dir);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".nc")).sort().slice(0, c.files) : [];
  if (files.length < c.files) throw new Error(`${dir}: ${files.length} files, ${c.files} wanted (bench/scale/generate.py ${out})`);
  return files.map((f) => join(dir, f));
}

export async function runIngestBench(opts: IngestBenchOptions): Promise<Record<string, unknown>> {
  const { out, cases, repeat } = opts;
  for (const [what, dir] of [["cbofs", "cbofs-12"], ["rtofs", "rtofs"]] as const)
    if (cases.some((c) => c.dir.startsWith(what === "cbofs" ? "cbofs" : "rtofs")) && !existsSync(join(out, dir)))
      execFileSync(PY, [join(HERE, "generate.py"), out, "--only", what], { stdio: "inherit" });
  // Compiled, not tsx: a loader's start-up and memory would count against us.
  execFileSync("npx", ["tsc", "-p", join(HERE, "tsconfig.json")], { cwd: ROOT, stdio: "inherit" });
  const child = join(HERE, ".dist", "bench", "scale", "ingest-child.js");
  const zarrDir = join(out, "zarr");
  mkdirSync(zarrDir, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  for (const c of cases) {
    const files = inputsOf(out, c);
    const ours = join(zarrDir, `${c.name}.zarr`);
    const theirs = join(zarrDir, `${c.name}-xarray.zarr`);
    // xarray writes the layout of our store of the same round (it runs second), read from its metadata.
    const contenders: Array<[string, string, string[]]> = [
      ["dmac", ours, ["node", child, c.layout, ours, ...files]],
      ["xarray", theirs, [PY, join(HERE, "xarray_ingest.py"), c.concatDim, ours, theirs, ...files]],
    ];
    const runs: Record<string, Measured[]> = { dmac: [], xarray: [] };
    for (let round = 0; round < repeat; round++) {
      for (const [name, store, cmd] of contenders) {
        rmSync(store, { recursive: true, force: true });
        // The previous contender's writes are flushed now, not during this one.
        execFileSync("sync");
        const { stderr: _, ...m } = await measure(cmd);
        runs[name]?.push(m);
        process.stderr.write(`${c.name}, ${name}: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakRssMB} MB, CPU ${m.cpuSeconds} s, load ${m.load.map((l) => l.toFixed(1)).join("->")}\n`);
      }
    }
    const same = execFileSync(PY, [join(HERE, "compare.py"), ours, theirs], { encoding: "utf8" }).trim();
    const ratios = runs.dmac!.map((d, i) => (runs.xarray![i]?.seconds ?? 0) / d.seconds).sort((a, b) => a - b);
    rows.push({ case: c.name, files: c.files, layout: `${c.layout}: ${BENCH_LAYOUTS[c.layout]?.description ?? ""}`, runs, speedRatios: ratios, stores: same });
  }
  const peak = (name: string) => Math.max(...((rows.find((r) => r.case === name)?.runs as Record<string, Measured[]> | undefined)?.dmac ?? []).map((m) => m.peakRssMB));
  const result = {
    date: new Date().toISOString(),
    rows,
    ...(cases.some((c) => c.name === "cbofs-12") && cases.some((c) => c.name === "cbofs-48") ? { dmacPeakRss48over12: Math.round((peak("cbofs-48") / peak("cbofs-12")) * 100) / 100 } : {}),
  };
  writeFileSync(join(out, "ingest-results.json"), JSON.stringify(result, null, 2));
  return result;
}

export function report(result: Awaited<ReturnType<typeof runIngestBench>>): void {
  const rows = result.rows as Array<{ case: string; layout: string; runs: Record<string, Measured[]>; speedRatios: number[]; stores: string }>;
  console.log(`\ningest, ${result.date as string}\n`);
  console.log("| case | contender | seconds | peak RSS MB (process tree) | CPU s | load average (1 min, start -> end) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows)
    for (const [name, ms] of Object.entries(r.runs))
      for (const m of ms) console.log(`| ${r.case} | ${name} | ${m.seconds.toFixed(1)} | ${m.peakRssMB} | ${m.cpuSeconds.toFixed(1)} | ${m.load.map((l) => l.toFixed(1)).join(" -> ")} |`);
  console.log("");
  for (const r of rows) console.log(`${r.case} (${r.layout}): xarray seconds / ours per round ${r.speedRatios.map((x) => x.toFixed(2)).join(", ")} (target >= 1.5); stores: ${r.stores}`);
  const ratio = result.dmacPeakRss48over12 as number | undefined;
  if (ratio !== undefined) console.log(`our peak RSS, 48 files / 12 files: ${ratio.toFixed(2)} (target 0.8-1.2, and under 1024 MB)`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) report(await runIngestBench(parseArgs(process.argv.slice(2))));
