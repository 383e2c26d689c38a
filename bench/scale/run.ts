// Everything in bench/scale with one command (under 15 minutes on this 2-core machine):
//
//   npx tsx bench/scale/run.ts [--out /tmp/dmac-scale] [--repeat 2] [--skip-api]
//
// 1. generate.py: the CBOFS-like cycle (48 files, and the first 12) and the RTOFS-like fields, unless
//    OUT already has them;
// 2. ingest.ts: ours and xarray's ingest of 12 and 48 CBOFS files and of the RTOFS fields, turn about;
// 3. api.ts (the data API bench, when it is there): EDR queries and the memory burst on the cycle.
// Prints the machine's load (as `uptime` shows it) before and after each part.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, report, runIngestBench } from "./ingest.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opts = parseArgs(argv);
const load = () => loadavg().map((l) => l.toFixed(2)).join(", ");
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

console.log(`bench/scale into ${opts.out}; load average ${load()}`);
execFileSync("/usr/bin/python3", [join(HERE, "generate.py"), opts.out], { stdio: "inherit" });
console.log(`inputs ready after ${elapsed()}; load average ${load()}`);
report(await runIngestBench(opts));
console.log(`ingest done after ${elapsed()}; load average ${load()}`);
if (!argv.includes("--skip-api") && existsSync(join(HERE, "api.ts"))) {
  const api = spawnSync("npx", ["tsx", join(HERE, "api.ts"), "--inputs", join(opts.out, "cbofs"), "--work", join(opts.out, "api")], { stdio: "inherit" });
  if (api.status !== 0) process.exitCode = 1;
  console.log(`data API bench done after ${elapsed()}; load average ${load()}`);
}
console.log(`bench/scale: ${elapsed()} in all`);
