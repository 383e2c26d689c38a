// Where the memory of `dmac up` goes (issue #22): starts `node bin/dmac.js up` in a checkout on a
// fresh data directory, asks it for its memory report (`kill -USR2`: apps/local-platform/memory.ts
// writes <data dir>/memory.json) every quarter second during the first ingest and once after an idle wait,
// and prints the report at the ingest's resident-set peak and the idle one: each thread's V8 heap,
// external memory (ArrayBuffers, WASM memories) and V8's malloc, the process's anonymous, file-backed
// and malloc-heap mappings, and what no thread accounts for (ingest workers, native malloc, code).
//
//   node bench/platform/breakdown.mjs [--checkout DIR] [--port-base N] [--idle-seconds 30] [--json]
//
// Any environment variable set for this script reaches `dmac up` (for example DMAC_YOUNG_MB, NODE_OPTIONS).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { checkout: { type: "string", default: "." }, "port-base": { type: "string", default: "7843" }, "idle-seconds": { type: "string", default: "30" }, json: { type: "boolean", default: false } } });
const checkout = resolve(values.checkout);
const dataDir = mkdtempSync(join(tmpdir(), "dmac-breakdown-"));
const reportPath = join(dataDir, "memory.json");

const { build, readStamp, sourceFingerprint } = await import(join(checkout, "bin", "build.mjs"));
if (readStamp()?.fingerprint !== sourceFingerprint() && !build({ quiet: true })) throw new Error("build failed");

const child = spawn(process.execPath, [join(checkout, "bin", "dmac.js"), "up", "--data-dir", dataDir, "--port-base", values["port-base"]], { cwd: checkout, stdio: ["ignore", "pipe", "inherit"] });
let out = "";
child.stdout.on("data", (d) => (out += d.toString()));

async function ask() {
  const before = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : "";
  process.kill(child.pid, "SIGUSR2");
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(reportPath)) continue;
    const text = readFileSync(reportPath, "utf8");
    if (text !== before) return JSON.parse(text);
  }
  return undefined;
}

let peak;
const deadline = Date.now() + 600_000;
// The handler is installed once the platform prints where it serves.
while (!out.includes("control plane ")) {
  if (child.exitCode !== null || Date.now() > deadline) throw new Error(`dmac up did not start:\n${out.slice(-2000)}`);
  await new Promise((r) => setTimeout(r, 100));
}
while (!out.includes("ingest finished")) {
  if (child.exitCode !== null || Date.now() > deadline) throw new Error(`dmac up did not finish ingesting:\n${out.slice(-2000)}`);
  const report = await ask();
  if (report && (!peak || report.rssMiB > peak.rssMiB)) peak = report;
  await new Promise((r) => setTimeout(r, 250));
}
await new Promise((r) => setTimeout(r, Number(values["idle-seconds"]) * 1000));
const idle = await ask();
child.kill("SIGINT");
await new Promise((r) => child.once("exit", r));
rmSync(dataDir, { recursive: true, force: true });

if (values.json) console.log(JSON.stringify({ checkout, peak, idle }));
else {
  for (const [label, report] of [["peak during the first ingest (sampled every 250 ms)", peak], ["idle", idle]]) {
    if (!report) continue;
    console.log(`\n${label}: RSS ${report.rssMiB} MiB`);
    if (report.smaps) console.log(`  mappings: anonymous ${report.smaps.anonymousMiB} (of which in large reservations ${report.smaps.largeAnonymousMiB}), malloc [heap] ${report.smaps.mallocHeapMiB}, files ${report.smaps.fileMiB} MiB; ${report.smaps.mappings} mappings`);
    console.log("  thread                        heap   used  external  malloced (MiB)");
    for (const t of report.threads) console.log(`  ${t.thread.padEnd(28)} ${String(t.heapMiB).padStart(6)} ${String(t.heapUsedMiB).padStart(6)} ${String(t.externalMiB).padStart(9)} ${String(t.mallocedMiB).padStart(9)}`);
    console.log(`  not accounted for by any thread's V8 figures: ${report.unattributedMiB} MiB`);
  }
}
