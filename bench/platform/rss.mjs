// Whole-platform memory of `dmac up` (issue #22): starts `node bin/dmac.js up` in a checkout on a
// fresh data directory, samples the resident memory of its whole process tree (the platform and
// every process it starts) every 250 ms, and reports the peak during the first ingest of the
// shipped samples and the idle level after it (the mean of the last 10 s of a 30 s wait).
//
//   node bench/platform/rss.mjs [--checkout DIR] [--port-base N] [--from-source] [--idle-seconds 30]
//
// --from-source runs the TypeScript through tsx (DMAC_FROM_SOURCE=1), as `npm start` did before
// issue #22; without it bin/dmac.js runs dist/ (compiled first if needed, before sampling starts).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { checkout: { type: "string", default: "." }, "port-base": { type: "string", default: "7443" }, "from-source": { type: "boolean", default: false }, "idle-seconds": { type: "string", default: "30" } } });
const checkout = resolve(values.checkout);
const dataDir = mkdtempSync(join(tmpdir(), "dmac-rss-"));

/** pid -> parent pid for every process on the machine. */
function parents() {
  const map = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function treeRss(root) {
  const ppid = parents();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid) if (tree.has(parent) && !tree.has(pid)) (tree.add(pid), (grew = true));
  }
  let bytes = 0;
  for (const pid of tree) {
    try {
      bytes += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    } catch {
      // exited
    }
  }
  return { bytes, processes: tree.size };
}

if (!values["from-source"]) {
  // Compile before measuring, so the compile's own memory is not counted.
  const { build, readStamp, sourceFingerprint } = await import(join(checkout, "bin", "build.mjs"));
  if (readStamp()?.fingerprint !== sourceFingerprint() && !build({ quiet: true })) throw new Error("build failed");
}
const started = Date.now();
const child = spawn(process.execPath, [join(checkout, "bin", "dmac.js"), "up", "--data-dir", dataDir, "--port-base", values["port-base"]], {
  cwd: checkout,
  env: { ...process.env, DMAC_FROM_SOURCE: values["from-source"] ? "1" : "" },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
let ingestDone = 0;
child.stdout.on("data", (d) => {
  out += d.toString();
  if (!ingestDone && out.includes("ingest finished")) ingestDone = Date.now();
});
const samples = [];
const idleMs = Number(values["idle-seconds"]) * 1000;
await new Promise((done) => {
  const timer = setInterval(() => {
    if (child.exitCode !== null) {
      clearInterval(timer);
      done();
      return;
    }
    const { bytes, processes } = treeRss(child.pid);
    samples.push({ t: Date.now(), bytes, processes, phase: ingestDone ? "idle" : "ingest" });
    if (ingestDone && Date.now() - ingestDone > idleMs) {
      clearInterval(timer);
      done();
    }
  }, 250);
});
child.kill("SIGINT");
await new Promise((r) => child.once("exit", r));
rmSync(dataDir, { recursive: true, force: true });
if (!ingestDone) throw new Error(`the platform did not finish ingesting:\n${out.slice(-2000)}`);
const mib = (b) => Math.round(b / 2 ** 20);
const ingest = samples.filter((s) => s.phase === "ingest");
const idle = samples.filter((s) => s.phase === "idle" && s.t > ingestDone + idleMs - 10_000);
const peak = Math.max(...ingest.map((s) => s.bytes));
const idleMean = idle.reduce((n, s) => n + s.bytes, 0) / idle.length;
console.log(JSON.stringify({
  checkout,
  mode: values["from-source"] ? "tsx (from source)" : "compiled dist/",
  processes: Math.max(...samples.map((s) => s.processes)),
  startToIngestDoneSeconds: Math.round((ingestDone - started) / 1000),
  peakDuringFirstIngestMiB: mib(peak),
  idleMiB: mib(idleMean),
}));
