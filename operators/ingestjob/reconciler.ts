// IngestJob reconciler: expands the source into work items, hands runnable items to the executor,
// and reports counts, recent failures and conditions (Ready, Progressing, Degraded) in status.
// Per-item state lives in a ledger beside the data; status only summarises it.
import { CronExpressionParser } from "cron-parser";
import type { Dataset, IngestJob, IngestJobStatus } from "../../crds/index.js";
import { openWritableStore } from "../dataplane.js";
import type { ResourceClient } from "../client.js";
import { sameStatus } from "../status.js";
import { setCondition, type EventRecorder, type Reconciler, type Request, type Result } from "../runtime/index.js";
import { storeLocation, StorageError, type StorageRoots } from "../storage.js";
import { countItems, mergeItems, readLedger, recentFailures, runnableItems, writeLedger, ledgerKey } from "./ledger.js";
import type { LocalIngestRunner } from "./runner.js";
import { CredentialsError, sourceCredentials, sourceS3Client, type S3Credentials, type SecretReader } from "./credentials.js";
import { listSourceItems, readsS3, SourceError } from "./source.js";

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
  readonly now?: () => Date;
}

type Condition = { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string };

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** When a cron schedule next fires after `from` (UTC). */
export function nextRun(schedule: string, from: Date): Date {
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: "UTC" }).next().toDate();
}

export class IngestJobReconciler implements Reconciler {
  /** Generation and time of the last source listing, per job: listing a bucket is not free. */
  private readonly listed = new Map<string, { generation: number; at: number }>();

  constructor(private readonly deps: IngestJobReconcilerDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile({ namespace = "default", name }: Request): Promise<Result | void> {
    const { ingestJobs, datasets, recorder, runner } = this.deps;
    const key = `${namespace}/${name}`;
    const job = await ingestJobs.get(namespace, name);
    if (!job) {
      this.listed.delete(key);
      return;
    }
    if (job.metadata.deletionTimestamp) return;
    const generation = job.metadata.generation ?? 1;
    const dataset = await datasets.get(namespace, job.spec.datasetRef.name);
    if (!dataset) {
      const message = `Dataset ${job.spec.datasetRef.name} does not exist in namespace ${namespace}; the job starts when it appears`;
      if (job.status?.conditions?.find((c) => c.type === "Degraded")?.reason !== "DatasetNotFound") await recorder.record(job, "Warning", "DatasetNotFound", message);
      await this.writeStatus(job, { phase: "Pending" }, [
        { type: "Ready", status: "False", reason: "DatasetNotFound", message },
        { type: "Progressing", status: "False", reason: "DatasetNotFound", message },
        { type: "Degraded", status: "True", reason: "DatasetNotFound", message },
      ]);
      // The Dataset informer re-enqueues this job when the Dataset appears; poll slowly as a backstop.
      return { requeueAfterMs: 60_000 };
    }
    let location: string;
    try {
      location = storeLocation(dataset.spec.storage.url, this.deps.roots);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      await this.writeStatus(job, { phase: "Pending" }, [
        { type: "Ready", status: "False", reason: "InvalidStorage", message: error.message },
        { type: "Progressing", status: "False", reason: "InvalidStorage", message: error.message },
        { type: "Degraded", status: "True", reason: "InvalidStorage", message: error.message },
      ]);
      return;
    }
    // Asked before the ledger is read: only this reconcile (one per key at a time) starts batches, so
    // when no batch runs now, none can end while we decide and the ledger below is current. Asked
    // after, a batch ending in between would leave its items "running" in our copy, and "running"
    // (a crash's leftover) counts as runnable: the items would start again past their retry limit.
    const batchRunning = runner.isRunning(key);
    const store = await openWritableStore(location);
    let ledger = await readLedger(store, namespace, name);

    // S3 credentials are read on every reconcile (a rotated Secret takes effect at once) and only
    // when the source is on S3. The Secret is not watched (the operator may only get it), so a
    // missing one is looked for again after a minute.
    let credentials: S3Credentials | undefined;
    if (readsS3(job.spec.source)) {
      try {
        credentials = await sourceCredentials(job.spec.source, namespace, this.deps.secrets);
      } catch (error) {
        if (!(error instanceof CredentialsError)) throw error;
        if (job.status?.conditions?.find((c) => c.type === "Degraded")?.message !== error.message) await recorder.record(job, "Warning", "CredentialsUnavailable", error.message);
        await this.writeStatus(job, { phase: job.status?.phase ?? "Pending" }, [
          { type: "Ready", status: "False", reason: "CredentialsUnavailable", message: error.message },
          { type: "Progressing", status: "False", reason: "CredentialsUnavailable", message: error.message },
          { type: "Degraded", status: "True", reason: "CredentialsUnavailable", message: error.message },
        ]);
        return { requeueAfterMs: 60_000 };
      }
    }

    const now = this.now();
    const last = this.listed.get(key);
    const scheduleDue = job.spec.schedule && job.status?.lastScheduleTime ? nextRun(job.spec.schedule, new Date(job.status.lastScheduleTime)) <= now : false;
    let listedNow = false;
    if (!job.spec.suspend && (!last || last.generation !== generation || scheduleDue)) {
      // Made only if the source needs S3; destroyed after the listing so its sockets close.
      const clients: ReturnType<typeof sourceS3Client>[] = [];
      const s3 = () => clients[0] ?? (clients[0] = sourceS3Client(job.spec.source, credentials));
      try {
        const items = await listSourceItems(job.spec.source, { inputRoot: this.deps.roots.inputRoot, s3 });
        const before = Object.keys(ledger.items).length;
        ledger = mergeItems(ledger, items, now);
        const added = Object.keys(ledger.items).length - before;
        if (added > 0) {
          await writeLedger(store, namespace, name, ledger);
          await recorder.record(job, "Normal", "SourceScanned", `${added} new file(s) of ${items.length} listed`);
        }
        this.listed.set(key, { generation, at: now.getTime() });
        listedNow = true;
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        await recorder.record(job, "Warning", "SourceUnavailable", error.message);
        await this.writeStatus(job, { phase: job.status?.phase ?? "Pending" }, [
          { type: "Ready", status: "False", reason: "SourceUnavailable", message: error.message },
          { type: "Progressing", status: "False", reason: "SourceUnavailable", message: error.message },
          { type: "Degraded", status: "True", reason: "SourceUnavailable", message: error.message },
        ]);
        throw error;
      } finally {
        for (const client of clients) client.destroy();
      }
    }

    const runnable = runnableItems(ledger, job.spec.retryLimit);
    if (!job.spec.suspend && !batchRunning && !runner.isRunning(key) && runnable.length > 0) {
      const batch = runnable.slice(0, this.deps.batchSize ?? 500).map((id) => ({ id, url: ledger.items[id]?.url ?? "" }));
      if (runner.submit({ jobKey: key, job, dataset, storeLocation: location, items: batch, ...(credentials ? { credentials } : {}) })) {
        if (!job.status?.startTime) await recorder.record(job, "Normal", "Started", `ingesting ${runnable.length} file(s) into Dataset ${dataset.metadata.name} on the ${job.spec.executor.type} executor`);
      }
    }

    const counts = countItems(ledger, job.spec.retryLimit);
    const busy = runner.isRunning(key) || (!job.spec.suspend && runnable.length > 0);
    const failures = recentFailures(ledger, job.spec.retryLimit);
    const phase: NonNullable<IngestJobStatus["phase"]> = job.spec.suspend ? "Suspended" : busy ? "Running" : counts.total > 0 && counts.succeeded === 0 && counts.failed > 0 ? "Failed" : counts.total === 0 ? "Pending" : "Succeeded";
    const status: IngestJobStatus = {
      phase,
      items: counts,
      recentFailures: failures,
      ledgerUrl: `${dataset.spec.storage.url.replace(/\/?$/, "")}${ledgerKey(namespace, name)}`,
      ...(runner.daskJob(key) ? { daskJobName: runner.daskJob(key)?.name } : {}),
      ...(job.status?.startTime || counts.total > 0 ? { startTime: job.status?.startTime ?? iso(now) } : {}),
      ...(phase === "Succeeded" || phase === "Failed" ? { completionTime: job.status?.phase === phase && job.status.completionTime ? job.status.completionTime : iso(now) } : {}),
      ...(listedNow && job.spec.schedule ? { lastScheduleTime: iso(now) } : job.status?.lastScheduleTime ? { lastScheduleTime: job.status.lastScheduleTime } : {}),
    };
    if ((phase === "Succeeded" || phase === "Failed") && job.status?.phase !== phase) {
      await recorder.record(job, counts.failed > 0 ? "Warning" : "Normal", phase === "Succeeded" ? (counts.failed > 0 ? "CompletedWithFailures" : "Completed") : "Failed", `${counts.succeeded} of ${counts.total} file(s) ingested, ${counts.failed} failed`);
    }
    const degraded: Condition = counts.failed > 0
      ? { type: "Degraded", status: "True", reason: "ItemsFailed", message: `${counts.failed} file(s) failed; latest: ${failures[0]?.url ?? "?"}: ${failures[0]?.message ?? ""}` }
      : { type: "Degraded", status: "False", reason: "AsExpected", message: "" };
    const ready: Condition = job.spec.suspend
      ? { type: "Ready", status: "False", reason: "Suspended", message: "spec.suspend is true" }
      : busy
        ? { type: "Ready", status: "False", reason: "Ingesting", message: `${counts.succeeded} of ${counts.total} file(s) ingested` }
        : counts.total === 0
          ? { type: "Ready", status: "False", reason: "NoFiles", message: "the source lists no files matching the pattern" }
          : { type: "Ready", status: counts.succeeded > 0 || counts.failed === 0 ? "True" : "False", reason: counts.failed > 0 ? "CompletedWithFailures" : "Completed", message: `${counts.succeeded} of ${counts.total} file(s) ingested, ${counts.failed} failed` };
    const progressing: Condition = busy
      ? { type: "Progressing", status: "True", reason: "Ingesting", message: `${counts.running} running, ${counts.pending} pending${runner.daskJob(key) ? `; DaskJob ${runner.daskJob(key)?.name}: ${runner.daskJob(key)?.status ?? "Created"}` : ""}` }
      : { type: "Progressing", status: "False", reason: job.spec.suspend ? "Suspended" : "Idle", message: "" };
    await this.writeStatus(job, status, [ready, progressing, degraded]);

    if (job.spec.schedule && !job.spec.suspend) {
      const since = job.status?.lastScheduleTime && !listedNow ? new Date(job.status.lastScheduleTime) : now;
      return { requeueAfterMs: Math.max(1000, nextRun(job.spec.schedule, since).getTime() - now.getTime()) };
    }
  }

  private async writeStatus(job: IngestJob, status: IngestJobStatus, conditions: Condition[]): Promise<void> {
    const generation = job.metadata.generation ?? 1;
    let list = job.status?.conditions;
    for (const condition of conditions) list = setCondition(list, condition, generation, this.now());
    const next: IngestJobStatus = { ...status, observedGeneration: generation, conditions: list };
    if (sameStatus(job.status, next)) return;
    await this.deps.ingestJobs.patchStatus(job.metadata.namespace ?? "default", job.metadata.name, next);
  }
}
