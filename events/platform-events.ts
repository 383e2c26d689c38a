// The platform event contract: the events the design documents ask for (new metadata, data
// product updated, log events), as CloudEvents 1.0 on an event-bus interface. Neutral ground:
// the operators publish, the data API and the local platform subscribe, and neither imports the
// other for it. The in-process bus is the embedded default; `rabbitmq-bus.ts` implements the same
// interface over AMQP between processes (docs/events.md).
import { randomUUID } from "node:crypto";

export const eventTypes = {
  /** A source object was announced (NODD notification) for an IngestJob: the event bridge's handoff. */
  dataNew: "us.ioos.dmac.data.new",
  metadataNew: "us.ioos.dmac.metadata.new",
  datasetUpdated: "us.ioos.dmac.dataset.updated",
  datasetDeleted: "us.ioos.dmac.dataset.deleted",
  log: "us.ioos.dmac.log",
} as const;

const typePrefix = "us.ioos.dmac.";

/** The durable queue the operator consumes data.new from (every domain; its leader consumes). */
export const operatorHandoffQueueName = "dmac.operator.data-new";

export type PlatformEventType = (typeof eventTypes)[keyof typeof eventTypes];

export interface CloudEvent<D = Record<string, unknown>> {
  specversion: "1.0";
  id: string;
  source: string;
  type: PlatformEventType;
  subject?: string;
  /** CloudEvents extension: the domain (namespace) the event is about; the first word of its routing key. */
  domain?: string;
  time: string;
  datacontenttype: "application/json";
  data: D;
}

export interface SubscribeOptions {
  /**
   * A durable queue shared by every replica of one consumer (competing consumers, e.g. the operator's
   * handoff queue). Without it each subscription gets its own queue (every replica hears every event,
   * e.g. cache invalidation). Only meaningful between processes; the in-process bus ignores it.
   */
  readonly queue?: string;
  /**
   * Called when events may have been missed: the subscription's own queue went away with a lost
   * broker connection and a new one was made (a cache drops everything then). Never in process.
   */
  readonly onGap?: () => void;
}

export interface EventBus {
  /** Resolves once the event is durable (delivered in process; in the outbox for RabbitMQ). */
  publish(event: CloudEvent): Promise<void>;
  /** Returns an unsubscribe function. A handler that throws does not affect the others. */
  subscribe(handler: (event: CloudEvent) => void | Promise<void>, types?: readonly PlatformEventType[], options?: SubscribeOptions): () => void;
}

/** The namespace of a "<namespace>/<name>" subject; "platform" for events about no namespaced object. */
export function domainOf(subject: string | undefined): string {
  const slash = subject?.indexOf("/") ?? -1;
  return subject !== undefined && slash > 0 ? subject.slice(0, slash) : "platform";
}

/** `<domain>.<type without us.ioos.dmac.>`, e.g. `maracoos.dataset.updated`: what a topic-exchange binding matches. */
export function routingKey(event: Pick<CloudEvent, "type" | "domain" | "subject">): string {
  const domain = (event.domain ?? domainOf(event.subject)).replace(/[.#*]/g, "_");
  return `${domain}.${event.type.startsWith(typePrefix) ? event.type.slice(typePrefix.length) : event.type}`;
}

/** The binding pattern for one event type in every domain (`*.dataset.updated`). */
export function bindingFor(type: PlatformEventType, domain = "*"): string {
  return `${domain}.${type.slice(typePrefix.length)}`;
}

export const knownTypes: ReadonlySet<string> = new Set(Object.values(eventTypes));

export function cloudEvent(type: PlatformEventType, source: string, subject: string, data: Record<string, unknown>, now = new Date(), id: string = randomUUID()): CloudEvent {
  return { specversion: "1.0", id, source, type, subject, domain: domainOf(subject), time: now.toISOString(), datacontenttype: "application/json", data };
}

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Set<{ fn: (event: CloudEvent) => void | Promise<void>; types?: readonly PlatformEventType[] }>();

  async publish(event: CloudEvent): Promise<void> {
    await Promise.all([...this.handlers].filter((h) => !h.types || h.types.includes(event.type)).map(async (h) => {
      try {
        await h.fn(event);
      } catch {
        // Subscribers are observers: one failing must not fail the reconcile that published.
      }
    }));
  }

  subscribe(fn: (event: CloudEvent) => void | Promise<void>, types?: readonly PlatformEventType[]): () => void {
    const entry = { fn, ...(types ? { types } : {}) };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }
}
