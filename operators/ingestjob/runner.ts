// The local executor as the operator uses it: batches of work items run in the background (worker
// threads inside the data plane), one writer per Dataset store at a time, outcomes written to the
// item ledger, and the IngestJob and its Dataset re-enqueued when a batch ends. A crash loses at
// most the batch in flight: its items stay "running" in the ledger and run again, and the store's
// own ledger makes re-ingesting a committed time step a no-op.
import type { KubeConfig } from "@kubernetes/client-node";
import type { IngestProgress, IngestReport, ResolvedInputs, WritableStore } from "../../dataplane/index.js";
import { loadIngest, openWritableStore } from "../dataplane.js";
import { daskExecutor, type DaskJobStatus } from "./daskjob.js";
import type { CfContext } from "../../dataplane/qc/index.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import type { Logger } from "../runtime/index.js";
import { sourceS3Client, type S3Credentials } from "./credentials.js";
import { localPath, SOURCE_CREDENTIALS } from "./source.js";
import { markOutcome, markRunning, readLedger, runnableItems, writeLedger } from "./ledger.js";

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
    const client = sourceS3Client(request.job.spec.source, request.credentials);
    try {
      return await resolveInputs(urls, { s3: { client, credentials: SOURCE_CREDENTIALS } });
    } finally {
      client.destroy();
    }
  }

  private async run(request: BatchRequest): Promise<void> {
    const { job, dataset, storeLocation } = request;
    const namespace = job.metadata.namespace ?? "default";
    const name = job.metadata.name;
    const store = await openWritableStore(storeLocation);
    let ledger = await readLedger(store, namespace, name);
    // The reconciler picked these items from a ledger it read earlier; a batch of this job that ended
    // since may have used up their retries or finished them. Whether an item runs is decided here, on
    // the ledger as it is when the batch starts (batches of a store run one at a time), so an item
    // the reconciler saw "running" is not started again after its last allowed attempt failed.
    const runnable = new Set(runnableItems(ledger, job.spec.retryLimit));
    const items = request.items.filter((item) => runnable.has(item.id));
    if (items.length === 0) {
      this.options.onBatchDone(request, { succeeded: 0, failed: [], timeSteps: 0, bytesWritten: 0 });
      return;
    }
    ledger = markRunning(ledger, items.map((i) => i.id), new Date());
    await writeLedger(store, namespace, name, ledger);

    const failed: BatchReport["failed"] = [];
    let succeeded = 0;
    let report: IngestReport | undefined;
    const pathToItem = new Map<string, BatchItem>();
    const remote = items.filter((i) => !i.url.startsWith("file://"));
    const { ingest, resolveInputs } = await loadIngest();
    const fetched = remote.length > 0 ? await this.fetchRemote(request, remote.map((i) => i.url), resolveInputs) : undefined;
    const origins = fetched?.origins ?? new Map<string, string>();
    try {
      for (const item of items) {
        if (item.url.startsWith("file://")) {
          try {
            pathToItem.set(localPath(item.url, this.options.inputRoot), item);
          } catch (error) {
            ledger = markOutcome(ledger, item.id, { ok: false, reason: "Refused", message: (error as Error).message }, new Date());
            failed.push({ url: item.url, reason: "Refused", message: (error as Error).message });
          }
        }
      }
      for (const [path, origin] of origins) {
        const item = remote.find((i) => i.url === origin);
        if (item) pathToItem.set(path, item);
      }
      for (const failure of fetched?.failures ?? []) {
        const item = remote.find((i) => i.url === failure.input);
        if (!item) continue;
        ledger = markOutcome(ledger, item.id, { ok: false, reason: "FetchFailed", message: failure.reason }, new Date());
        failed.push({ url: item.url, reason: "FetchFailed", message: failure.reason });
      }
      let inputs = [...pathToItem.keys()];
      if (inputs.length > 0 && job.spec.qualityControl.enabled) {
        // QC gates the ingest: a refused file never reaches the writer. Reports live beside the data.
        // Loaded on first use: QC's tables and parsers cost ~20 MB that jobs without QC never need.
        const { checkFiles, loadCfContext, reportJson, reportName } = await import("../../dataplane/qc/index.js");
        this.cf ??= loadCfContext();
        const gate = await checkFiles(inputs, job.spec.qualityControl, { cf: this.cf, sourceName: (path) => pathToItem.get(path)?.url ?? path });
        for (const check of gate.checks) {
          if ("report" in check) await store.set(`/.dmac/qc/${reportName(check.report.source)}`, new TextEncoder().encode(reportJson(check.report)));
        }
        for (const refusal of gate.refused) {
          const item = pathToItem.get(refusal.input);
          if (!item) continue;
          ledger = markOutcome(ledger, item.id, { ok: false, reason: "Refused", message: refusal.reason }, new Date());
          failed.push({ url: item.url, reason: "Refused", message: refusal.reason });
        }
        inputs = gate.accepted;
      }
      if (inputs.length > 0) {
        const chunking = Object.fromEntries((dataset.spec.dimensions ?? []).filter((d) => d.chunk !== undefined).map((d) => [d.name, d.chunk as number]));
        report = await ingest({
          store: storeLocation,
          inputs,
          aggregation: { type: dataset.spec.aggregation.type, concatDim: dataset.spec.aggregation.concatDim, ...(dataset.spec.aggregation.identicalDims ? { identicalDims: dataset.spec.aggregation.identicalDims } : {}) },
          chunking,
          encoding: encodingOf(dataset),
          ...(dataset.spec.attributes ? { attributes: dataset.spec.attributes } : {}),
          concurrency: Math.max(1, Math.min(job.spec.parallelism, inputs.length)),
          ...(job.spec.executor.type === "dask" ? { executor: this.daskExecutorFor(request, store, origins) } : {}),
          onProgress: (progress) => this.options.onProgress?.(request.jobKey, progress),
        });
        for (const outcome of report.files) {
          const item = pathToItem.get(outcome.input);
          if (!item) continue;
          if (outcome.status === "refused") {
            const reason = classifyRefusal(outcome.reason ?? "");
            const message = (outcome.reason ?? "refused").replace(outcome.input, item.url);
            ledger = markOutcome(ledger, item.id, { ok: false, reason, message }, new Date());
            failed.push({ url: item.url, reason, message });
          } else {
            ledger = markOutcome(ledger, item.id, { ok: true, timeSteps: outcome.timeSteps }, new Date());
            succeeded += 1;
          }
        }
      }
    } catch (error) {
      // The store could not be written at all: every item of the batch is retried later.
      const message = (error as Error).message;
      this.options.log.warn({ job: request.jobKey, err: message }, "ingest batch failed");
      for (const item of items) {
        if (ledger.items[item.id]?.state !== "running") continue;
        ledger = markOutcome(ledger, item.id, { ok: false, reason: "IngestError", message }, new Date());
        failed.push({ url: item.url, reason: "IngestError", message });
      }
    } finally {
      await fetched?.cleanup();
    }
    await writeLedger(store, namespace, name, ledger);
    this.options.onBatchDone(request, { succeeded, failed, timeSteps: report?.timeSteps ?? 0, bytesWritten: report?.bytesWritten ?? 0 });
  }
}

function encodingOf(dataset: Dataset): { codec: "blosc-lz4" | "zlib" | "zstd"; level: number } {
  return { codec: dataset.spec.encoding.codec, level: dataset.spec.encoding.level };
}
