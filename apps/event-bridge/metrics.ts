// The bridge's Prometheus metrics, on its own registry (served at /metrics).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type MessageOutcome = "handed_off" | "duplicate" | "unmatched" | "ignored" | "own_output" | "malformed" | "retry" | "dead_lettered";
export type RecordOutcome = Exclude<MessageOutcome, "malformed" | "retry" | "dead_lettered">;

export class BridgeMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({ name: "dmac_event_bridge_messages_total", help: "SQS messages by outcome (a message with several records counts its last record's outcome, or its failure)", labelNames: ["queue", "outcome"], registers: [this.registry] });
  readonly records = new Counter({ name: "dmac_event_bridge_records_total", help: "S3 event records by outcome", labelNames: ["outcome"], registers: [this.registry] });
  readonly handoffs = new Counter({ name: "dmac_event_bridge_handoffs_total", help: "data.new events confirmed by the bus, one per (object, IngestJob)", registers: [this.registry] });
  readonly dlqSends = new Counter({ name: "dmac_event_bridge_dlq_sends_total", help: "Messages sent to the dead-letter queue, by reason class", labelNames: ["queue", "reason"], registers: [this.registry] });
  readonly lag = new Histogram({ name: "dmac_event_bridge_lag_seconds", help: "Now minus the S3 event time, when a record is handed off", buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600], registers: [this.registry] });
  readonly inFlight = new Gauge({ name: "dmac_event_bridge_messages_in_flight", help: "Messages being handled now", registers: [this.registry] });

  async count(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = (await this.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values ?? []).filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
  }
}
