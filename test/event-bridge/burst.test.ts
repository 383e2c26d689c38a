// A burst of 10,000 NODD notifications through the bridge onto a real RabbitMQ (Debian's
// rabbitmq-server; SQS from fauxqs, an npm emulator): every one is handed off exactly once, the
// bridge never holds more messages than one receive batch, the consumer never runs more handlers
// than its prefetch, and the bridge's memory does not grow with the burst.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../apps/control-plane/index.js";
import { startEventBridge, type RunningEventBridge } from "../../apps/event-bridge/server.js";
import { credentials, encodeS3EventKey, startLocalNodd, type LocalNodd } from "../../apps/local-platform/nodd-bucket.js";
import { startRabbitMq, type RabbitMqBroker } from "../../apps/local-platform/rabbitmq.js";
import { platformQueues } from "../../events/bus-config.js";
import { eventTypes, operatorHandoffQueueName } from "../../events/platform-events.js";
import { RabbitMqEventBus } from "../../events/rabbitmq-bus.js";
import { startCrdPlane } from "../support/crd-plane.js";
import { until } from "../support/until.js";

const burst = 10_000;
const prefetch = 32;
let dir: string;
let plane: ControlPlane;
let broker: RabbitMqBroker;
let nodd: LocalNodd;
let bridge: RunningEventBridge;
const buses: RabbitMqEventBus[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dmac-burst-"));
  chmodSync(dir, 0o755); // the broker runs as the rabbitmq user when the suite runs as root
  broker = await startRabbitMq({ dir: join(dir, "broker") });
  const { plane: started, kc, objects } = await startCrdPlane("maracoos");
  plane = started;
  await objects.create({ apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "cbofs", namespace: "maracoos" }, spec: { source: { prefix: { url: "s3://noaa-nos-ofs-pds/cbofs/", keyPattern: "\\.nc$", recursive: true }, credentials: { anonymous: true } }, datasetRef: { name: "cbofs" }, executor: { type: "local" } } });
  nodd = await startLocalNodd();
  // The burst is queued before the bridge starts, as after an outage.
  for (let i = 0; i < burst; i += 1) {
    const record = { eventName: "ObjectCreated:Put", eventTime: new Date().toISOString(), awsRegion: "us-east-1", s3: { bucket: { name: nodd.bucket }, object: { key: encodeS3EventKey(`cbofs/netcdf/burst/file-${i}.nc`), size: 1, eTag: `e${i}`, sequencer: i.toString(16).padStart(16, "0") } } };
    nodd.fauxqs.sendMessage("dmac-nodd-ofs", JSON.stringify({ Type: "Notification", Message: JSON.stringify({ Records: [record] }) }));
  }
  const bridgeBus = await new RabbitMqEventBus({ url: broker.url, outboxDir: join(dir, "outbox-bridge"), queues: platformQueues }).start();
  buses.push(bridgeBus);
  bridge = await startEventBridge({ kubeConfig: kc, queues: [{ name: "ofs", url: nodd.queueUrl }], sqs: { region: nodd.region, endpoint: nodd.endpoint, credentials }, bus: bridgeBus, log: () => undefined, port: 0, waitTimeSeconds: 1, batchSize: 10 });
}, 180_000);

afterAll(async () => {
  await bridge?.stop();
  for (const b of buses) await b.close();
  await nodd?.stop();
  await plane?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a burst of 10,000 notifications", () => {
  it("is handed off exactly once each, with bounded messages and handlers in flight and bounded memory", async () => {
    const consumer = await new RabbitMqEventBus({ url: broker.url, outboxDir: join(dir, "outbox-consumer"), queues: platformQueues, prefetch }).start();
    buses.push(consumer);
    const seen = new Set<string>();
    let running = 0;
    let maxRunning = 0;
    // The operator's handoff stands here: a handler that takes a little while (a ledger write).
    consumer.subscribe(async (event) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 2));
      seen.add(String(event.data["key"]));
      running -= 1;
    }, [eventTypes.dataNew], { queue: operatorHandoffQueueName });
    let maxInFlight = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      void bridge.metrics.inFlight.get().then((g) => (maxInFlight = Math.max(maxInFlight, g.values[0]?.value ?? 0)));
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    const started = Date.now();
    try {
      await until("every notification handed off and consumed", () => seen.size === burst, 600_000);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    // A consumer can get a message before its publisher has the broker's confirm.
    await until("the last confirms counted", async () => (await bridge.metrics.count("dmac_event_bridge_handoffs_total")) >= burst, 30_000);
    expect(await bridge.metrics.count("dmac_event_bridge_handoffs_total")).toBe(burst);
    expect(await bridge.metrics.count("dmac_event_bridge_messages_total", { outcome: "handed_off" })).toBe(burst);
    expect(maxInFlight).toBeLessThanOrEqual(10); // one receive batch
    expect(maxRunning).toBeLessThanOrEqual(prefetch);
    expect(consumer.stats.delivered).toBe(burst);
    // The whole test process (fauxqs holding the queue, the control plane, both buses): growth stays far below the burst's size times anything per message.
    const growthMiB = (heapPeak - heapBefore) / 2 ** 20;
    console.log(`10,000 notifications in ${seconds.toFixed(1)} s (${Math.round(burst / seconds)}/s); bridge in flight <= ${maxInFlight}; handlers <= ${maxRunning}; heap growth peak ${growthMiB.toFixed(0)} MiB`);
    expect(growthMiB).toBeLessThan(200);
    expect(nodd.fauxqs.inspectQueue("dmac-nodd-ofs")?.messages.ready ?? []).toHaveLength(0);
  }, 700_000);
});
