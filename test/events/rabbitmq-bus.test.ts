// The platform bus on a real RabbitMQ (Debian's rabbitmq-server, a private broker per suite):
// CloudEvents structured JSON on a topic exchange, routing by domain, fan-out to replicas and
// competing consumers on a durable queue, the outbox across a broker that is down or killed with
// SIGKILL mid-stream, and consumers de-duplicating by event id.
import { connect } from "amqplib";
import { CloudEvent as SdkEvent } from "cloudevents";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRabbitMq, type RabbitMqBroker } from "../../apps/local-platform/rabbitmq.js";
import { cloudEvent, eventTypes, type CloudEvent } from "../../events/platform-events.js";
import { RabbitMqEventBus } from "../../events/rabbitmq-bus.js";
import { until } from "../support/until.js";

let broker: RabbitMqBroker;
let dir: string;
const buses: RabbitMqEventBus[] = [];

async function bus(name: string, options: Partial<ConstructorParameters<typeof RabbitMqEventBus>[0]> = {}): Promise<RabbitMqEventBus> {
  const b = new RabbitMqEventBus({ url: broker.url, outboxDir: join(dir, name), retryDelayMs: 100, ...options });
  buses.push(b);
  await b.start();
  return b;
}

const updated = (subject: string, n: number): CloudEvent => cloudEvent(eventTypes.datasetUpdated, "/dmac/operators/dataset", subject, { storeUrl: `file:///stores/${subject}.zarr`, timeSteps: n });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dmac-bus-"));
  chmodSync(dir, 0o755); // the broker runs as the rabbitmq user when the suite runs as root
  broker = await startRabbitMq({ dir: join(dir, "broker") });
}, 120_000);

afterAll(async () => {
  for (const b of buses) await b.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("RabbitMqEventBus", () => {
  it("sends CloudEvents structured JSON with routing key <domain>.<type>: an outside subscriber binds its own domain only", async () => {
    const publisher = await bus("routing");
    await publisher.connected();
    // An outside subscriber (a regional association) with plain AMQP and its own queue.
    const outside = await connect(broker.url);
    const channel = await outside.createChannel();
    const { queue } = await channel.assertQueue("", { exclusive: true });
    await channel.bindQueue(queue, publisher.exchange, "maracoos.#");
    const received: { routingKey: string; contentType: string | undefined; body: string }[] = [];
    await channel.consume(queue, (m) => { if (m) received.push({ routingKey: m.fields.routingKey, contentType: m.properties.contentType as string | undefined, body: m.content.toString() }); }, { noAck: true });
    await publisher.publish(updated("gcoos/tampa-bay", 1));
    await publisher.publish(updated("maracoos/cbofs-best", 2));
    await until("the maracoos event", () => received.length >= 1, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
    expect(received[0]!.routingKey).toBe("maracoos.dataset.updated");
    expect(received[0]!.contentType).toContain("application/cloudevents+json");
    const event = new SdkEvent(JSON.parse(received[0]!.body) as Record<string, unknown>);
    expect(event.type).toBe("us.ioos.dmac.dataset.updated");
    expect(event.subject).toBe("maracoos/cbofs-best");
    expect(event["domain"]).toBe("maracoos");
    expect(event.data).toMatchObject({ timeSteps: 2 });
    await outside.close();
  });

  it("delivers every event to every replica's own queue, and each event once to competing consumers of a named queue", async () => {
    const publisher = await bus("fanout-pub");
    const replicaA = await bus("fanout-a");
    const replicaB = await bus("fanout-b");
    const seen = { a: [] as string[], b: [] as string[], w1: [] as string[], w2: [] as string[] };
    replicaA.subscribe((e) => void seen.a.push(e.id), [eventTypes.datasetUpdated]);
    replicaB.subscribe((e) => void seen.b.push(e.id), [eventTypes.datasetUpdated]);
    replicaA.subscribe((e) => void seen.w1.push(e.id), [eventTypes.datasetUpdated], { queue: "test.fanout.workers" });
    replicaB.subscribe((e) => void seen.w2.push(e.id), [eventTypes.datasetUpdated], { queue: "test.fanout.workers" });
    await Promise.all([replicaA.connected(), replicaB.connected(), publisher.connected()]);
    await new Promise((r) => setTimeout(r, 500)); // consumers bound
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const e = updated("gcoos/fanout", i);
      ids.push(e.id);
      await publisher.publish(e);
    }
    await until("both replicas and the workers to have every event", () => seen.a.length === 20 && seen.b.length === 20 && seen.w1.length + seen.w2.length === 20, 20_000);
    expect(new Set([...seen.w1, ...seen.w2])).toEqual(new Set(ids));
    expect(seen.a.sort()).toEqual([...ids].sort());
  });

  it("keeps events in the outbox while the broker is down and sends them when it is back, also from a new process over the same outbox", async () => {
    const consumer = await bus("down-consumer", { queues: [{ queue: "test.down", types: [eventTypes.datasetUpdated] }] });
    const got = new Set<string>();
    consumer.subscribe((e) => void got.add(e.id), [eventTypes.datasetUpdated], { queue: "test.down" });
    await consumer.connected();
    broker.kill();
    const first = await bus("down-publisher", { queues: [{ queue: "test.down", types: [eventTypes.datasetUpdated] }] });
    const events = [updated("gcoos/down", 1), updated("gcoos/down", 2), updated("gcoos/down", 3)];
    for (const e of events) await first.publish(e); // resolves with the broker down: the outbox holds them
    expect(await first.pending()).toBe(3);
    await first.close(); // this "process" ends before the broker returns
    await broker.restart();
    const second = await bus("down-publisher", { queues: [{ queue: "test.down", types: [eventTypes.datasetUpdated] }] });
    await until("the three events published before the restart", () => events.every((e) => got.has(e.id)), 60_000);
    await until("the outbox emptied", async () => (await second.pending()) === 0, 30_000);
  }, 180_000);

  it("loses no event when RabbitMQ is killed with SIGKILL while a publisher commits; consumers drop duplicates by id", async () => {
    const queues = [{ queue: "test.kill9", types: [eventTypes.datasetUpdated] }];
    const consumer = await bus("kill-consumer", { queues });
    const delivered: string[] = [];
    consumer.subscribe((e) => void delivered.push(e.id), [eventTypes.datasetUpdated], { queue: "test.kill9" });
    const publisher = await bus("kill-publisher", { queues });
    await Promise.all([consumer.connected(), publisher.connected()]);
    await new Promise((r) => setTimeout(r, 300));
    // 300 committed changes, one every 5 ms; the broker dies after the 100th and is back 3 s later.
    const ids: string[] = [];
    const committing = (async () => {
      for (let i = 0; i < 300; i += 1) {
        const event = updated("maracoos/kill9", i);
        ids.push(event.id);
        await publisher.publish(event);
        if (i === 100) broker.kill();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 3000));
    await committing;
    await broker.restart();
    await until("every committed event delivered after the restart", () => ids.every((id) => delivered.includes(id)), 90_000);
    // At least once: a redelivered or re-sent event reaches the handler no more than once.
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length).toBe(300);
    // A consumer can have an event before its publisher has the confirm and has emptied the outbox.
    await until("the outbox emptied", async () => (await publisher.pending()) === 0, 60_000);
  }, 240_000);

  it("hands an event whose handler failed back until it succeeds, and drops a message that is not a CloudEvent with its reason", async () => {
    const logs: string[] = [];
    const consumer = await bus("retry", { log: (_level, message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`) });
    let calls = 0;
    const done: string[] = [];
    consumer.subscribe((e) => {
      calls += 1;
      if (calls < 3) throw new Error("catalog unavailable");
      done.push(e.id);
    }, [eventTypes.datasetUpdated]);
    await consumer.connected();
    await new Promise((r) => setTimeout(r, 300));
    const raw = await connect(broker.url);
    const channel = await raw.createConfirmChannel();
    channel.publish(consumer.exchange, "gcoos.dataset.updated", Buffer.from("not json"));
    channel.publish(consumer.exchange, "gcoos.dataset.updated", Buffer.from(JSON.stringify({ specversion: "1.0", id: "x", source: "/x", type: "com.example.other" })));
    await channel.waitForConfirms();
    await raw.close();
    const event = updated("gcoos/retry", 1);
    const publisher = await bus("retry-pub");
    await publisher.publish(event);
    await until("the event handled after two failures", () => done.length === 1, 20_000);
    expect(done).toEqual([event.id]);
    expect(calls).toBe(3);
    await until("both malformed messages dropped", () => consumer.stats.malformed === 2, 10_000);
    expect(logs.some((l) => l.includes("not JSON"))).toBe(true);
    expect(logs.some((l) => l.includes('unknown event type \\"com.example.other\\"'))).toBe(true);
  });
});
