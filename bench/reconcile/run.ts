// bench/reconcile: 1,000 Datasets (publishing on, so 1,000 operator-owned CatalogEntries) applied at
// once to the embedded control plane; reports the time until every Dataset and CatalogEntry is Ready
// and the operator process's peak RSS. A benchmark, run by hand (not part of `npm test`):
//   npm run build && node dist/bench/reconcile/run.js [count]
// The operator runs as its own process from the compiled CLI beside this script (tsx would add
// hundreds of MB of transpiler to the figure), so the RSS reported is the operator's alone: the
// control plane runs in this process and PostgreSQL in its own.
// The operator gets the NODE_OPTIONS its Deployment sets in the local environment (operators/heap.ts);
// OPERATOR_NODE_OPTIONS replaces them (e.g. "" for Node's defaults, or --heap-prof, --trace-gc).
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlPlane } from "../../apps/control-plane/index.js";
import { environment } from "../../clusters/environments.js";
import { customResourceDefinitions, type Dataset } from "../../crds/index.js";
import { operatorNodeOptions } from "../../operators/heap.js";
import { toClientModel } from "../../operators/runtime/objects.js";
import { startThrowawayPostgres } from "../../test/catalog/postgres-server.js";

const count = Number(process.argv[2] ?? 1000);
if (!Number.isInteger(count) || count < 1) throw new Error(`bench/reconcile: count must be a positive integer, got "${process.argv[2]}"`);

/** The compiled CLI: beside this file when it is compiled, else the repository's dist/. */
function compiledCli(): string {
  const here = fileURLToPath(import.meta.url);
  const cli = here.endsWith(".js") ? fileURLToPath(new URL("../../apps/cli/main.js", import.meta.url)) : fileURLToPath(new URL("../../dist/apps/cli/main.js", import.meta.url));
  if (!existsSync(cli)) throw new Error(`bench/reconcile: compiled CLI ${cli} not found; run \`npm run build\` first (the operator must run as compiled JavaScript)`);
  return cli;
}

const cli = compiledCli();
const dir = mkdtempSync(join(tmpdir(), "dmac-bench-reconcile-"));
mkdirSync(join(dir, "stores"));
mkdirSync(join(dir, "inputs"));
const plane = await startControlPlane({ inMemory: true, kubeconfigPath: join(dir, "kubeconfig") });
const kc = new KubeConfig();
kc.loadFromString(plane.kubeconfig);
const objects = KubernetesObjectApi.makeApiClient(kc);
for (const crd of customResourceDefinitions) await objects.create(toClientModel(crd));
await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "bench" } } });
await new Promise((r) => setTimeout(r, 500));

// The catalog on PostgreSQL, as in production.
const postgres = await startThrowawayPostgres();
// Flags go on the command line rather than NODE_OPTIONS, which refuses some (--trace-gc).
const nodeOptions = process.env.OPERATOR_NODE_OPTIONS ?? operatorNodeOptions(environment("local").workloads.operator.sizing);
const nodeFlags = nodeOptions.split(/\s+/).filter(Boolean);
const operator = spawn(process.execPath, [...nodeFlags, cli, "operator", "--kubeconfig", join(dir, "kubeconfig"), "--storage-root", join(dir, "stores"), "--input-root", join(dir, "inputs"), "--catalog", postgres.url, "--workers", process.env.WORKERS ?? "8", "--probe-port", process.env.PROBE_PORT ?? "0"], {
  env: { ...process.env, DMAC_LOG_LEVEL: "warn" },
  stdio: ["ignore", "inherit", "inherit"],
  cwd: dir,
});
let exited: number | null | undefined;
operator.once("exit", (code) => { exited = code; });

/** VmHWM (peak) and VmRSS (now) of the operator process, in MB. */
const rss = (): { peak: number; now: number } => {
  try {
    const status = readFileSync(`/proc/${operator.pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peak: kb("VmHWM") / 1024, now: kb("VmRSS") / 1024 };
  } catch {
    return { peak: NaN, now: NaN };
  }
};
// Let the operator start and sync its (empty) caches before the burst.
await new Promise((r) => setTimeout(r, 4000));
const idle = rss();

const dataset = (i: number): Dataset => ({
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: `ds-${i}`, namespace: "bench" },
  spec: {
    storage: { url: `file:///ds-${i}.zarr`, format: "zarr-v2" }, model: "roms",
    aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "blosc-lz4", level: 5 },
    catalog: { enabled: true, title: `Dataset ${i}`, license: "CC0-1.0" }, deletionPolicy: "Retain",
  },
});

const started = performance.now();
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, k) => objects.create(dataset(i + k) as never)));
}
const applied = performance.now();
const isReady = (o: unknown) => Boolean((o as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
let readyDatasets = 0;
let readyEntries = 0;
let samples = 0;
let rssSum = 0;
for (;;) {
  const [sets, entries] = await Promise.all([objects.list("dmac.ioos.us/v1alpha1", "Dataset", "bench"), objects.list("dmac.ioos.us/v1alpha1", "CatalogEntry", "bench")]);
  readyDatasets = sets.items.filter(isReady).length;
  readyEntries = entries.items.filter(isReady).length;
  const now = rss().now;
  if (Number.isFinite(now)) { samples += 1; rssSum += now; }
  if (readyDatasets === count && readyEntries === count) break;
  if (exited !== undefined) throw new Error(`bench/reconcile: the operator exited with code ${String(exited)} before every object was Ready`);
  if (performance.now() - started > 300_000) break;
  await new Promise((r) => setTimeout(r, 250));
}
const seconds = (performance.now() - started) / 1000;
const end = rss();
const report = {
  datasets: count,
  applySeconds: Number(((applied - started) / 1000).toFixed(2)),
  secondsUntilAllReady: Number(seconds.toFixed(2)),
  readyDatasets, readyEntries,
  operatorIdleRssMb: Number(idle.now.toFixed(1)),
  operatorMeanRssMbDuringBurst: Number((rssSum / Math.max(1, samples)).toFixed(1)),
  operatorPeakRssMb: Number(end.peak.toFixed(1)),
  operatorNodeOptions: nodeOptions,
  targets: { secondsUntilAllReady: 60, operatorPeakRssMb: 200 },
};
console.log(JSON.stringify(report, null, 2));
operator.kill("SIGTERM");
if (exited === undefined) await new Promise((r) => operator.once("exit", r));
await plane.stop();
await postgres.stop();
rmSync(dir, { recursive: true, force: true });
