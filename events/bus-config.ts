// Choosing the bus by configuration: the in-process bus (the embedded default of `npm start`, one
// process) or RabbitMQ (between processes and pods). Also the durable queues every process using
// RabbitMQ declares, so a publisher never finds its consumers' queue missing.
import { eventTypes, InProcessEventBus, operatorHandoffQueueName, type EventBus } from "./platform-events.js";
import { RabbitMqEventBus, type BusLog, type QueueDeclaration } from "./rabbitmq-bus.js";

export const busKinds = ["inprocess", "rabbitmq"] as const;
export type BusKind = (typeof busKinds)[number];

/** The operator's handoff queue: every data.new of every domain, consumed by the operator's leader. */
export const operatorHandoffQueue: QueueDeclaration = { queue: operatorHandoffQueueName, types: [eventTypes.dataNew] };

export const platformQueues: readonly QueueDeclaration[] = [operatorHandoffQueue];

export interface BusConfig {
  readonly kind: BusKind;
  /** RabbitMQ: amqp:// URL. */
  readonly url?: string;
  /** RabbitMQ: the outbox directory (must outlive the process). */
  readonly outboxDir?: string;
  readonly log?: BusLog;
  readonly prefetch?: number;
}

export interface ConfiguredBus {
  readonly bus: EventBus & { publishConfirmed?: RabbitMqEventBus["publishConfirmed"] };
  close(): Promise<void>;
}

export class BusConfigError extends Error {
  override readonly name = "BusConfigError";
}

export async function createEventBus(config: BusConfig): Promise<ConfiguredBus> {
  if (config.kind === "inprocess") return { bus: new InProcessEventBus(), close: async () => undefined };
  if (!config.url) throw new BusConfigError("--amqp-url (or DMAC_AMQP_URL) is required with --bus rabbitmq");
  if (!config.outboxDir) throw new BusConfigError("--outbox-dir (or DMAC_OUTBOX_DIR) is required with --bus rabbitmq");
  const bus = await new RabbitMqEventBus({ url: config.url, outboxDir: config.outboxDir, queues: platformQueues, ...(config.log ? { log: config.log } : {}), ...(config.prefetch ? { prefetch: config.prefetch } : {}) }).start();
  return { bus, close: () => bus.close() };
}
