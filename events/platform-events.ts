// The platform event contract: the events the design documents ask for (new metadata, data
// product updated, log events), as CloudEvents 1.0 on an event-bus interface. Neutral ground:
// the operators publish, the data API and the local platform subscribe, and neither imports the
// other for it. The in-process bus is the embedded default; a RabbitMQ bus implements the same
// interface in the event bridge.
import { randomUUID } from "node:crypto";

export const eventTypes = {
  metadataNew: "us.ioos.dmac.metadata.new",
  datasetUpdated: "us.ioos.dmac.dataset.updated",
  log: "us.ioos.dmac.log",
} as const;

export type PlatformEventType = (typeof eventTypes)[keyof typeof eventTypes];

export interface CloudEvent<D = Record<string, unknown>> {
  specversion: "1.0";
  id: string;
  source: string;
  type: PlatformEventType;
  subject?: string;
  time: string;
  datacontenttype: "application/json";
  data: D;
}

export interface EventBus {
  publish(event: CloudEvent): Promise<void>;
  /** Returns an unsubscribe function. A handler that throws does not affect the others. */
  subscribe(handler: (event: CloudEvent) => void | Promise<void>, types?: readonly PlatformEventType[]): () => void;
}

export function cloudEvent(type: PlatformEventType, source: string, subject: string, data: Record<string, unknown>, now = new Date()): CloudEvent {
  return { specversion: "1.0", id: randomUUID(), source, type, subject, time: now.toISOString(), datacontenttype: "application/json", data };
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
