// bench/reconcile: 1,000 Datasets (publishing on, so 1,000 operator-owned CatalogEntries) applied at
// once to the embedded control plane; reports the time until every Dataset and CatalogEntry is Ready
// and the operator process's peak RSS. A benchmark, run by hand (not part of `npm test`):
//   npx tsx bench/reconcile/run.ts [count]
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startControlPlane } from "../../apps/control-plane/index.js";
import { customResourceDefinitions, type Dataset } from "../../crds/index.js";
import { toClientModel } from "../../operators/runtime/objects.js";
import { startThrowawayPostgres } from "../../test/catalog/postgres-server.js";

const count = Number(process.argv[2] ?? 1000);
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

// The catalog on PostgreSQL, as in production (the embedded PGlite alone takes ~700 MB of RSS).
const postgres = await startThrowawayPostgres();
const cli = join(import.meta.dirname, "../../bin/dmac.js");
const operator = spawn(process.execPath, [cli, "operator", "--kubeconfig", join(dir, "kubeconfig"), "--storage-root", join(dir, "stores"), "--input-root", join(dir, "inputs"), "--catalog", postgres.url, "--workers", "8", "--probe-port", process.env.PROBE_PORT ?? "0"], {
  env: { ...process.env, DMAC_LOG_LEVEL: "warn", ...(process.env.OPERATOR_NODE_OPTIONS ? { NODE_OPTIONS: process.env.OPERATOR_NODE_OPTIONS } : {}) },
  stdio: ["ignore", "inherit", "inherit"],
});
const peakRssMb = () => {
  try {
    const status = readFileSync(`/proc/${operator.pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
};
// Let the operator start and sync its (empty) caches before the burst.
await new Promise((r) => setTimeout(r, 4000));
const idleRss = peakRssMb();

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
for (;;) {
  const [sets, entries] = await Promise.all([objects.list("dmac.ioos.us/v1alpha1", "Dataset", "bench"), objects.list("dmac.ioos.us/v1alpha1", "CatalogEntry", "bench")]);
  readyDatasets = sets.items.filter(isReady).length;
  readyEntries = entries.items.filter(isReady).length;
  if (readyDatasets === count && readyEntries === count) break;
  if (performance.now() - started > 300_000) break;
  await new Promise((r) => setTimeout(r, 250));
}
const seconds = (performance.now() - started) / 1000;
const report = {
  datasets: count,
  applySeconds: Number(((applied - started) / 1000).toFixed(2)),
  secondsUntilAllReady: Number(seconds.toFixed(2)),
  readyDatasets, readyEntries,
  operatorIdleRssMb: Number(idleRss.toFixed(1)),
  operatorPeakRssMb: Number(peakRssMb().toFixed(1)),
  targets: { secondsUntilAllReady: 60, operatorPeakRssMb: 200 },
};
console.log(JSON.stringify(report, null, 2));
operator.kill("SIGTERM");
await new Promise((r) => operator.once("exit", r));
await plane.stop();
await postgres.stop();
rmSync(dir, { recursive: true, force: true });
