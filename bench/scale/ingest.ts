// The ingest at real size (issue #21 item 1): one CBOFS cycle, 12 and 48 files, ingested by our
// ingest as `dmac up` runs it (ingest-child.ts) and by xarray + dask (xarray_ingest.py) into the
// same layout, in the same run, turn about. Reports wall time, peak RSS of the whole process tree,
// CPU seconds and the machine's load beside every figure, and the ratios the issue asks for.
//
//   npx tsx bench/scale/ingest.ts [--out /tmp/dmac-scale] [--sizes 12,48] [--layout default] [--repeat 1]
//
// Inputs come from generate.py (made when missing). The stores stay in OUT/zarr/ for the data API
// bench (bench/scale/api*): OUT/zarr/cbofs-48.zarr is ours of the full cycle.
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

function args(): { out: string; sizes: number[]; layout: string; repeat: number } {
  const a = process.argv.slice(2);
  const get = (flag: string, fallback: string) => {
    const i = a.indexOf(flag);
    return i >= 0 && a[i + 1] !== undefined ? (a[i + 1] as string) : fallback;
  };
  const layout = get("--layout", "default");
  if (BENCH_LAYOUTS[layout] === undefined) throw new Error(`--layout ${layout}: one of ${Object.keys(BENCH_LAYOUTS).join(", ")}`);
  return { out: resolve(get("--out", "/tmp/dmac-scale")), sizes: get("--sizes", "12,48").split(",").map(Number), layout, repeat: Number(get("--repeat", "1")) };
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

function inputsOf(out: string, size: number): string[] {
  const dir = join(out, size === 12 ? "cbofs-12" : "cbofs", "cbofs.20231022");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".nc")).sort().slice(0, size) : [];
  if (files.length < size) throw new Error(`${dir}: ${files.length} files, ${size} wanted (generate.py --files ${Math.max(48, size)})`);
  return files.map((f) => join(dir, f));
}

export async function runIngestBench(opts: ReturnType<typeof args>): Promise<Record<string, unknown>> {
  const { out, sizes, layout, repeat } = opts;
  const spec = BENCH_LAYOUTS[layout]!;
  if (!existsSync(join(out, "cbofs", "cbofs.20231022")) || !existsSync(join(out, "cbofs-12")))
    execFileSync(PY, [join(HERE, "generate.py"), out, "--only", "cbofs"], { stdio: "inherit" });
  // Compiled, not tsx: a loader's start-up and memory would count against us.
  execFileSync("npx", ["tsc", "-p", join(HERE, "tsconfig.json")], { cwd: ROOT, stdio: "inherit" });
  const child = join(HERE, ".dist", "bench", "scale", "ingest-child.js");
  const timeChunk = spec.dataset.spec.dimensions?.find((d) => d.name === "ocean_time")?.chunk ?? 1;
  const codec = spec.dataset.spec.encoding?.codec ?? "zlib";
  const level = spec.dataset.spec.encoding?.level ?? (codec === "zlib" ? 1 : 5);
  const zarrDir = join(out, "zarr");
  mkdirSync(zarrDir, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  for (const size of sizes) {
    const files = inputsOf(out, size);
    const contenders = {
      dmac: (store: string) => ["node", child, layout, store, ...files],
      xarray: (store: string) => [PY, join(HERE, "xarray_ingest.py"), String(timeChunk), codec, String(level), store, ...files],
    };
    const runs: Record<string, Measured[]> = { dmac: [], xarray: [] };
    for (let round = 0; round < repeat; round++) {
      for (const [name, cmd] of Object.entries(contenders)) {
        const store = join(zarrDir, `cbofs-${size}${name === "dmac" ? "" : `-${name}`}.zarr`);
        rmSync(store, { recursive: true, force: true });
        // The previous contender's writes are flushed now, not during this one.
        execFileSync("sync");
        const m = await measure(cmd(store));
        const { stderr: _, ...figures } = m;
        runs[name]?.push(figures);
        process.stderr.write(`${size} files, ${name}: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakRssMB} MB, CPU ${m.cpuSeconds} s, load ${m.load.map((l) => l.toFixed(1)).join("->")}\n`);
      }
    }
    const same = execFileSync(PY, [join(HERE, "compare.py"), join(zarrDir, `cbofs-${size}.zarr`), join(zarrDir, `cbofs-${size}-xarray.zarr`)], { encoding: "utf8" }).trim();
    const ratios = runs.dmac!.map((d, i) => (runs.xarray![i]?.seconds ?? 0) / d.seconds).sort((a, b) => a - b);
    rows.push({ files: size, runs, speedRatios: ratios, medianSpeedRatio: ratios[Math.floor(ratios.length / 2)], stores: same });
  }
  const peak = (size: number) => Math.max(...((rows.find((r) => r.files === size)?.runs as Record<string, Measured[]> | undefined)?.dmac ?? []).map((m) => m.peakRssMB));
  const result = {
    date: new Date().toISOString(),
    layout: `${layout}: ${spec.description}`,
    rows,
    ...(sizes.includes(12) && sizes.includes(48) ? { dmacPeakRss48over12: Math.round((peak(48) / peak(12)) * 100) / 100 } : {}),
  };
  writeFileSync(join(out, "ingest-results.json"), JSON.stringify(result, null, 2));
  return result;
}

function report(result: Awaited<ReturnType<typeof runIngestBench>>): void {
  const rows = result.rows as Array<{ files: number; runs: Record<string, Measured[]>; speedRatios: number[]; stores: string }>;
  console.log(`\n${result.layout as string}\n`);
  console.log("| files | contender | seconds | peak RSS MB (process tree) | CPU s | load average (1 min, start -> end) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows)
    for (const [name, ms] of Object.entries(r.runs))
      for (const m of ms) console.log(`| ${r.files} | ${name} | ${m.seconds.toFixed(1)} | ${m.peakRssMB} | ${m.cpuSeconds.toFixed(1)} | ${m.load.map((l) => l.toFixed(1)).join(" -> ")} |`);
  for (const r of rows) console.log(`${r.files} files: xarray seconds / ours ${r.speedRatios.map((x) => x.toFixed(2)).join(", ")} (target >= 1.5); stores: ${r.stores}`);
  const ratio = result.dmacPeakRss48over12 as number | undefined;
  if (ratio !== undefined) console.log(`our peak RSS, 48 files / 12 files: ${ratio.toFixed(2)} (target within 0.8-1.2; under 1024 MB)`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) report(await runIngestBench(args()));
