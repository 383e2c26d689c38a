// Does a heavy query stall the control plane? (issue #22) Starts `node bin/dmac.js up` in a checkout
// on a fresh data directory, waits for the first ingest, then measures the control plane's GET
// latency (a sequential client listing ConfigMaps every 10 ms) for 10 s at rest and for 30 s while
// 50 clients each loop whole-domain EDR cubes (every parameter, every time step) on the data API.
//
//   node bench/platform/isolation.mjs [--checkout DIR] [--port-base N] [--from-source] [--clients 50] [--seconds 30]
//
// --from-source runs the TypeScript through tsx (DMAC_FROM_SOURCE=1), as `npm start` did before
// issue #22 (everything on one event loop there); without it bin/dmac.js runs dist/.
import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";

const { values } = parseArgs({ options: { checkout: { type: "string", default: "." }, "port-base": { type: "string", default: "7643" }, "from-source": { type: "boolean", default: false }, clients: { type: "string", default: "50" }, seconds: { type: "string", default: "30" } } });
const checkout = resolve(values.checkout);
const dataDir = mkdtempSync(join(tmpdir(), "dmac-isolation-"));

if (!values["from-source"]) {
  const { build, readStamp, sourceFingerprint } = await import(join(checkout, "bin", "build.mjs"));
  if (readStamp()?.fingerprint !== sourceFingerprint() && !build({ quiet: true })) throw new Error("build failed");
}
const child = spawn(process.execPath, [join(checkout, "bin", "dmac.js"), "up", "--data-dir", dataDir, "--port-base", values["port-base"]], {
  cwd: checkout,
  env: { ...process.env, DMAC_FROM_SOURCE: values["from-source"] ? "1" : "" },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
child.stdout.on("data", (d) => (out += d.toString()));
const deadline = Date.now() + 600_000;
while (!out.includes("ingest finished")) {
  if (child.exitCode !== null || Date.now() > deadline) throw new Error(`dmac up did not finish ingesting:\n${out.slice(-2000)}`);
  await new Promise((r) => setTimeout(r, 250));
}
const controlPlaneUrl = /control plane\s+(\S+)/.exec(out)[1];
const kubeconfigPath = /kubeconfig: (\S+)/.exec(out)[1];
const dataApiUrl = /EDR data API\s+(\S+)/.exec(out)[1];
const kubeconfig = parseYaml(readFileSync(kubeconfigPath, "utf8"));
const token = kubeconfig.users?.[0]?.user?.token;
const caData = kubeconfig.clusters?.[0]?.cluster?.["certificate-authority-data"];

const cpUrl = new URL(controlPlaneUrl);
const cpAgent = cpUrl.protocol === "https:" ? new https.Agent({ keepAlive: true, ...(caData ? { ca: Buffer.from(caData, "base64") } : {}) }) : new http.Agent({ keepAlive: true });
function cpGet(path) {
  const started = performance.now();
  return new Promise((resolveAnswer, reject) => {
    const req = (cpUrl.protocol === "https:" ? https : http).request({ host: cpUrl.hostname, port: cpUrl.port, path, agent: cpAgent, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on("end", () => resolveAnswer({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end();
  });
}

const dataAgent = new http.Agent({ keepAlive: true, maxSockets: Number(values.clients) });
function dataGet(path) {
  const url = new URL(path, dataApiUrl);
  const started = performance.now();
  return new Promise((resolveAnswer, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: dataAgent }, (res) => {
      let bytes = 0;
      res.on("data", (c) => (bytes += c.length));
      res.on("end", () => resolveAnswer({ status: res.statusCode, bytes, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function probe(seconds, stopWhen) {
  const latencies = [];
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end && !stopWhen?.()) {
    const { status, ms } = await cpGet("/api/v1/namespaces/default/configmaps");
    if (status !== 200) throw new Error(`control plane answered ${status}`);
    latencies.push(ms);
    await new Promise((r) => setTimeout(r, 10));
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1));
  return { requests: latencies.length, p50: q(0.5), p99: q(0.99), max: Number(latencies[latencies.length - 1].toFixed(1)) };
}

const collections = JSON.parse(await new Promise((r) => http.get(new URL("/collections", dataApiUrl), (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => r(b)); }))).collections.map((c) => c.id);
const cubes = collections.map((id) => `/collections/${id}/cube?bbox=-180,-90,180,90&f=CoverageJSON`);
const sample = await Promise.all(cubes.map((c) => dataGet(c)));

const atRest = await probe(10);
let stop = false;
let done = 0;
let failed = 0;
const load = Array.from({ length: Number(values.clients) }, async (_, i) => {
  while (!stop) {
    const { status } = await dataGet(cubes[i % cubes.length]);
    if (status === 200) done += 1;
    else failed += 1;
  }
});
const loadStarted = Date.now();
const underLoad = await probe(Number(values.seconds));
stop = true;
await Promise.all(load);
const loadSeconds = (Date.now() - loadStarted) / 1000;

child.kill("SIGINT");
await new Promise((r) => child.once("exit", r));
cpAgent.destroy();
dataAgent.destroy();
rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({
  checkout,
  mode: values["from-source"] ? "tsx (from source)" : "compiled dist/",
  cube: sample.map((s, i) => ({ path: cubes[i], status: s.status, bytes: s.bytes, ms: Math.round(s.ms) })),
  controlPlaneGetMsAtRest: atRest,
  controlPlaneGetMsUnderLoad: underLoad,
  cubesPerSecond: Number((done / loadSeconds).toFixed(1)),
  cubesFailed: failed,
  clients: Number(values.clients),
}));
