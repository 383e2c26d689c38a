// Derived IngestJobs (spec.source.datasetRef + spec.transform): the job's Dataset is computed from
// another Dataset and kept current. The IngestJob reconciler hands such jobs here. A change of the
// source Dataset (its informer, or a dataset.updated event on the bus: `derivedJobsOf`) re-enqueues
// the job, and the update recomputes only the periods whose source steps changed (dataplane/transform). A transform
// the source cannot satisfy is Degraded naming the field, with nothing written.
import type { Dataset, IngestJob, IngestJobStatus } from "../../crds/index.js";
import type { DeriveReport, ComputeBackend } from "../../dataplane/transform/derive.js";
import type { ResourceClient } from "../client.js";
import { StatusWriter, TerminalError, type EventRecorder, type Result } from "../runtime/index.js";
import { storeLocation, StorageError, type StorageRoots } from "../storage.js";
import type { CloudEvent, EventBus } from "../../events/platform-events.js";
import { eventTypes } from "../../events/platform-events.js";
import { blocked } from "./conditions.js";


export interface DerivedJobDeps {
  readonly ingestJobs: ResourceClient<IngestJob>;
  readonly datasets: ResourceClient<Dataset>;
  readonly recorder: EventRecorder;
  readonly roots: StorageRoots;
  /** Where a dask-executor job's transform runs (a DaskJob reading `source`, staging into `target`); without it such jobs are Degraded. */
  readonly daskCompute?: (job: IngestJob, source: string, target: string) => ComputeBackend;
  /** The derived Dataset's store changed: its Dataset reconciler reads the new extent. */
  readonly onCommitted?: (dataset: Dataset) => void;
  readonly now?: () => Date;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Keys of the derived jobs reading `namespace/name`: what a source Dataset's change enqueues. */
export function derivedJobsOf(jobs: readonly IngestJob[], namespace: string, name: string): string[] {
  return jobs.filter((j) => (j.metadata.namespace ?? "default") === namespace && j.spec.source.datasetRef?.name === name).map((j) => `${namespace}/${j.metadata.name}`);
}

/** The small adapter to the event bus: a dataset.updated event enqueues the derived jobs of its Dataset. */
export function followDatasetUpdates(bus: EventBus, jobs: () => readonly IngestJob[], enqueue: (key: string) => void): () => void {
  return bus.subscribe((event: CloudEvent) => {
    const [namespace, name] = (event.subject ?? "").split("/");
    if (namespace === undefined || name === undefined) return;
    for (const key of derivedJobsOf(jobs(), namespace, name)) enqueue(key);
  }, [eventTypes.datasetUpdated]);
}

export class DerivedJobReconciler {
  private readonly status: StatusWriter<IngestJobStatus>;
  /** One update per derived store at a time (two jobs must not write one store). */
  private readonly updating = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: DerivedJobDeps) {
    this.status = new StatusWriter({ patchStatus: (ns, name, status) => deps.ingestJobs.patchStatus(ns, name, status), now: () => this.now() });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile(job: IngestJob, namespace: string): Promise<Result | void> {
    const sourceName = job.spec.source.datasetRef?.name;
    const transform = job.spec.transform;
    if (sourceName === undefined || transform === undefined) return;
    const dataset = await this.deps.datasets.get(namespace, job.spec.datasetRef.name);
    if (!dataset) return this.waiting(job, "DatasetNotFound", `Dataset ${job.spec.datasetRef.name} does not exist in namespace ${namespace}; the job starts when it appears`, { requeueAfterMs: 60_000 });
    const source = await this.deps.datasets.get(namespace, sourceName);
    if (!source) return this.waiting(job, "SourceDatasetNotFound", `source Dataset ${sourceName} (spec.source.datasetRef) does not exist in namespace ${namespace}; the job starts when it appears`, { requeueAfterMs: 60_000 });
    if (dataset.spec.aggregation.type !== "append") return this.degraded(job, "InvalidDataset", `Dataset ${dataset.metadata.name} spec.aggregation.type: a derived Dataset is appended along its period axis; set append, not ${dataset.spec.aggregation.type}`);
    if (job.spec.executor.type === "dask" && this.deps.daskCompute === undefined) return this.degraded(job, "ExecutorUnavailable", "spec.executor.type: dask needs the operator's DaskJob support (kubeconfig), which this operator was started without");
    const sourceCommit = source.status?.lastCommitTime;
    if (sourceCommit === undefined) {
      await this.status.write(job, { phase: "Pending" }, blocked("SourceEmpty", `source Dataset ${sourceName} has no data yet; the job derives when it commits`, false));
      return;
    }
    // The update itself finds what changed (the source's ledger against the derived store's), so it
    // runs on every wake-up: a best-forecast replacement that leaves the source's length and
    // lastCommitTime as they were is still seen. With nothing new it writes nothing.
    const [from, to] = [this.location(job, source), this.location(job, dataset)];
    if (job.status?.derived?.sourceCommitTime !== sourceCommit || job.status.phase !== "Succeeded")
      await this.status.write(job, { ...this.kept(job), phase: "Running" }, [
        { type: "Ready", status: "False", reason: "Deriving", message: `deriving from Dataset ${sourceName} as of ${sourceCommit}` },
        { type: "Progressing", status: "True", reason: "Deriving", message: "" },
        { type: "Degraded", status: "False", reason: "AsExpected", message: "" },
      ]);
    let report: DeriveReport;
    try {
      report = await this.update(job, namespace, sourceName, from, to, dataset);
    } catch (error) {
      const { DeriveError } = await import("../../dataplane/transform/plan.js");
      if (!(error instanceof DeriveError)) throw error;
      return this.degraded(job, "InvalidTransform", error.message);
    }
    await this.report(job, dataset, sourceName, sourceCommit, report);
  }

  private location(job: IngestJob, dataset: Dataset): string {
    try {
      return storeLocation(dataset.spec.storage.url, this.deps.roots);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      void this.status.write(job, { phase: "Pending" }, blocked("InvalidStorage", `Dataset ${dataset.metadata.name}: ${error.message}`));
      throw new TerminalError(error.message, "InvalidStorage");
    }
  }

  /** Runs the update, one at a time per target store. */
  private async update(job: IngestJob, namespace: string, sourceName: string, from: string, to: string, dataset: Dataset): Promise<DeriveReport> {
    const previous = this.updating.get(to);
    if (previous !== undefined) await previous.catch(() => undefined);
    const { derive } = await import("../../dataplane/transform/derive.js");
    const { transformOptionsFor } = await import("../../dataplane/transform/options.js");
    const d = dataset.spec;
    const chunking = Object.fromEntries((d.dimensions ?? []).filter((x) => x.chunk !== undefined).map((x) => [x.name, x.chunk as number]));
    const running = derive({
      source: from,
      target: to,
      transform: transformOptionsFor(job.spec.transform ?? {}),
      layout: { sourceName: `${namespace}/${sourceName}`, format: d.storage.format, encoding: d.encoding, chunking, ...(d.attributes ? { attributes: d.attributes } : {}) },
      ...(job.spec.executor.type === "dask" && this.deps.daskCompute ? { compute: this.deps.daskCompute(job, from, to) } : {}),
    });
    this.updating.set(to, running);
    try {
      return await running;
    } finally {
      if (this.updating.get(to) === running) this.updating.delete(to);
    }
  }

  /** Status fields an update keeps while it runs. */
  private kept(job: IngestJob): IngestJobStatus {
    return { ...(job.status?.derived ? { derived: job.status.derived } : {}), ...(job.status?.startTime ? { startTime: job.status.startTime } : {}) };
  }

  private async report(job: IngestJob, dataset: Dataset, sourceName: string, sourceCommit: string, r: DeriveReport): Promise<void> {
    const now = this.now();
    const derived: NonNullable<IngestJobStatus["derived"]> = {
      sourceCommitTime: sourceCommit,
      steps: r.steps,
      complete: r.complete,
      provisional: r.provisional,
      recomputed: r.unchanged ? (job.status?.derived?.recomputed ?? 0) : r.recomputed.length,
      chunksRewritten: r.unchanged ? (job.status?.derived?.chunksRewritten ?? 0) : r.chunksRewritten,
      lastUpdateTime: r.unchanged ? (job.status?.derived?.lastUpdateTime ?? iso(now)) : iso(now),
    };
    const message = `${r.steps} step(s) from Dataset ${sourceName} as of ${sourceCommit}: ${r.complete} complete, ${r.provisional} provisional`;
    const completionTime = r.unchanged && job.status?.completionTime ? job.status.completionTime : iso(now);
    await this.status.write(job, { phase: "Succeeded", derived, startTime: job.status?.startTime ?? iso(now), completionTime }, [
      { type: "Ready", status: "True", reason: "UpToDate", message },
      { type: "Progressing", status: "False", reason: "Idle", message: "" },
      { type: "Degraded", status: "False", reason: "AsExpected", message: "" },
    ]);
    if (!r.unchanged) {
      await this.deps.recorder.record(job, "Normal", "Derived", `${r.recomputed.length} step(s) recomputed, ${r.chunksRewritten} chunk(s) written${r.recovered ? " (an interrupted update was finished first)" : ""}; ${message}`);
      this.deps.onCommitted?.(dataset);
    }
  }

  private async waiting(job: IngestJob, reason: string, message: string, result: Result): Promise<Result> {
    if (job.status?.conditions?.find((c) => c.type === "Degraded")?.reason !== reason) await this.deps.recorder.record(job, "Warning", reason, message);
    await this.status.write(job, { ...this.kept(job), phase: "Pending" }, blocked(reason, message));
    return result;
  }

  /** A problem only a change of the job (or its Datasets) fixes: recorded, not retried; nothing was written. */
  private async degraded(job: IngestJob, reason: string, message: string): Promise<void> {
    if (job.status?.conditions?.find((c) => c.type === "Degraded")?.message !== message) await this.deps.recorder.record(job, "Warning", reason, message);
    await this.status.write(job, { ...this.kept(job), phase: "Failed" }, blocked(reason, message));
  }
}
