// IngestJob reconciler: expands the source into work items, hands runnable items to the executor,
// and reports counts, recent failures and conditions (Ready, Progressing, Degraded) in status.
// Per-item state lives in a ledger beside the data; status only summarises it.
import { CronExpressionParser } from "cron-parser";
import type { Dataset, IngestJob, IngestJobStatus } from "../../crds/index.js";
import { openWritableStore } from "../dataplane.js";
import type { WritableStore } from "../../dataplane/index.js";
import type { ResourceClient } from "../client.js";
import { StatusWriter, TerminalError, type EventRecorder, type Reconciler, type Request, type Result } from "../runtime/index.js";
import { storeLocation, StorageError, type StorageRoots } from "../storage.js";
import { countItems, mergeItems, readLedger, recentFailures, runnableItems, updateLedger, ledgerKey, type ItemLedger, type LedgerCounts } from "./ledger.js";
import type { LocalIngestRunner } from "./runner.js";
import { CredentialsError, sourceCredentials, sourceS3Client, type S3Credentials, type SecretReader } from "./credentials.js";
import { listSourceItems, readsS3, SourceError } from "./source.js";
import type { DerivedJobReconciler } from "./derived.js";
import { blocked, type JobCondition } from "./conditions.js";

export interface IngestJobReconcilerDeps {
  readonly ingestJobs: ResourceClient<IngestJob>;
  readonly datasets: ResourceClient<Dataset>;
  readonly runner: LocalIngestRunner;
  readonly recorder: EventRecorder;
  readonly roots: StorageRoots;
  /**
   * Items handed to the executor at once. Large on purpose: the data plane orders time steps only
   * within one run and cannot insert into the middle of a store, so splitting files of one cycle
   * across batches could refuse good data. Status is updated between batches.
   */
  readonly batchSize?: number;
  /** Reads the Secret named by spec.source.credentials.secretRef (get on secrets in the job's namespace). */
  readonly secrets: SecretReader;
  /** Jobs whose source is another Dataset (spec.source.datasetRef) are reconciled by it. */
  readonly derived?: DerivedJobReconciler;
  readonly now?: () => Date;
}


const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** When a cron schedule next fires after `from` (UTC). */
export function nextRun(schedule: string, from: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: "UTC" }).next().toDate();
}

/** What the job's status is made of: its ledger's counts and failures, and what the runner is doing. */
export interface JobView {
  readonly counts: LedgerCounts;
  readonly failures: NonNullable<IngestJobStatus["recentFailures"]>;
  /** A batch runs, or (not suspended) items wait to run. */
  readonly busy: boolean;
  readonly dask?: { name: string; status: string | undefined } | undefined;
  readonly ledgerUrl: string;
  readonly now: Date;
  /** The source was listed in this reconcile (the schedule's time). */
  readonly listedNow: boolean;
}

/** The job's status and conditions. Pure. */
export function summarise(job: IngestJob, view: JobView): { status: IngestJobStatus; conditions: JobCondition[] } {
  const { counts, failures, busy, dask, now, listedNow } = view;
  const phase: NonNullable<IngestJobStatus["phase"]> = job.spec.suspend ? "Suspended" : busy ? "Running" : counts.total > 0 && counts.succeeded === 0 && counts.failed > 0 ? "Failed" : counts.total === 0 ? "Pending" : "Succeeded";
  const { skipped, ...items } = counts;
  const status: IngestJobStatus = {
    phase,
    // Skipped files (another cycle or run type) are counted only when there are some.
    items: skipped > 0 ? { ...items, skipped } : items,
    recentFailures: failures,
    ledgerUrl: view.ledgerUrl,
    ...(dask ? { daskJobName: dask.name } : {}),
    ...(job.status?.startTime || counts.total > 0 ? { startTime: job.status?.startTime ?? iso(now) } : {}),
    ...(phase === "Succeeded" || phase === "Failed" ? { completionTime: job.status?.phase === phase && job.status.completionTime ? job.status.completionTime : iso(now) } : {}),
    ...(listedNow && job.spec.schedule ? { lastScheduleTime: iso(now) } : job.status?.lastScheduleTime ? { lastScheduleTime: job.status.lastScheduleTime } : {}),
  };
  const degraded: JobCondition = counts.failed > 0
    ? { type: "Degraded", status: "True", reason: "ItemsFailed", message: `${counts.failed} file(s) failed; latest: ${failures[0]?.url ?? "?"}: ${failures[0]?.message ?? ""}` }
    : { type: "Degraded", status: "False", reason: "AsExpected", message: "" };
  const ready: JobCondition = job.spec.suspend
    ? { type: "Ready", status: "False", reason: "Suspended", message: "spec.suspend is true" }
    : busy
      ? { type: "Ready", status: "False", reason: "Ingesting", message: `${counts.succeeded} of ${counts.total} file(s) ingested` }
      : counts.total === 0
        ? { type: "Ready", status: "False", reason: "NoFiles", message: "the source lists no files matching the pattern" }
        : { type: "Ready", status: counts.succeeded > 0 || counts.failed === 0 ? "True" : "False", reason: counts.failed > 0 ? "CompletedWithFailures" : "Completed", message: `${counts.succeeded} of ${counts.total} file(s) ingested, ${counts.failed} failed` };
  const progressing: JobCondition = busy
    ? { type: "Progressing", status: "True", reason: "Ingesting", message: `${counts.running} running, ${counts.pending} pending${dask ? `; DaskJob ${dask.name}: ${dask.status ?? "Created"}` : ""}` }
    : { type: "Progressing", status: "False", reason: job.spec.suspend ? "Suspended" : "Idle", message: "" };
  return { status, conditions: [ready, progressing, degraded] };
}

/** What one reconcile of a job works on once its Dataset and store are known. */
interface JobContext {
  readonly job: IngestJob;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly dataset: Dataset;
  readonly location: string;
  readonly store: WritableStore;
  readonly credentials: S3Credentials | undefined;
  readonly now: Date;
}

export class IngestJobReconciler implements Reconciler {
  /** Generation and time of the last source listing, per job: listing a bucket is not free. */
  private readonly listed = new Map<string, { generation: number; at: number }>();
  private readonly status: StatusWriter<IngestJobStatus>;

  constructor(private readonly deps: IngestJobReconcilerDeps) {
    this.status = new StatusWriter({ patchStatus: (ns, name, status) => deps.ingestJobs.patchStatus(ns, name, status), now: () => this.now() });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile({ namespace = "default", name }: Request): Promise<Result | void> {
    const key = `${namespace}/${name}`;
    const job = await this.deps.ingestJobs.get(namespace, name);
    if (!job) {
      this.listed.delete(key);
      return;
    }
    if (job.metadata.deletionTimestamp) return;
    if (job.spec.source.datasetRef !== undefined) return this.deps.derived?.reconcile(job, namespace);
    const dataset = await this.datasetOf(job, namespace);
    if (!dataset) return { requeueAfterMs: 60_000 };
    const location = await this.storeLocationOf(job, dataset);
    // Asked before the ledger is read: only this reconcile (one per key at a time) starts batches, so
    // when no batch runs now, none can end while we decide and the ledger below is current. Asked
    // after, a batch ending in between would leave its items "running" in our copy, and "running"
    // (a crash's leftover) counts as runnable: the items would start again past their retry limit.
    const batchRunning = this.deps.runner.isRunning(key);
    const store = await openWritableStore(location);
    const credentials = await this.credentialsOf(job, namespace);
    if (credentials === "unavailable") return { requeueAfterMs: 60_000 };
    const ctx: JobContext = { job, key, namespace, name, dataset, location, store, credentials, now: this.now() };
    const { ledger, listedNow } = await this.scanSource(ctx, await readLedger(store, namespace, name));
    const runnable = runnableItems(ledger, job.spec.retryLimit);
    if (!job.spec.suspend && !batchRunning) await this.startBatch(ctx, ledger, runnable);
    await this.report(ctx, ledger, runnable.length > 0, listedNow);
    if (job.spec.schedule && !job.spec.suspend) {
      const since = job.status?.lastScheduleTime && !listedNow ? new Date(job.status.lastScheduleTime) : ctx.now;
      return { requeueAfterMs: Math.max(1000, nextRun(job.spec.schedule, since).getTime() - ctx.now.getTime()) };
    }
  }

  /** The job's Dataset; when it is missing, says so in status (the Dataset informer re-enqueues the job when it appears). */
  private async datasetOf(job: IngestJob, namespace: string): Promise<Dataset | undefined> {
    const dataset = await this.deps.datasets.get(namespace, job.spec.datasetRef.name);
    if (dataset) return dataset;
    const message = `Dataset ${job.spec.datasetRef.name} does not exist in namespace ${namespace}; the job starts when it appears`;
    if (job.status?.conditions?.find((c) => c.type === "Degraded")?.reason !== "DatasetNotFound") await this.deps.recorder.record(job, "Warning", "DatasetNotFound", message);
    await this.status.write(job, { phase: "Pending" }, blocked("DatasetNotFound", message));
    return undefined;
  }

  /** Where the Dataset's store is; a storage URL the operator may not use is terminal until the Dataset changes. */
  private async storeLocationOf(job: IngestJob, dataset: Dataset): Promise<string> {
    try {
      return storeLocation(dataset.spec.storage.url, this.deps.roots);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      await this.status.write(job, { phase: "Pending" }, blocked("InvalidStorage", error.message));
      throw new TerminalError(error.message, "InvalidStorage");
    }
  }

  /**
   * S3 credentials are read on every reconcile (a rotated Secret takes effect at once) and only
   * when the source is on S3. The Secret is not watched (the operator may only get it), so a
   * missing one is looked for again after a minute.
   */
  private async credentialsOf(job: IngestJob, namespace: string): Promise<S3Credentials | undefined | "unavailable"> {
    if (!readsS3(job.spec.source)) return undefined;
    try {
      return await sourceCredentials(job.spec.source, namespace, this.deps.secrets);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      if (job.status?.conditions?.find((c) => c.type === "Degraded")?.message !== error.message) await this.deps.recorder.record(job, "Warning", "CredentialsUnavailable", error.message);
      await this.status.write(job, { phase: job.status?.phase ?? "Pending" }, blocked("CredentialsUnavailable", error.message));
      return "unavailable";
    }
  }

  /** Lists the source into the ledger when the spec changed, on the first reconcile, or when the schedule is due. */
  private async scanSource(ctx: JobContext, ledger: ItemLedger): Promise<{ ledger: ItemLedger; listedNow: boolean }> {
    const { job, key, namespace, name, store, credentials, now } = ctx;
    const generation = job.metadata.generation ?? 1;
    const last = this.listed.get(key);
    const scheduleDue = job.spec.schedule && job.status?.lastScheduleTime ? nextRun(job.spec.schedule, new Date(job.status.lastScheduleTime)) <= now : false;
    if (job.spec.suspend || (last && last.generation === generation && !scheduleDue)) return { ledger, listedNow: false };
    // Made only if the source needs S3; destroyed after the listing so its sockets close.
    let client: ReturnType<typeof sourceS3Client> | undefined;
    const s3 = () => (client ??= sourceS3Client(job.spec.source, credentials));
    try {
      const items = await listSourceItems(job.spec.source, { inputRoot: this.deps.roots.inputRoot, s3 });
      let added = 0;
      // Merged into the ledger as it is now (an event handoff may have added items since it was read).
      const merged = await updateLedger(store, namespace, name, (current) => {
        const next = mergeItems(current, items, now);
        added = Object.keys(next.items).length - Object.keys(current.items).length;
        return added > 0 ? next : current;
      });
      if (added > 0) await this.deps.recorder.record(job, "Normal", "SourceScanned", `${added} new file(s) of ${items.length} listed`);
      this.listed.set(key, { generation, at: now.getTime() });
      return { ledger: merged, listedNow: true };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      await this.deps.recorder.record(job, "Warning", "SourceUnavailable", error.message);
      await this.status.write(job, { phase: job.status?.phase ?? "Pending" }, blocked("SourceUnavailable", error.message));
      throw error;
    } finally {
      if (client) (await client.catch(() => undefined))?.destroy();
    }
  }

  /** Hands the next runnable items to the runner, unless a batch of this job runs. */
  private async startBatch(ctx: JobContext, ledger: ItemLedger, runnable: string[]): Promise<void> {
    const { job, key, dataset, location, credentials } = ctx;
    if (this.deps.runner.isRunning(key) || runnable.length === 0) return;
    const items = runnable.slice(0, this.deps.batchSize ?? 500).map((id) => ({ id, url: ledger.items[id]?.url ?? "" }));
    if (!this.deps.runner.submit({ jobKey: key, job, dataset, storeLocation: location, items, ...(credentials ? { credentials } : {}) })) return;
    if (!job.status?.startTime) await this.deps.recorder.record(job, "Normal", "Started", `ingesting ${runnable.length} file(s) into Dataset ${dataset.metadata.name} on the ${job.spec.executor.type} executor`);
  }

  /** Status from the ledger; an Event when the job has just completed or failed. */
  private async report(ctx: JobContext, ledger: ItemLedger, anyRunnable: boolean, listedNow: boolean): Promise<void> {
    const { job, key, namespace, name, dataset, now } = ctx;
    const counts = countItems(ledger, job.spec.retryLimit);
    const busy = this.deps.runner.isRunning(key) || (!job.spec.suspend && anyRunnable);
    const dask = this.deps.runner.daskJob(key);
    const ledgerUrl = `${dataset.spec.storage.url.replace(/\/?$/, "")}${ledgerKey(namespace, name)}`;
    const { status, conditions } = summarise(job, { counts, failures: recentFailures(ledger, job.spec.retryLimit), busy, dask, ledgerUrl, now, listedNow });
    const phase = status.phase;
    if ((phase === "Succeeded" || phase === "Failed") && job.status?.phase !== phase) {
      await this.deps.recorder.record(job, counts.failed > 0 ? "Warning" : "Normal", phase === "Succeeded" ? (counts.failed > 0 ? "CompletedWithFailures" : "Completed") : "Failed", `${counts.succeeded} of ${counts.total} file(s) ingested, ${counts.failed} failed`);
    }
    await this.status.write(job, status, conditions);
  }
}
