// Benchmark of the embedded control plane (not a test): 5,000 custom objects created by
// concurrent clients while 20 watchers (in their own process) stream them; reports create throughput, list latency,
// watch delivery delay and the server's RSS. See README.md.
import { fork, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 5000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const inMemory = process.argv.includes("--in-memory");

const here = dirname(fileURLToPath(import.meta.url));
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 4 });

/** The bearer token requests carry: the admin's for setup, then a ServiceAccount's, so every timed request goes through RBAC. */
let token = "";

function request(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, agent, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** CPU seconds (user + system) the server process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

const loadAtStart = loadavg().map((l) => Number(l.toFixed(2)));
const dataDir = mkdtempSync(join(tmpdir(), "dmac-cp-bench-"));
const server = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean), join(here, "server.js"), inMemory ? "--in-memory" : dataDir], { stdio: ["ignore", "pipe", "inherit"] });
const [base, adminToken] = await new Promise<[string, string]>((resolve) => server.stdout.once("data", (d: Buffer) => resolve(d.toString().trim().split(" ") as [string, string])));
token = adminToken;
const baselineRss = rssMiB(server.pid!).rss;

try {
  const crd = parse(readFileSync(join(here, "..", "..", "..", "..", "..", "test", "control-plane", "fixtures", "widget-crd.yaml"), "utf8")) as unknown;
  const crdRes = await request(base, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  if (crdRes.status !== 201) throw new Error(`creating the CRD failed: ${crdRes.status} ${crdRes.text}`);
  const collection = "/apis/test.dmac.ioos.us/v1alpha1/namespaces/default/widgets";
  // A ServiceAccount allowed exactly what the benchmark does, as the operator is.
  const rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
  await request(base, "POST", "/api/v1/namespaces/default/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "bench" } });
  await request(base, "POST", `${rbac}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "bench" }, rules: [{ apiGroups: ["test.dmac.ioos.us"], resources: ["widgets"], verbs: ["create", "get", "list", "watch"] }] });
  await request(base, "POST", `${rbac}/rolebindings`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "bench" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "bench" }, subjects: [{ kind: "ServiceAccount", name: "bench", namespace: "default" }] });
  const issued = await request(base, "POST", "/api/v1/namespaces/default/serviceaccounts/bench/token", { spec: {} });
  if (issued.status !== 201) throw new Error(`TokenRequest failed: ${issued.status} ${issued.text}`);
  token = (JSON.parse(issued.text) as { status: { token: string } }).status.token;
  const startRv = (JSON.parse((await request(base, "GET", collection)).text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

  // Watchers: one HTTP stream each, from the same resourceVersion, in a separate process.
  const epoch = () => performance.timeOrigin + performance.now();
  const sentAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const watcherProcess = fork(join(here, "watchers.js"), [base, `${collection}?watch=true&resourceVersion=${startRv}`, String(WATCHERS), token]);
  const fromWatchers = <T>(key: string) => new Promise<T>((resolve) => {
    const listener = (message: Record<string, unknown>) => {
      if (key in message) {
        watcherProcess.off("message", listener);
        resolve(message[key] as T);
      }
    };
    watcherProcess.on("message", listener);
  });
  await fromWatchers<boolean>("ready");
  await new Promise((r) => setTimeout(r, 300));

  // Creates: CONCURRENCY clients until OBJECTS are stored.
  let next = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(server.pid!).rss)), 50);
  const createStart = performance.now();
  const cpuStart = cpuSeconds(server.pid!);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OBJECTS) {
      const i = next++;
      const name = `w-${i}`;
      sentAt.set(name, epoch());
      const res = await request(base, "POST", collection, { apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name, labels: { shard: String(i % 10) } }, spec: { color: ["red", "green", "blue"][i % 3], size: (i % 100) + 1, tags: ["bench", `n${i}`] } });
      ackedAt.set(name, epoch());
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
    }
  }));
  const createSeconds = (performance.now() - createStart) / 1000;
  const complete = fromWatchers<boolean>("complete");
  watcherProcess.send({ expect: OBJECTS });
  const deliveredAll = await Promise.race([complete, new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
  const arrivalsPromise = fromWatchers<Array<Record<string, number>>>("arrivals");
  watcherProcess.send({ stop: true });
  const arrivals = await arrivalsPromise;
  const endToEnd: number[] = [];
  const afterAck: number[] = [];
  for (const perWatcher of arrivals) {
    for (const [name, t] of Object.entries(perWatcher)) {
      endToEnd.push(t - sentAt.get(name)!);
      afterAck.push(Math.max(0, t - ackedAt.get(name)!));
    }
  }
  const received = arrivals.map((a) => Object.keys(a).length);
  const cpuPerWriteMs = ((cpuSeconds(server.pid!) - cpuStart) * 1000) / OBJECTS;

  // Lists: full list and a label-selected list, 10 times each.
  const timeList = async (path: string) => {
    const times: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const t = performance.now();
      const res = await request(base, "GET", path);
      if (res.status !== 200) throw new Error(`list ${path}: ${res.status}`);
      times.push(performance.now() - t);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  };
  const fullList = await timeList(collection);
  const selected = await timeList(`${collection}?labelSelector=shard%3D3`);
  const paged = await timeList(`${collection}?limit=500`);
  clearInterval(sampler);
  const rss = rssMiB(server.pid!);

  const result = {
    mode: inMemory ? "in-memory" : "durable (fdatasync group commit)",
    loadAverageAtStart: loadAtStart,
    objects: OBJECTS,
    watchers: WATCHERS,
    concurrency: CONCURRENCY,
    createsPerSecond: Math.round(OBJECTS / createSeconds),
    createSeconds: Number(createSeconds.toFixed(2)),
    // Server CPU per create including fan-out to all watchers: 1000 / this is the rate one free core sustains.
    serverCpuMsPerWrite: Number(cpuPerWriteMs.toFixed(2)),
    listMs: { full: round(fullList), labelSelected: round(selected), limit500: round(paged) },
    watchDelayMs: { afterAck: { p50: r1(percentile(afterAck, 50)), p99: r1(percentile(afterAck, 99)), max: r1(Math.max(...afterAck)) }, sinceRequestSent: { p50: r1(percentile(endToEnd, 50)), p99: r1(percentile(endToEnd, 99)) } },
    eventsDelivered: received.reduce((a, b) => a + b, 0),
    deliveredAll,
    serverRssMiB: { idle: r1(baselineRss), peakSampled: r1(peakRss), peakVmHWM: r1(rss.peak), end: r1(rss.rss) },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  agent.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}

function r1(n: number): number {
  return Number(n.toFixed(1));
}
function round(x: { p50: number; p99: number }) {
  return { p50: r1(x.p50), p99: r1(x.p99) };
}
