// Event-driven ingest end to end, with real parts: Debian's rabbitmq-server (a private broker), AWS
// emulated by fauxqs from npm (the local NODD bucket, its SNS topic and our SQS queue; the S3 event
// is emitted by apps/local-platform/nodd-bucket.ts since fauxqs has no bucket notifications), the
// embedded control plane, the operator as its ServiceAccount, the event bridge and two data API
// replicas. An object put into the bucket is ingested and committed without any listing of the
// source (no rescan, no cron tick), answered by the EDR API, published to the catalog, and a second
// replica that never re-reads store metadata on its own sees the new step because dataset.updated
// reached it through RabbitMQ. Duplicates, an early notification and a kill -9 of the broker while
// the operator commits leave exactly one ingest per file and lose no event.
import { KubeConfig } from "@kubernetes/client-node";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventBridge, type RunningEventBridge } from "../../apps/event-bridge/server.js";
import { serveDataApi, type RunningDataApi } from "../../apps/data-api/server.js";
import { credentials, startLocalNodd, type LocalNodd } from "../../apps/local-platform/nodd-bucket.js";
import { startRabbitMq, type RabbitMqBroker } from "../../apps/local-platform/rabbitmq.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { platformQueues } from "../../events/bus-config.js";
import { eventTypes } from "../../events/platform-events.js";
import { RabbitMqEventBus } from "../../events/rabbitmq-bus.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { romsFile, romsKey, type CycleFile } from "../dataplane/fixtures.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

const namespace = "maracoos";
const collection = `${namespace}-cbofs`;
const cycle = new Date("2026-12-07T00:00:00Z");
const file = (hour: number): CycleFile => ({ cycle, kind: "f", hour });
const keyOf = (hour: number) => `cbofs/netcdf/${romsKey(file(hour))}`;

let dir: string;
let broker: RabbitMqBroker;
let nodd: LocalNodd;
let stack: OperatorStack;
let bridge: RunningEventBridge;
let replicaA: RunningDataApi;
let replicaB: RunningDataApi;
let replicaBBus: RabbitMqEventBus;
let operatorBus: RabbitMqEventBus;
const buses: RabbitMqEventBus[] = [];
const committed: number[] = []; // timeSteps of every dataset.updated heard on a durable queue

async function bus(name: string): Promise<RabbitMqEventBus> {
  const queues = [...platformQueues, { queue: "test.e2e.updated", types: [eventTypes.datasetUpdated] }];
  const b = await new RabbitMqEventBus({ url: broker.url, outboxDir: join(dir, "outbox", name), queues, retryDelayMs: 300 }).start();
  buses.push(b);
  return b;
}

async function steps(api: RunningDataApi): Promise<number> {
  const response = await fetch(`${api.url}/collections/${collection}/position?coords=POINT(-76.4%2037.05)&parameter-name=zeta`);
  if (!response.ok) return 0;
  const body = (await response.json()) as { domain?: { axes?: { t?: { values?: string[] } } } };
  return body.domain?.axes?.t?.values?.length ?? 0;
}

async function putFile(hour: number, options?: { announce?: boolean }): Promise<void> {
  const path = romsFile(join(dir, "fixtures"), file(hour));
  await nodd.put(keyOf(hour), await readFile(path), options);
}

const jobs = () => new ResourceClient(stack.kc, ingestJobs);
type Ledger = { items: Record<string, { url: string; state: string; attempts: number }> };
const ledger = async (): Promise<Ledger> => JSON.parse(await readFile(join(stack.stores, "cbofs.zarr", ".dmac", "ingestjobs", namespace, "cbofs-forecast.json"), "utf8").catch(() => "{\"items\":{}}")) as Ledger;
const eventReasons = async () => (await stack.core.listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === "cbofs-forecast").map((e) => e.reason ?? "");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dmac-nodd-e2e-"));
  chmodSync(dir, 0o755); // the broker runs as the rabbitmq user when the suite runs as root
  broker = await startRabbitMq({ dir: join(dir, "broker") });
  nodd = await startLocalNodd();
  operatorBus = await bus("operator");
  stack = await startOperatorStack({ tempPrefix: "dmac-nodd-e2e-", namespace, servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob" }, operator: { identity: "e2e", bus: operatorBus } });
  const dataset: Dataset = {
    apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "cbofs", namespace },
    spec: { storage: { url: "file:///cbofs.zarr", format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: true, license: "CC0-1.0" }, deletionPolicy: "Retain" },
  } as Dataset;
  const job: IngestJob = {
    apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "cbofs-forecast", namespace },
    spec: {
      source: { prefix: { url: `s3://${nodd.bucket}/cbofs/netcdf/`, keyPattern: "nos\\.cbofs\\.fields\\.f\\d{3}\\.\\d{8}\\.t\\d{2}z\\.nc$", recursive: true }, endpoint: nodd.endpoint, region: "us-east-1", credentials: { anonymous: true } },
      format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "cbofs" },
      // Once a year: no cron tick during the test. Only the first reconcile lists the (empty) source.
      schedule: "0 0 1 1 *",
      executor: { type: "local" }, parallelism: 1, retryLimit: 2, suspend: false,
    },
  } as IngestJob;
  await new ResourceClient(stack.kc, datasets).create(dataset);
  await jobs().create(job);
  await until("the first (empty) listing", async () => (await jobs().get(namespace, "cbofs-forecast"))?.status?.lastScheduleTime, 60_000);
  bridge = await startEventBridge({
    kubeConfig: stack.kc,
    queues: [{ name: "ofs", url: nodd.queueUrl, deadLetterUrl: nodd.deadLetterUrl }],
    sqs: { region: nodd.region, endpoint: nodd.endpoint, credentials },
    bus: await bus("bridge"),
    log: () => undefined,
    port: 0,
    waitTimeSeconds: 1,
  });
  // Replica A discovers Datasets; replica B serves the store from a fixed URL and never re-reads its
  // metadata on its own (revalidation once an hour): only the bus can tell it about a new step.
  replicaA = await serveDataApi({ datasets: [], port: 0, discovery: { kubeConfig: stack.kc, storageRoot: stack.stores, resyncMs: 10_000 }, bus: await bus("replica-a"), logger: false });
  replicaBBus = await bus("replica-b");
  replicaB = await serveDataApi({ datasets: [{ id: collection, url: `file://${join(stack.stores, "cbofs.zarr")}` }], port: 0, revalidateMs: 3_600_000, bus: replicaBBus, logger: false });
  const listener = await bus("test-listener");
  listener.subscribe((event) => void committed.push(Number(event.data["timeSteps"])), [eventTypes.datasetUpdated], { queue: "test.e2e.updated" });
}, 240_000);

afterAll(async () => {
  await bridge?.stop();
  await replicaA?.close();
  await replicaB?.close();
  await stack?.stop();
  for (const b of buses) await b.close();
  await nodd?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("event-driven ingest from NODD notifications over RabbitMQ", () => {
  it("ingests an object put into the NODD bucket with no rescan and no cron tick: EDR answers, the catalog has the item, a second replica's cache is invalidated through RabbitMQ", async () => {
    const scheduled = (await jobs().get(namespace, "cbofs-forecast"))?.status?.lastScheduleTime;
    const put = Date.now();
    await putFile(1);
    await until("replica A answers with the new step", async () => (await steps(replicaA)) === 1, 120_000);
    const latencyMs = Date.now() - put;
    expect(await steps(replicaB)).toBe(1); // B opens the store now and keeps its metadata
    await putFile(2);
    await until("replica A answers with the second step", async () => (await steps(replicaA)) === 2, 120_000);
    await until("replica B sees the second step (dataset.updated through RabbitMQ)", async () => (await steps(replicaB)) === 2, 30_000);
    expect(replicaBBus.stats.delivered).toBeGreaterThanOrEqual(1);
    // The catalog's item covers the new step.
    const items = await until("the catalog item", async () => {
      const page = await stack.catalog.searchItems({ collections: [collection], limit: 10, offset: 0 });
      return page.records.length > 0 && String(page.records[0]!.properties["end_datetime"] ?? "").startsWith("2026-12-07T02") ? page.records : undefined;
    }, 60_000);
    expect(items).toHaveLength(1);
    // No listing found these files: the first listing found none and the schedule never fired.
    const job = await jobs().get(namespace, "cbofs-forecast");
    expect(job?.status?.lastScheduleTime).toBe(scheduled);
    expect(await eventReasons()).not.toContain("SourceScanned");
    expect(Object.values((await ledger()).items).map((e) => basename(e.url)).sort()).toEqual([basename(keyOf(1)), basename(keyOf(2))]);
    console.log(`put -> first EDR answer with the new step: ${latencyMs} ms`);
  });

  it("ingests once when the same notification arrives three times, and waits for an object announced before it is readable", async () => {
    const first = nodd.fauxqs.spy.getAllMessages().filter((m) => m.service === "sns").map((m) => (m as { body: string }).body).find((b) => b.includes("f002"));
    expect(first).toBeDefined();
    for (let i = 0; i < 3; i += 1) nodd.fauxqs.sendMessage("dmac-nodd-ofs", JSON.stringify({ Type: "Notification", Message: first }));
    await nodd.announce(keyOf(2)); // and once more with a new sequencer
    // f003 announced first, readable two seconds later.
    const path = romsFile(join(dir, "fixtures"), file(3));
    const bytes = await readFile(path);
    await nodd.announce(keyOf(3), { size: bytes.length, eTag: "not-yet" });
    await new Promise((r) => setTimeout(r, 2000));
    await nodd.put(keyOf(3), bytes, { announce: false });
    await until("replica A answers with the third step", async () => (await steps(replicaA)) === 3, 120_000);
    await until("the job settled", async () => (await jobs().get(namespace, "cbofs-forecast"))?.status?.phase === "Succeeded", 60_000);
    const entries = Object.values((await ledger()).items);
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.state === "succeeded" && e.attempts === 1)).toBe(true);
    const status = (await jobs().get(namespace, "cbofs-forecast"))?.status;
    expect(status?.items).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
    expect(status?.recentFailures ?? []).toEqual([]);
    expect(await bridge.metrics.count("dmac_event_bridge_dlq_sends_total")).toBe(0);
    expect(nodd.fauxqs.inspectQueue("dmac-nodd-ofs-dlq")?.messages.ready ?? []).toHaveLength(0);
  });

  it("delivers every dataset.updated of a commit made while RabbitMQ was killed with SIGKILL", async () => {
    await putFile(4);
    // Killed as soon as the handoff is in the ledger: the batch commits while the broker is down.
    await until("f004 in the ledger", async () => Object.values((await ledger()).items).some((e) => e.url.endsWith(basename(keyOf(4)))), 60_000);
    broker.kill();
    await until("the commit (read from the store's status by replica A's discovery)", async () => (await steps(replicaA)) === 4, 120_000);
    // Usually the commit's event waits in the operator's outbox now (unless the batch beat the kill).
    console.log(`events in the operator's outbox while the broker is down: ${await operatorBus.pending()}`);
    await broker.restart();
    await until("dataset.updated for every committed step delivered", () => [1, 2, 3, 4].every((n) => committed.includes(n)), 90_000);
    await until("replica B sees the fourth step", async () => (await steps(replicaB)) === 4, 60_000);
    expect(await operatorBus.pending()).toBe(0);
  });
});
