// The event handoff: the operator's side of `data.new`. The event bridge announces that an object a
// job's source names exists; this adds exactly that object to the job's item ledger and wakes the
// job, so it is ingested by the next batch without listing the source (no rescan, no cron tick).
// Why a bus message into the ledger rather than an annotation or a status field: docs/operators.md.
// - Idempotent: the item's id is the lister's (ETag, size, LastModified read by listing exactly the
//   key), so a duplicate event, a redelivery or the next cron rescan finds the item already there.
// - Durable before acknowledged: the handler resolves (and the message is acked) only once the
//   ledger is written. Handoffs arriving together are written in one ledger update per job.
// - An object announced before it is readable is retried (the bus hands the event back) until it
//   is, up to `maxWaitMs` after the announcement; then it is left to the cron rescan, with an Event.
// - Runs on the leader only (Manager.addLeaderRunnable): the ledger's writer is the leader.
import type { Dataset, IngestJob } from "../../crds/index.js";
import { matchSource, s3Location } from "../../crds/source-match.js";
import { eventTypes, type CloudEvent, type EventBus } from "../../events/platform-events.js";
import type { WritableStore } from "../../dataplane/index.js";
import { openWritableStore } from "../dataplane.js";
import type { EventRecorder, Logger, Runnable } from "../runtime/index.js";
import { storeLocation, type StorageRoots } from "../storage.js";
import { sourceCredentials, sourceS3Client, type SecretReader } from "./credentials.js";
import { mergeItems, updateLedger } from "./ledger.js";
import { describeS3Object, listSourceItems, readsS3, SourceError, type WorkItem } from "./source.js";

export interface HandoffDeps {
  readonly bus: EventBus;
  /** The durable queue the operator consumes (RabbitMQ); ignored in process. */
  readonly queue: string;
  readonly job: (key: string) => IngestJob | undefined;
  readonly dataset: (key: string) => Dataset | undefined;
  readonly roots: StorageRoots;
  readonly secrets: SecretReader;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  /** Wakes the job's reconcile (the IngestJob controller's queue). */
  readonly enqueue: (jobKey: string) => void;
  /** How long after the announcement an unreadable object is still waited for (default 15 min). */
  readonly maxWaitMs?: number;
  readonly now?: () => Date;
}

export class NotReadableYet extends Error {
  override readonly name = "NotReadableYet";
}

interface PendingWrite {
  readonly store: WritableStore;
  readonly namespace: string;
  readonly name: string;
  readonly items: WorkItem[];
  readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export class DataNewHandoff implements Runnable {
  readonly name = "data-new-handoff";
  private readonly pending = new Map<string, PendingWrite>();
  /** Handoffs accepted into ledgers (tests and logs). */
  added = 0;

  constructor(private readonly deps: HandoffDeps) {}

  async start(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.deps.bus.subscribe((event) => this.handle(event), [eventTypes.dataNew], { queue: this.deps.queue });
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    unsubscribe();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async handle(event: CloudEvent): Promise<void> {
    const { log } = this.deps;
    const url = typeof event.data["url"] === "string" ? event.data["url"] : undefined;
    const jobKey = typeof event.data["ingestJob"] === "string" ? event.data["ingestJob"] : event.subject;
    if (!url || !jobKey || !url.startsWith("s3://")) {
      log.warn({ id: event.id, data: event.data }, "data.new without an s3:// url and an ingestJob; ignored");
      return;
    }
    const job = this.deps.job(jobKey);
    if (!job || job.metadata.deletionTimestamp || job.spec.suspend) {
      // Gone: nothing to do. Suspended: resuming changes the spec, and the job lists its source then.
      log.info({ url, ingestJob: jobKey }, "data.new for a job that is gone or suspended; ignored");
      return;
    }
    const { bucket, key } = s3Location(url);
    const region = typeof event.data["region"] === "string" ? event.data["region"] : undefined;
    // The URL as the job's lister spells it (a listed URL keeps its own encoding): the item's id depends on it.
    const sourceUrl = matchSource(job.spec.source, { bucket, key, ...(region ? { region } : {}) });
    if (!sourceUrl) {
      log.info({ url, ingestJob: jobKey }, "data.new for an object the job's source no longer names; ignored");
      return;
    }
    const namespace = job.metadata.namespace ?? "default";
    const dataset = this.deps.dataset(`${namespace}/${job.spec.datasetRef.name}`);
    if (!dataset) {
      // The job's own reconcile says DatasetNotFound; its first listing once the Dataset exists covers this file.
      log.info({ url, ingestJob: jobKey }, "data.new for a job whose Dataset does not exist; left to its listing");
      return;
    }
    const item = await this.describe(job, namespace, url, sourceUrl);
    if (!item) {
      const waited = this.now().getTime() - new Date(event.time).getTime();
      if (waited < (this.deps.maxWaitMs ?? 15 * 60_000)) throw new NotReadableYet(`${url} is announced but not readable yet`);
      await this.deps.recorder.record(job, "Warning", "AnnouncedObjectMissing", `${url} was announced ${Math.round(waited / 1000)} s ago and is still not readable; the next listing of the source picks it up if it appears`);
      return;
    }
    const store = await openWritableStore(storeLocation(dataset.spec.storage.url, this.deps.roots));
    await this.append(store, namespace, job.metadata.name, item);
    this.deps.enqueue(jobKey);
  }

  /**
   * The object's work item as the job's lister would make it: a prefix source by listing exactly the
   * key; a URL-list source through the lister itself (HEAD, the listed spelling), given just that URL.
   */
  private async describe(job: IngestJob, namespace: string, url: string, sourceUrl: string): Promise<WorkItem | undefined> {
    const credentials = readsS3(job.spec.source) ? await sourceCredentials(job.spec.source, namespace, this.deps.secrets) : undefined;
    const client = await sourceS3Client(job.spec.source, credentials);
    try {
      if (!job.spec.source.urls) return await describeS3Object(url, { s3: async () => client }, sourceUrl);
      return (await listSourceItems({ ...job.spec.source, urls: [sourceUrl] }, { inputRoot: this.deps.roots.inputRoot, s3: async () => client }))[0];
    } catch (error) {
      // Not there yet (HEAD 404): retried like a listing that does not find the key.
      if (error instanceof SourceError && job.spec.source.urls) return undefined;
      throw error;
    } finally {
      client.destroy();
    }
  }

  /** Group commit: items for one job that arrive while its ledger is being written go into the next single write. */
  private append(store: WritableStore, namespace: string, name: string, item: WorkItem): Promise<void> {
    const key = `${store.url}|${namespace}/${name}`;
    return new Promise<void>((resolve, reject) => {
      let pending = this.pending.get(key);
      if (!pending) {
        pending = { store, namespace, name, items: [], waiters: [] };
        this.pending.set(key, pending);
        setImmediate(() => void this.flush(key));
      }
      pending.items.push(item);
      pending.waiters.push({ resolve, reject });
    });
  }

  private async flush(key: string): Promise<void> {
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    const { store, namespace, name, items, waiters } = pending;
    try {
      let added = 0;
      await updateLedger(store, namespace, name, (ledger) => {
        const next = mergeItems(ledger, items, this.now());
        added = Object.keys(next.items).length - Object.keys(ledger.items).length;
        return added > 0 ? next : ledger;
      });
      this.added += added;
      if (added > 0) this.deps.log.info({ ingestJob: `${namespace}/${name}`, added, announced: items.length }, "announced objects added to the item ledger");
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
