// One SQS message in, at most one data.new event per (announced object, matching IngestJob) out.
// The steps: parse the notification; per record, skip what is not a new object, what lies in one of
// our own stores (loop safety: a product writing under a watched prefix must not retrigger ingest),
// what was seen already (SQS delivers at least once; S3's sequencer tells duplicates apart); match
// the key against every IngestJob's source (crds/source-match.ts, the lister's own rule); publish the
// handoff and wait for the broker's confirm. Only then is the message acknowledged (deleted from
// SQS). A malformed message goes to the DLQ at once with its reason; one whose handoff keeps failing
// goes there after `maxReceives` receives, also with its reason.
import { createHash } from "node:crypto";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { matchSource, s3Location } from "../../crds/source-match.js";
import { cloudEvent, eventTypes, type CloudEvent, type EventBus } from "../../events/platform-events.js";
import { RecentIds } from "../../events/recent-ids.js";
import type { BridgeMetrics, MessageOutcome, RecordOutcome } from "./metrics.js";
import { MalformedNotification, parseNotification, type S3ObjectRecord } from "./s3-notification.js";

export const bridgeSource = "/dmac/event-bridge";

/** The SQS message as the bridge needs it. */
export interface QueueMessage {
  readonly MessageId?: string;
  readonly Body?: string;
  readonly Attributes?: Partial<Record<string, string>>;
}

export interface DeadLetter {
  readonly body: string;
  readonly reason: string;
  readonly receiveCount: number;
}

export interface BridgeDeps {
  /** The cluster's IngestJobs and Datasets now (informer caches). */
  readonly ingestJobs: () => readonly IngestJob[];
  readonly datasets: () => readonly Dataset[];
  /** The handoff: resolves once the event is durable on the broker. */
  readonly bus: Pick<EventBus, "publish"> & { publishConfirmed?(event: CloudEvent): Promise<void> };
  readonly sendToDeadLetter: (letter: DeadLetter) => Promise<void>;
  readonly metrics: BridgeMetrics;
  readonly queue: string;
  /** Receives after which a failing message goes to the DLQ (below the queue's own redrive count, so ours carries a reason). */
  readonly maxReceives?: number;
  /** Objects remembered to drop duplicates (bounded memory under a burst). */
  readonly dedupeWindow?: number;
  readonly log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
  readonly now?: () => Date;
}

export type HandleResult = { ack: true; outcome: MessageOutcome } | { ack: false; outcome: "retry"; reason: string };

/** The same object announced again carries the same id, so consumers drop it by id too. */
export function handoffId(job: IngestJob, record: S3ObjectRecord): string {
  const version = record.sequencer ?? record.eTag ?? "";
  return createHash("sha256").update([job.metadata.namespace ?? "default", job.metadata.name, record.bucket, record.key, version].join("\n")).digest("hex").slice(0, 32);
}

export class NoddBridge {
  private readonly seen: RecentIds;

  constructor(private readonly deps: BridgeDeps) {
    this.seen = new RecentIds(deps.dedupeWindow ?? 100_000);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async handle(message: QueueMessage): Promise<HandleResult> {
    const { metrics, queue, log } = this.deps;
    const receiveCount = Number(message.Attributes?.["ApproximateReceiveCount"] ?? "1");
    metrics.inFlight.inc();
    try {
      let parsed;
      try {
        parsed = parseNotification(message.Body);
      } catch (error) {
        if (!(error instanceof MalformedNotification)) throw error;
        log("warn", "malformed NODD notification sent to the dead-letter queue", { queue, messageId: message.MessageId, reason: error.message });
        await this.deadLetter(message, `malformed: ${error.message}`, receiveCount, "malformed");
        metrics.messages.inc({ queue, outcome: "malformed" });
        return { ack: true, outcome: "malformed" };
      }
      if (parsed.kind === "test-event") {
        metrics.records.inc({ outcome: "ignored" });
        metrics.messages.inc({ queue, outcome: "ignored" });
        return { ack: true, outcome: "ignored" };
      }
      let outcome: RecordOutcome = "ignored";
      for (const record of parsed.records) {
        outcome = await this.handleRecord(record);
        metrics.records.inc({ outcome });
      }
      metrics.messages.inc({ queue, outcome });
      return { ack: true, outcome };
    } catch (error) {
      const reason = (error as Error).message;
      if (receiveCount >= (this.deps.maxReceives ?? 3)) {
        log("error", "NODD notification failed on every receive; sent to the dead-letter queue", { queue, messageId: message.MessageId, receiveCount, reason });
        await this.deadLetter(message, `handoff failed ${receiveCount} times: ${reason}`, receiveCount, "handoff_failed");
        metrics.messages.inc({ queue, outcome: "dead_lettered" });
        return { ack: true, outcome: "dead_lettered" };
      }
      log("warn", "NODD notification not handed off; SQS delivers it again", { queue, messageId: message.MessageId, receiveCount, reason });
      metrics.messages.inc({ queue, outcome: "retry" });
      return { ack: false, outcome: "retry", reason };
    } finally {
      metrics.inFlight.dec();
    }
  }

  private async deadLetter(message: QueueMessage, reason: string, receiveCount: number, reasonClass: string): Promise<void> {
    await this.deps.sendToDeadLetter({ body: message.Body ?? "", reason, receiveCount });
    this.deps.metrics.dlqSends.inc({ queue: this.deps.queue, reason: reasonClass });
  }

  private async handleRecord(record: S3ObjectRecord): Promise<RecordOutcome> {
    const { log } = this.deps;
    if (!record.eventName.startsWith("ObjectCreated:")) return "ignored";
    const store = this.ownStore(record);
    if (store) {
      log("info", "ignored an object inside a Dataset store (loop safety)", { bucket: record.bucket, key: record.key, dataset: store });
      return "own_output";
    }
    const seenKey = `${record.bucket}/${record.key}#${record.sequencer ?? record.eTag ?? ""}`;
    if (this.seen.has(seenKey)) return "duplicate";
    const jobs = this.deps.ingestJobs().filter((job) => !job.metadata.deletionTimestamp && !job.spec.suspend);
    const matches = jobs.flatMap((job) => {
      const url = matchSource(job.spec.source, record);
      return url ? [{ job, url }] : [];
    });
    if (matches.length === 0) {
      log("info", "no IngestJob's source names this object; acknowledged", { bucket: record.bucket, key: record.key });
      this.seen.add(seenKey);
      return "unmatched";
    }
    await Promise.all(matches.map(({ job, url }) => this.handOff(job, url, record)));
    this.seen.add(seenKey);
    this.deps.metrics.lag.observe(Math.max(0, (this.now().getTime() - record.eventTime.getTime()) / 1000));
    return "handed_off";
  }

  /** An object under a Dataset's own s3:// store: a product's output, never an input to re-ingest. */
  private ownStore(record: S3ObjectRecord): string | undefined {
    for (const dataset of this.deps.datasets()) {
      const url = dataset.spec.storage.url;
      if (!url.startsWith("s3://")) continue;
      const { bucket, key } = s3Location(url);
      const prefix = key.replace(/\/?$/, "/");
      if (bucket === record.bucket && (record.key.startsWith(prefix) || prefix === "/")) return `${dataset.metadata.namespace ?? "default"}/${dataset.metadata.name}`;
    }
    // The operators' item ledgers live under /.dmac/ of each store; also never inputs.
    if (record.key.startsWith(".dmac/") || record.key.includes("/.dmac/")) return "(ledger)";
    return undefined;
  }

  private async handOff(job: IngestJob, url: string, record: S3ObjectRecord): Promise<void> {
    const subject = `${job.metadata.namespace ?? "default"}/${job.metadata.name}`;
    const event = cloudEvent(eventTypes.dataNew, bridgeSource, subject, {
      url,
      bucket: record.bucket,
      key: record.key,
      ...(record.eTag !== undefined ? { eTag: record.eTag } : {}),
      ...(record.size !== undefined ? { size: record.size } : {}),
      ...(record.sequencer !== undefined ? { sequencer: record.sequencer } : {}),
      ...(record.region !== undefined ? { region: record.region } : {}),
      eventTime: record.eventTime.toISOString(),
      ingestJob: subject,
    }, this.now(), handoffId(job, record));
    const { bus } = this.deps;
    if (bus.publishConfirmed) await bus.publishConfirmed(event);
    else await bus.publish(event);
    this.deps.metrics.handoffs.inc();
  }
}
