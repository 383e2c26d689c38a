// bench/events: latency from an S3 put into the (local) NODD bucket to the first EDR answer that
// includes the new time step, over the event path: S3 event -> SNS -> SQS -> dmac event-bridge ->
// data.new on RabbitMQ -> the operator's handoff into the item ledger -> ingest and commit -> the
// Dataset's status -> the data API. 50 sample-sized files (the shipped CBOFS sample, one hour apart:
// make_files.py), put one at a time; p50 and p95 reported beside the cron path's worst case (the
// samples' schedule `15 */6 * * *`: a file that lands just after a rescan waits six hours for the
// next, plus the same ingest). Real parts: Debian's rabbitmq-server, fauxqs for S3/SNS/SQS (S3 events
// emitted by apps/local-platform/nodd-bucket.ts), the embedded control plane, the operator, the data API.
// A benchmark, run by hand (not part of `npm test`):  npx tsx bench/events/run.ts [count]
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { serveDataApi } from "../../apps/data-api/server.js";
import { startEventBridge } from "../../apps/event-bridge/server.js";
import { credentials, startLocalNodd } from "../../apps/local-platform/nodd-bucket.js";
import { startRabbitMq } from "../../apps/local-platform/rabbitmq.js";
import { openCatalog } from "../../catalog/index.js";
import { platformQueues } from "../../events/bus-config.js";
import { RabbitMqEventBus } from "../../events/rabbitmq-bus.js";
import { createOperator } from "../../operators/operator.js";
import { createLogger } from "../../operators/runtime/index.js";
import { startCrdPlane } from "../../test/support/crd-plane.js";

const count = Number(process.argv[2] ?? 50);
const namespace = "maracoos";
const collection = `${namespace}-cbofs`;
const cronWorstCaseS = 6 * 3600;

const dir = mkdtempSync(join(tmpdir(), "dmac-bench-events-"));
chmodSync(dir, 0o755); // the broker runs as the rabbitmq user when run as root
const files = join(dir, "files");
execFileSync("/usr/bin/python3", [join(import.meta.dirname, "make_files.py"), files, String(count)]);

const silent = createLogger("bench", "silent", new Writable({ write: (_c, _e, cb) => cb() }));
const broker = await startRabbitMq({ dir: join(dir, "broker") });
const nodd = await startLocalNodd();
const { plane, kc, objects } = await startCrdPlane(namespace);
const bus = (name: string) => new RabbitMqEventBus({ url: broker.url, outboxDir: join(dir, "outbox", name), queues: platformQueues }).start();
const catalog = await openCatalog("memory://");
const abort = new AbortController();
const operatorBus = await bus("operator");
const operator = createOperator({ kubeConfig: kc, log: silent, identity: "bench", roots: { storageRoot: join(dir, "stores"), inputRoot: join(dir, "inputs") }, catalog, bus: operatorBus });
const running = operator.start(abort.signal);
await objects.create({
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "cbofs", namespace },
  spec: { storage: { url: "file:///cbofs.zarr", format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "blosc-lz4", level: 5 }, catalog: { enabled: true, license: "CC0-1.0" }, deletionPolicy: "Retain" },
});
await objects.create({
  apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "cbofs-forecast", namespace },
  spec: {
    source: { prefix: { url: `s3://${nodd.bucket}/cbofs/netcdf/`, keyPattern: "nos\\.cbofs\\.fields\\.f\\d{3}\\.\\d{8}\\.t\\d{2}z\\.nc$", recursive: true }, endpoint: nodd.endpoint, region: "us-east-1", credentials: { anonymous: true } },
    format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "cbofs" },
    schedule: "15 */6 * * *", executor: { type: "local" }, parallelism: 1, retryLimit: 2, suspend: false,
  },
});
const bridgeBus = await bus("bridge");
const bridge = await startEventBridge({ kubeConfig: kc, queues: [{ name: "ofs", url: nodd.queueUrl }], sqs: { region: nodd.region, endpoint: nodd.endpoint, credentials }, bus: bridgeBus, log: () => undefined, port: 0, waitTimeSeconds: 20 });
const apiBus = await bus("data-api");
const api = await serveDataApi({ datasets: [], port: 0, discovery: { kubeConfig: kc, storageRoot: join(dir, "stores"), resyncMs: 10_000 }, bus: apiBus, logger: false });

async function steps(): Promise<number> {
  const response = await fetch(`${api.url}/collections/${collection}/position?coords=POINT(-76.3%2037.1)&parameter-name=zeta`);
  if (!response.ok) return 0;
  const body = (await response.json()) as { domain?: { axes?: { t?: { values?: string[] } } } };
  return body.domain?.axes?.t?.values?.length ?? 0;
}

// Stages, seen from outside: the key in the job's item ledger (bridge + handoff), the commit in the
// Dataset's status (batch + Dataset reconcile), the EDR answer (the data API's view).
const ledgerPath = join(dir, "stores", "cbofs.zarr", ".dmac", "ingestjobs", namespace, "cbofs-forecast.json");
const inLedger = (name: string) => {
  try {
    return readFileSync(ledgerPath, "utf8").includes(name);
  } catch {
    return false;
  }
};
const committedSteps = async () => ((await objects.read({ apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "cbofs", namespace } })) as { status?: { timeSteps?: number } }).status?.timeSteps ?? 0;
const stages = { ledger: [] as number[], commit: [] as number[] };
const latencies: number[] = [];
for (let lead = 1; lead <= count; lead += 1) {
  const name = `nos.cbofs.fields.f${String(lead).padStart(3, "0")}.20231022.t00z.nc`;
  const body = readFileSync(join(files, name));
  const started = performance.now();
  await nodd.put(`cbofs/netcdf/cbofs.20231022/${name}`, body);
  let ledgerAt: number | undefined;
  let commitAt: number | undefined;
  for (;;) {
    ledgerAt ??= inLedger(name) ? performance.now() : undefined;
    commitAt ??= (await committedSteps()) >= lead ? performance.now() : undefined;
    if ((await steps()) >= lead) break;
    if (performance.now() - started > 120_000) throw new Error(`${name}: no EDR answer with step ${lead} within 120 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const done = performance.now();
  latencies.push((done - started) / 1000);
  stages.ledger.push(((ledgerAt ?? done) - started) / 1000);
  stages.commit.push(((commitAt ?? done) - started) / 1000);
  process.stderr.write(`${lead}: ${latencies.at(-1)!.toFixed(2)} s\n`);
}

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number, values = sorted) => {
  const ordered = [...values].sort((a, b) => a - b);
  return ordered[Math.min(ordered.length - 1, Math.ceil((p / 100) * ordered.length) - 1)]!;
};
const ingestS = pct(50);
console.log(JSON.stringify({
  files: count,
  fileBytes: readFileSync(join(files, "nos.cbofs.fields.f001.20231022.t00z.nc")).length,
  eventPath: { p50S: +pct(50).toFixed(2), p95S: +pct(95).toFixed(2), maxS: +sorted.at(-1)!.toFixed(2), firstS: +latencies[0]!.toFixed(2) },
  stagesP50S: { putToLedger: +pct(50, stages.ledger).toFixed(2), putToCommitInStatus: +pct(50, stages.commit).toFixed(2), putToEdr: +pct(50).toFixed(2) },
  cronPathWorstCaseS: cronWorstCaseS + ingestS,
  ratioP50ToCronWorst: +(pct(50) / (cronWorstCaseS + ingestS)).toExponential(2),
}, null, 2));

await bridge.stop();
await api.close();
abort.abort();
await running;
for (const b of [operatorBus, bridgeBus, apiBus]) await b.close();
await catalog.close();
await plane.stop();
await nodd.stop();
await broker.stop();
rmSync(dir, { recursive: true, force: true });
