// The local executor as the operator uses it: batches of work items run in the background (each
// local batch in a worker thread of its own, batch-thread.ts), one writer per Dataset store at a time, outcomes written to the
// item ledger, and the IngestJob and its Dataset re-enqueued when a batch ends. A crash loses at
// most the batch in flight: its items stay "running" in the ledger and run again, and the store's
// own ledger makes re-ingesting a committed time step a no-op.
import type { KubeConfig } from "@kubernetes/client-node";
import type { IngestProgress, IngestReport, ResolvedInputs, WritableStore } from "../../dataplane/index.js";
import { loadIngest, openWritableStore } from "../dataplane.js";
import { daskExecutor, type DaskJobStatus } from "./daskjob.js";
import { runBatchInThread, type QcOutcome } from "./batch-thread.js";
import type { CfContext } from "../../dataplane/qc/index.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import type { Logger } from "../runtime/index.js";
import { sourceS3Client, type S3Credentials } from "./credentials.js";
import { localPath, SOURCE_CREDENTIALS } from "./source.js";
import { markOutcome, markRunning, runnableItems, updateLedger, type ItemLedger } from "./ledger.js";
import { ingestOptionsFor } from "../../dataplane/ingest-options.js";

type ResolveInputs = Awaited<ReturnType<typeof loadIngest>>["resolveInputs"];

export interface BatchItem {
  readonly id: string;
  readonly url: string;
}

export interface BatchRequest {
  readonly jobKey: string;
  readonly job: IngestJob;
  readonly dataset: Dataset;
  /** Local path or s3:// URL of the Dataset's store. */
  readonly storeLocation: string;
  readonly items: readonly BatchItem[];
  /** The source's S3 credentials from its Secret, resolved by the reconciler; absent when anonymous. */
  readonly credentials?: S3Credentials;
}

export interface RunnerOptions {
  readonly inputRoot: string;
  /** Needed for the dask executor, which creates DaskJobs. */
  readonly kubeConfig?: KubeConfig;
  readonly daskPollMs?: number;
  /** DaskJob progress, for status and events. */
  readonly onDaskJob?: (jobKey: string, name: string, status: DaskJobStatus | undefined) => void;
  readonly log: Logger;
  /** Called when a batch has ended and its outcomes are in the ledger. */
  readonly onBatchDone: (request: BatchRequest, report: BatchReport) => void;
  readonly onProgress?: (jobKey: string, progress: IngestProgress) => void;
}

export interface BatchReport {
  readonly succeeded: number;
  readonly failed: { url: string; reason: string; message: string }[];
  readonly timeSteps: number;
  readonly bytesWritten: number;
}

/** Refusals the data plane marks as transient ("run again") are retried; other refusals are final. */
export function classifyRefusal(reason: string): "Refused" | "Error" {
  return /run again/i.test(reason) ? "Error" : "Refused";
}

export class LocalIngestRunner {
  private readonly running = new Map<string, BatchRequest>();
  private readonly storeQueues = new Map<string, Promise<void>>();
  /** UDUNITS and the CF standard-name table, loaded once. */
  private cf: CfContext | undefined;
  private readonly stopping = new AbortController();
  private readonly daskJobs = new Map<string, { name: string; status: DaskJobStatus | undefined }>();

  constructor(private readonly options: RunnerOptions) {}

  /** The DaskJob of the job's running batch, when the executor is dask. */
  daskJob(jobKey: string): { name: string; status: DaskJobStatus | undefined } | undefined {
    return this.running.has(jobKey) ? this.daskJobs.get(jobKey) : undefined;
  }

  isRunning(jobKey: string): boolean {
    return this.running.has(jobKey);
  }

  get activeBatches(): number {
    return this.running.size;
  }

  /** Starts a batch in the background unless one is running for the job. */
  submit(request: BatchRequest): boolean {
    if (this.running.has(request.jobKey)) return false;
    this.running.set(request.jobKey, request);
    // Batches for one store run one after another: the aggregation has one writer.
    const previous = this.storeQueues.get(request.storeLocation) ?? Promise.resolve();
    const next = previous.then(() => this.run(request)).finally(() => {
      this.running.delete(request.jobKey);
      if (this.storeQueues.get(request.storeLocation) === next) this.storeQueues.delete(request.storeLocation);
    });
    this.storeQueues.set(request.storeLocation, next);
    return true;
  }

  /**
   * Resolves when every running batch has ended (graceful shutdown). Local batches finish (their
   * commits are atomic); a batch waiting on a DaskJob is abandoned and its files run again later.
   */
  async drain(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.storeQueues.values()]);
  }

  /**
   * `origins` maps the temporary copies of remote sources to their s3:// or https:// URLs: the Dask
   * pods read those themselves. file:// sources keep their path under the input root, which the
   * pods can read only from a volume shared with the operator (docs/operators.md).
   */
  private daskExecutorFor(request: BatchRequest, store: WritableStore, origins: ReadonlyMap<string, string>) {
    if (!this.options.kubeConfig) throw new Error("the dask executor needs a kubeconfig to create DaskJobs");
    return daskExecutor({
      kubeConfig: this.options.kubeConfig,
      job: request.job,
      store,
      storeUrl: request.storeLocation,
      sourceUrl: (path) => origins.get(path) ?? path,
      ...(this.options.daskPollMs ? { pollMs: this.options.daskPollMs } : {}),
      signal: this.stopping.signal,
      onJobStatus: (name, status) => {
        this.daskJobs.set(request.jobKey, { name, status });
        this.options.onDaskJob?.(request.jobKey, name, status);
      },
    });
  }

  /**
   * Downloads the batch's remote files to a temporary directory. s3:// objects are read with the
   * source's own client (its region, endpoint and the credentials from its Secret), never the
   * operator's AWS_* identity, which is the store's.
   */
  private async fetchRemote(request: BatchRequest, urls: readonly string[], resolveInputs: ResolveInputs): Promise<ResolvedInputs> {
    if (!urls.some((url) => url.startsWith("s3://"))) return resolveInputs(urls);
    const client = await sourceS3Client(request.job.spec.source, request.credentials);
    try {
      return await resolveInputs(urls, { s3: { client, credentials: SOURCE_CREDENTIALS } });
    } finally {
      client.destroy();
    }
  }

  /**
   * One batch, in named steps: claim the items the ledger still lets run, resolve them to local
   * files, gate them through QC, ingest, and record every item's outcome in the ledger.
   */
  private async run(request: BatchRequest): Promise<void> {
    const batch = await BatchLedger.claim(request);
    if (batch === undefined) {
      this.options.onBatchDone(request, { succeeded: 0, failed: [], timeSteps: 0, bytesWritten: 0 });
      return;
    }
    let report: IngestReport | undefined;
    const remote = batch.items.filter((i) => !i.url.startsWith("file://"));
    const fetched = remote.length > 0 ? await this.fetchRemote(request, remote.map((i) => i.url), (await loadIngest()).resolveInputs) : undefined;
    try {
      const files = this.localFiles(batch, fetched);
      const onProgress = (progress: IngestProgress) => this.options.onProgress?.(request.jobKey, progress);
      // Station observations (CSV among them) are not gated file by file: their QARTOD tests flag each value in the store.
      const stations = request.dataset.spec.featureType === "timeSeries";
      const stationQc = stations ? { qualityControl: request.job.spec.qualityControl } : {};
      if (request.job.spec.executor.type === "dask") {
        const inputs = stations ? [...files.keys()] : await this.qualityGate(request, batch, files);
        if (inputs.length > 0) {
          const { ingest } = await loadIngest();
          report = await ingest({
            ...ingestOptionsFor(request.dataset, request.job),
            ...stationQc,
            store: request.storeLocation,
            inputs,
            concurrency: Math.max(1, Math.min(request.job.spec.parallelism, inputs.length)),
            executor: this.daskExecutorFor(request, batch.store, fetched?.origins ?? new Map()),
            onProgress,
          });
        }
      } else if (files.size > 0) {
        // The local executor: QC and ingest in a thread that ends with the batch (batch-thread.ts).
        const qc = request.job.spec.qualityControl;
        ({ report } = await runBatchInThread({
          inputs: [...files.keys()],
          sourceNames: Object.fromEntries([...files].map(([path, item]) => [path, item.url])),
          ...(qc.enabled && !stations ? { qc } : {}),
          ingest: { ...ingestOptionsFor(request.dataset, request.job), ...stationQc, store: request.storeLocation, concurrency: 0, filesAtOnce: Math.max(1, request.job.spec.parallelism) },
        }, { onQc: (outcome) => this.recordGate(batch, files, outcome), onProgress }));
      }
      if (report) batch.recordReport(report, files);
    } catch (error) {
      // The store could not be written at all: every item of the batch is retried later.
      const message = (error as Error).message;
      this.options.log.warn({ job: request.jobKey, err: message }, "ingest batch failed");
      batch.failRunning("IngestError", message);
    } finally {
      await fetched?.cleanup();
    }
    await batch.save();
    this.options.onBatchDone(request, { succeeded: batch.succeeded, failed: batch.failed, timeSteps: report?.timeSteps ?? 0, bytesWritten: report?.bytesWritten ?? 0 });
  }

  /** Local paths of the batch's files: file:// under the input root, remote ones as fetched; the rest fail. */
  private localFiles(batch: BatchLedger, fetched: ResolvedInputs | undefined): Map<string, BatchItem> {
    const files = new Map<string, BatchItem>();
    for (const item of batch.items) {
      if (!item.url.startsWith("file://")) continue;
      try {
        files.set(localPath(item.url, this.options.inputRoot), item);
      } catch (error) {
        batch.fail(item, "Refused", (error as Error).message);
      }
    }
    for (const [path, origin] of fetched?.origins ?? []) {
      const item = batch.items.find((i) => i.url === origin);
      if (item) files.set(path, item);
    }
    for (const failure of fetched?.failures ?? []) {
      const item = batch.items.find((i) => i.url === failure.input);
      if (item) batch.fail(item, "FetchFailed", failure.reason);
    }
    return files;
  }

  /** QC gates the ingest: a refused file never reaches the writer. Reports live beside the data. */
  private async qualityGate(request: BatchRequest, batch: BatchLedger, files: ReadonlyMap<string, BatchItem>): Promise<string[]> {
    const inputs = [...files.keys()];
    const qc = request.job.spec.qualityControl;
    if (inputs.length === 0 || !qc.enabled) return inputs;
    // Loaded on first use: QC's tables and parsers cost ~20 MB that jobs without QC never need.
    const { checkFiles, loadCfContext, reportJson, reportName } = await import("../../dataplane/qc/index.js");
    this.cf ??= loadCfContext();
    const gate = await checkFiles(inputs, qc, { cf: this.cf, sourceName: (path) => files.get(path)?.url ?? path });
    const reports = gate.checks.flatMap((check) => ("report" in check ? [{ name: reportName(check.report.source), json: reportJson(check.report) }] : []));
    await this.recordGate(batch, files, { reports, refused: gate.refused, accepted: gate.accepted });
    return gate.accepted;
  }

  /** Stores the gate's reports beside the data and fails the files it refused. */
  private async recordGate(batch: BatchLedger, files: ReadonlyMap<string, BatchItem>, gate: QcOutcome): Promise<void> {
    for (const report of gate.reports) await batch.store.set(`/.dmac/qc/${report.name}`, new TextEncoder().encode(report.json));
    for (const refusal of gate.refused) {
      const item = files.get(refusal.input);
      if (item) batch.fail(item, "Refused", refusal.reason);
    }
  }
}

/**
 * The item ledger of one batch and its outcomes so far: owns the ledger copy, the failures and the
 * count of successes, and writes the ledger back once the batch ends.
 */
class BatchLedger {
  readonly failed: BatchReport["failed"] = [];
  succeeded = 0;

  private constructor(
    readonly store: WritableStore,
    private readonly namespace: string,
    private readonly name: string,
    private ledger: ItemLedger,
    readonly items: readonly BatchItem[],
  ) {}

  /**
   * The reconciler picked these items from a ledger it read earlier; a batch of this job that ended
   * since may have used up their retries or finished them. Whether an item runs is decided here, on
   * the ledger as it is when the batch starts (batches of a store run one at a time), so an item
   * the reconciler saw "running" is not started again after its last allowed attempt failed.
   * Undefined when none may run; else the items are marked running and the ledger written.
   */
  static async claim(request: BatchRequest): Promise<BatchLedger | undefined> {
    const namespace = request.job.metadata.namespace ?? "default";
    const name = request.job.metadata.name;
    const store = await openWritableStore(request.storeLocation);
    let items: BatchItem[] = [];
    const claimed = await updateLedger(store, namespace, name, (ledger) => {
      const runnable = new Set(runnableItems(ledger, request.job.spec.retryLimit));
      items = request.items.filter((item) => runnable.has(item.id));
      return items.length === 0 ? ledger : markRunning(ledger, items.map((i) => i.id), new Date());
    });
    if (items.length === 0) return undefined;
    return new BatchLedger(store, namespace, name, claimed, items);
  }

  fail(item: BatchItem, reason: string, message: string): void {
    this.ledger = markOutcome(this.ledger, item.id, { ok: false, reason, message }, new Date());
    this.failed.push({ url: item.url, reason, message });
  }

  succeed(item: BatchItem, timeSteps: number, skipped?: string): void {
    this.ledger = markOutcome(this.ledger, item.id, { ok: true, timeSteps, ...(skipped !== undefined ? { skipped } : {}) }, new Date());
    this.succeeded += 1;
  }

  /** Fails every item still running (the batch itself failed). */
  failRunning(reason: string, message: string): void {
    for (const item of this.items) if (this.ledger.items[item.id]?.state === "running") this.fail(item, reason, message);
  }

  /** Each file's outcome, named by its item's URL rather than its local path. */
  recordReport(report: IngestReport, files: ReadonlyMap<string, BatchItem>): void {
    for (const outcome of report.files) {
      const item = files.get(outcome.input);
      if (!item) continue;
      const message = (outcome.reason ?? (outcome.status === "refused" ? "refused" : "")).replace(outcome.input, item.url);
      if (outcome.status === "refused") this.fail(item, classifyRefusal(outcome.reason ?? ""), message);
      else this.succeed(item, outcome.timeSteps, outcome.status === "skipped" && message !== "" ? message : undefined);
    }
  }

  /** Writes this batch's outcomes into the ledger as it is now: items added meanwhile (a scan, an event handoff) stay. */
  async save(): Promise<void> {
    await updateLedger(this.store, this.namespace, this.name, (current) => {
      const items = { ...current.items };
      for (const item of this.items) {
        const entry = this.ledger.items[item.id];
        if (entry) items[item.id] = entry;
      }
      return { ...current, items };
    });
  }
}
