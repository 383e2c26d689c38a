// The platform bus between processes: CloudEvents 1.0 (structured JSON) on a durable RabbitMQ topic
// exchange, routing key `<domain>.<type>` (platform-events.ts), over amqplib with its connection
// recovery. Delivery is at least once end to end:
// - publish: the event goes to a file outbox first (fsynced; `publish` resolves then), and leaves it
//   only when the broker has confirmed it (publisher confirms on persistent messages). A broker that
//   is down, restarting or killed loses nothing: the outbox is sent when it is back, also by the
//   next start of this process over the same directory.
// - consume: a message is acknowledged after its handler succeeded; a handler that throws gets the
//   message again after `retryDelayMs`; every subscription drops ids it has already handled.
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from "amqplib";
import { decodeEvent, encodeEvent, structuredContentType } from "./cloudevents-json.js";
import { FileOutbox } from "./outbox.js";
import { bindingFor, routingKey, type CloudEvent, type EventBus, type PlatformEventType, type SubscribeOptions } from "./platform-events.js";
import { RecentIds } from "./recent-ids.js";

export type BusLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

/** A durable queue declared by every process that uses it, so no publish finds it missing. */
export interface QueueDeclaration {
  readonly queue: string;
  readonly types: readonly PlatformEventType[];
  /** Domains bound (default every domain, `*`). */
  readonly domains?: readonly string[];
}

export interface RabbitMqBusOptions {
  /** amqp://user:password@host:port/vhost */
  readonly url: string;
  /** Where unconfirmed events wait (a volume in a pod: it must outlive the process). */
  readonly outboxDir: string;
  readonly exchange?: string;
  /** Durable queues to declare on every connection (e.g. the operator's handoff queue). */
  readonly queues?: readonly QueueDeclaration[];
  /** Unacknowledged messages per subscription: bounds the handlers in flight. */
  readonly prefetch?: number;
  /** How long a failed handler's message waits before it is handed back (default 1 s). */
  readonly retryDelayMs?: number;
  /** Ids remembered per subscription for de-duplication (default 100,000). */
  readonly dedupeWindow?: number;
  readonly log?: BusLog;
}

export const defaultExchange = "dmac.events";

interface Subscription {
  readonly handler: (event: CloudEvent) => void | Promise<void>;
  readonly types: readonly PlatformEventType[] | undefined;
  readonly queue: string | undefined;
  readonly onGap: (() => void) | undefined;
  readonly seen: RecentIds;
  /** Ids whose handler runs now: a copy delivered meanwhile is a duplicate too (the original's redelivery covers a failure). */
  readonly handling: Set<string>;
  channel?: Channel;
  /** Consumed on an earlier connection: a queue of its own made now is a new one, and the old one's messages are gone. */
  consumedBefore?: boolean;
}

export interface BusStats {
  published: number;
  delivered: number;
  duplicates: number;
  redelivered: number;
  malformed: number;
}

export class RabbitMqEventBus implements EventBus {
  readonly exchange: string;
  readonly stats: BusStats = { published: 0, delivered: 0, duplicates: 0, redelivered: 0, malformed: 0 };
  private readonly outbox: FileOutbox;
  private readonly subscriptions = new Set<Subscription>();
  private connection: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private publisher: ConfirmChannel | undefined;
  private flushing = false;
  private flushAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RabbitMqBusOptions) {
    this.exchange = options.exchange ?? defaultExchange;
    this.outbox = new FileOutbox(options.outboxDir);
  }

  private log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }

  /** Connects (and keeps reconnecting); resolves at once, also while the broker is down. */
  async start(): Promise<this> {
    this.connection = await connect(this.options.url, {
      recovery: { initialDelay: 100, maxDelay: 2000, waitForConnect: false, setup: (model: ChannelModel) => this.setup(model) },
    });
    this.connection.on("disconnect", (err: Error) => {
      this.model = undefined;
      this.publisher = undefined;
      if (!this.closed) this.log("warn", "RabbitMQ connection lost; reconnecting (events wait in the outbox)", { err: err.message });
    });
    this.connection.on("connect-failed", (err: Error) => this.log("warn", "RabbitMQ unreachable; retrying", { err: err.message }));
    this.connection.on("error", (err: Error) => this.log("warn", "RabbitMQ connection error", { err: err.message }));
    // A safety net for a flush that stopped on a channel error between reconnects.
    this.timer = setInterval(() => this.kick(), 2000);
    this.timer.unref();
    return this;
  }

  /** Resolves once connected (tests, and `dmac up` waiting for its broker). */
  async connected(): Promise<void> {
    await this.connection?.waitForConnect();
  }

  private async setup(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    await publisher.assertExchange(this.exchange, "topic", { durable: true });
    for (const declaration of this.options.queues ?? []) {
      await publisher.assertQueue(declaration.queue, { durable: true });
      for (const type of declaration.types) for (const domain of declaration.domains ?? ["*"]) await publisher.bindQueue(declaration.queue, this.exchange, bindingFor(type, domain));
    }
    publisher.on("error", (err: Error) => this.log("warn", "RabbitMQ publisher channel error", { err: err.message }));
    this.model = model;
    this.publisher = publisher;
    for (const subscription of this.subscriptions) await this.consume(model, subscription);
    this.log("info", "connected to RabbitMQ", { exchange: this.exchange });
    this.kick();
  }

  async publish(event: CloudEvent): Promise<void> {
    encodeEvent(event); // refuse an invalid event here, not after it sits in the outbox
    await this.outbox.add(event);
    this.kick();
  }

  /**
   * Publishes straight to the broker, bypassing the outbox, and resolves once it confirmed the event;
   * rejects when it is not connected or does not confirm within `timeoutMs`. For a publisher whose
   * input is itself durable until this resolves (the event bridge deletes an SQS message only then):
   * the queue is its outbox, and a file outbox would only add an fsync per message.
   */
  async publishConfirmed(event: CloudEvent, timeoutMs = 30_000): Promise<void> {
    const channel = this.publisher;
    if (!channel) throw new Error(`event ${event.id}: RabbitMQ is not connected`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.send(channel, event),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`event ${event.id}: not confirmed by RabbitMQ within ${timeoutMs} ms`)), timeoutMs))),
      ]);
      this.stats.published += 1;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Events written but not yet confirmed. */
  pending(): Promise<number> {
    return this.outbox.size();
  }

  private kick(): void {
    if (this.closed) return;
    void this.flush().catch((err: Error) => this.log("warn", "outbox flush stopped; retried on reconnect", { err: err.message }));
  }

  /** Sends the outbox in order, in pipelined batches, removing each entry once confirmed. One flush at a time. */
  private async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        for (;;) {
          const channel = this.publisher;
          if (!channel) return;
          const batch = await this.outbox.pending(256);
          if (batch.length === 0) break;
          const results = await Promise.allSettled(batch.map(({ event }) => this.send(channel, event)));
          let failed = false;
          for (const [i, result] of results.entries()) {
            const entry = batch[i]!;
            if (result.status === "rejected") {
              failed = true;
              continue;
            }
            await this.outbox.remove(entry.name);
            this.stats.published += 1;
          }
          // A refused or lost channel: the rest waits for the next connection's setup, unless that
          // connection is already up (its setup's flush found this one running).
          if (failed && this.publisher === channel) return;
          if (failed && !this.publisher) return;
        }
      } while (this.flushAgain);
    } finally {
      this.flushing = false;
    }
  }

  private send(channel: ConfirmChannel, event: CloudEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      try {
        channel.publish(this.exchange, routingKey(event), encodeEvent(event), { persistent: true, contentType: structuredContentType, messageId: event.id, type: event.type }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  subscribe(handler: (event: CloudEvent) => void | Promise<void>, types?: readonly PlatformEventType[], options?: SubscribeOptions): () => void {
    const subscription: Subscription = { handler, types, queue: options?.queue, onGap: options?.onGap, seen: new RecentIds(this.options.dedupeWindow ?? 100_000), handling: new Set() };
    this.subscriptions.add(subscription);
    if (this.model) void this.consume(this.model, subscription).catch((err: Error) => this.log("warn", "could not subscribe; retried on reconnect", { err: err.message }));
    return () => {
      this.subscriptions.delete(subscription);
      void subscription.channel?.close().catch(() => undefined);
    };
  }

  /**
   * A named queue is durable and shared (competing consumers); otherwise the subscription gets an
   * exclusive queue of its own that lives as long as its connection (every replica hears every event).
   */
  private async consume(model: ChannelModel, subscription: Subscription): Promise<void> {
    const channel = await model.createChannel();
    channel.on("error", (err: Error) => this.log("warn", "RabbitMQ consumer channel error", { err: err.message }));
    await channel.prefetch(this.options.prefetch ?? 32);
    const { queue } = subscription.queue ? await channel.assertQueue(subscription.queue, { durable: true }) : await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false });
    const patterns = subscription.types ? subscription.types.map((type) => bindingFor(type)) : ["#"];
    for (const pattern of patterns) await channel.bindQueue(queue, this.exchange, pattern);
    subscription.channel = channel;
    await channel.consume(queue, (message) => {
      if (message) void this.deliver(subscription, channel, message);
    });
    if (!subscription.queue && subscription.consumedBefore) subscription.onGap?.();
    subscription.consumedBefore = true;
  }

  private async deliver(subscription: Subscription, channel: Channel, message: ConsumeMessage): Promise<void> {
    let event: CloudEvent;
    try {
      event = decodeEvent(message.content);
    } catch (error) {
      // Redelivering cannot make it valid: dropped, with the reason.
      this.stats.malformed += 1;
      this.log("warn", "dropped a message that is not one of our CloudEvents", { reason: (error as Error).message, routingKey: message.fields.routingKey });
      safely(() => channel.ack(message));
      return;
    }
    const duplicate = subscription.seen.has(event.id) || subscription.handling.has(event.id);
    if ((subscription.types && !subscription.types.includes(event.type)) || duplicate) {
      if (duplicate) this.stats.duplicates += 1;
      safely(() => channel.ack(message));
      return;
    }
    subscription.handling.add(event.id);
    try {
      await subscription.handler(event);
      subscription.seen.add(event.id);
      subscription.handling.delete(event.id);
      this.stats.delivered += 1;
      safely(() => channel.ack(message));
    } catch (error) {
      subscription.handling.delete(event.id);
      this.stats.redelivered += 1;
      this.log("warn", "event handler failed; the event is delivered again", { id: event.id, type: event.type, err: (error as Error).message });
      setTimeout(() => safely(() => channel.nack(message, false, true)), this.options.retryDelayMs ?? 1000).unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.connection?.close().catch(() => undefined);
  }
}

/** Acknowledging on a channel that closed meanwhile throws; the broker redelivers such a message anyway. */
function safely(action: () => void): void {
  try {
    action();
  } catch {
    // see above
  }
}
