// Assembles the operator: informers over our three kinds, one controller per kind, the local ingest
// runner, and the manager that runs them with leader election, probes and graceful shutdown.
import type { KubeConfig } from "@kubernetes/client-node";
import type { CatalogStore } from "../catalog/index.js";
import { group, version, type CatalogEntry, type Dataset, type IngestJob } from "../crds/index.js";
import type { IngestProgress } from "../dataplane/index.js";
import { CatalogEntryReconciler } from "./catalogentry/reconciler.js";
import { catalogEntries, datasets, ingestJobs, ResourceClient } from "./client.js";
import { DatasetReconciler } from "./dataset/reconciler.js";
import { secretReader } from "./ingestjob/credentials.js";
import { IngestJobReconciler } from "./ingestjob/reconciler.js";
import { DerivedJobReconciler, derivedJobsOf, followDatasetUpdates } from "./ingestjob/derived.js";
import { LocalIngestRunner, type BatchReport, type BatchRequest } from "./ingestjob/runner.js";
import { cloudEvent, eventTypes, InProcessEventBus, operatorHandoffQueueName, type EventBus } from "../events/platform-events.js";
import { DataNewHandoff } from "./ingestjob/handoff.js";
import { Controller, EventRecorder, Informer, Manager, objectKey, specOrMetadataChanged, type Logger, type Runnable } from "./runtime/index.js";
import type { StorageRoots } from "./storage.js";
import { reportForbidden } from "./runtime/forbidden.js";
import { withSharedConnections } from "./runtime/kubeconfig.js";

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly roots: StorageRoots;
  readonly catalog: CatalogStore;
  readonly bus?: EventBus;
  /** This replica's identity (pod name); also the Event reportingInstance. */
  readonly identity: string;
  readonly leaderElection?: { namespace: string; leaseName?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  readonly probePort?: number;
  /** Interface of the probe and metrics port: 127.0.0.1 by default (`dmac up`); a pod needs 0.0.0.0 for the kubelet (`dmac operator`). */
  readonly probeHost?: string;
  readonly workers?: number;
  readonly resyncMs?: number;
  readonly catalogApiUrl?: string;
  /** How often a running DaskJob's status is read. */
  readonly daskPollMs?: number;
  readonly onProgress?: (jobKey: string, progress: IngestProgress) => void;
  readonly onBatchDone?: (request: BatchRequest, report: BatchReport) => void;
  readonly onStoreChanged?: (namespace: string, name: string) => void;
}

export interface Operator {
  readonly manager: Manager;
  readonly bus: EventBus;
  readonly runner: LocalIngestRunner;
  /** Consumes data.new (the event bridge's handoff) into item ledgers, on the leader. */
  readonly handoff: DataNewHandoff;
  start(signal: AbortSignal): Promise<void>;
}

function informerFor<T extends IngestJob | Dataset | CatalogEntry>(kubeConfig: KubeConfig, kind: string, plural: string, options: OperatorOptions): Informer<T> {
  return new Informer<T>(kubeConfig, {
    apiVersion: `${group}/${version}`,
    kind,
    path: `/apis/${group}/${version}/${plural}`,
    resyncMs: options.resyncMs ?? 5 * 60_000,
    log: (level, message, fields) => options.log[level](fields ?? {}, message),
  });
}

export function createOperator(options: OperatorOptions): Operator {
  const { log } = options;
  // Every API client of this operator shares one connection pool (see runtime/kubeconfig.ts).
  const kubeConfig = withSharedConnections(options.kubeConfig);
  const bus = options.bus ?? new InProcessEventBus();
  const manager = new Manager({
    kubeConfig,
    log,
    identity: options.identity,
    ...(options.probePort !== undefined ? { probePort: options.probePort, probeHost: options.probeHost ?? "127.0.0.1" } : {}),
    ...(options.leaderElection ? { leaderElection: { leaseName: "dmac-operator", ...options.leaderElection } } : {}),
  });
  // Warnings are also the platform's log events (us.ioos.dmac.log): failures a subscriber can act on.
  const recorder = new EventRecorder(kubeConfig, {
    component: "dmac-operator",
    instance: options.identity,
    log,
    onRecord: (object, type, reason, message) => {
      if (type !== "Warning") return;
      const subject = `${object.metadata.namespace ?? "default"}/${object.metadata.name ?? ""}`;
      void bus.publish(cloudEvent(eventTypes.log, "/dmac/operator", subject, { kind: object.kind ?? "", reason, message, severity: "warning" })).catch((err: unknown) => log.warn({ err: String(err) }, "could not publish a log event"));
    },
  });
  const clients = {
    ingestJobs: new ResourceClient(kubeConfig, ingestJobs),
    datasets: new ResourceClient(kubeConfig, datasets),
    catalogEntries: new ResourceClient(kubeConfig, catalogEntries),
  };
  const jobInformer = manager.addInformer(informerFor<IngestJob>(kubeConfig, "IngestJob", "ingestjobs", options));
  const datasetInformer = manager.addInformer(informerFor<Dataset>(kubeConfig, "Dataset", "datasets", options));
  const entryInformer = manager.addInformer(informerFor<CatalogEntry>(kubeConfig, "CatalogEntry", "catalogentries", options));
  // A Dataset gone from the API (its store deleted first under deletionPolicy Delete). Every replica's
  // informer sees it; the id is the object's uid, so subscribers drop the repeats.
  datasetInformer.on((event, dataset) => {
    if (event !== "delete") return;
    const subject = `${dataset.metadata.namespace ?? "default"}/${dataset.metadata.name}`;
    void bus.publish(cloudEvent(eventTypes.datasetDeleted, "/dmac/operators/dataset", subject, { storeUrl: dataset.spec.storage.url, deletionPolicy: dataset.spec.deletionPolicy }, new Date(), `dataset-deleted-${dataset.metadata.uid ?? subject}`))
      .catch((err: unknown) => log.warn({ err: String(err), dataset: subject }, "could not publish dataset.deleted"));
  });
  const workers = options.workers ?? 4;
  const controller = (name: string, reconciler: ConstructorParameters<typeof Controller>[0]["reconciler"], onError: (key: string, error: unknown) => Promise<void>) =>
    manager.addController(new Controller({ name, reconciler, workers, metrics: manager.metrics, log, onError }));

  let ingestController: Controller | undefined;
  let datasetController: Controller | undefined;
  const runner = new LocalIngestRunner({
    inputRoot: options.roots.inputRoot,
    kubeConfig,
    ...(options.daskPollMs ? { daskPollMs: options.daskPollMs } : {}),
    onDaskJob: (jobKey, name, status) => {
      const job = jobInformer.get(jobKey);
      if (job) void recorder.record(job, status === "Failed" ? "Warning" : "Normal", status === undefined ? "DaskJobCreated" : `DaskJob${status}`, `DaskJob ${name}${status ? `: ${status}` : " created"}`);
      ingestController?.enqueue(jobKey);
    },
    log,
    onProgress: options.onProgress,
    onBatchDone: (request, report) => {
      manager.metrics.workItems.set({ namespace: request.job.metadata.namespace ?? "default", ingestjob: request.job.metadata.name, state: "last_batch_failed" }, report.failed.length);
      for (const failure of report.failed) void recorder.record(request.job, "Warning", failure.reason === "Refused" ? "FileRefused" : "FileFailed", `${failure.url}: ${failure.message}`);
      ingestController?.enqueue(request.jobKey);
      datasetController?.enqueue(objectKey(request.dataset));
      options.onBatchDone?.(request, report);
    },
  });

  const derived = new DerivedJobReconciler({
    ...clients, recorder, roots: options.roots,
    onCommitted: (dataset) => datasetController?.enqueue(objectKey(dataset)),
    // Loaded with the first dask-executor update: the derive task builder is data-plane code.
    daskCompute: (job, source, target) => async (work) => {
      const [{ daskCompute }, { derivedDaskRunner }] = await Promise.all([import("../dataplane/transform/task.js"), import("./ingestjob/derived-dask.js")]);
      const onJobStatus = (name: string, status: string | undefined) => void recorder.record(job, status === "Failed" ? "Warning" : "Normal", status === undefined ? "DaskJobCreated" : `DaskJob${status}`, `DaskJob ${name}${status ? `: ${status}` : " created"}`);
      return daskCompute(source, target, derivedDaskRunner({ kubeConfig, job, target, ...(options.daskPollMs ? { pollMs: options.daskPollMs } : {}), onJobStatus }))(work);
    },
  });
  ingestController = controller("ingestjob", new IngestJobReconciler({ ...clients, runner, recorder, roots: options.roots, secrets: secretReader(kubeConfig), derived }), reportForbidden((key) => jobInformer.get(key), clients.ingestJobs, recorder));
  // Own status writes wake nobody; batches, DaskJobs and schedules re-enqueue the job themselves.
  ingestController.watches(jobInformer, undefined, specOrMetadataChanged);
  // A Dataset appearing or changing wakes the jobs that write into it, and the derived jobs reading it.
  ingestController.watches(datasetInformer, (dataset) => [
    ...jobInformer.list().filter((job) => job.metadata.namespace === dataset.metadata.namespace && job.spec.datasetRef.name === dataset.metadata.name).map(objectKey),
    ...derivedJobsOf(jobInformer.list(), dataset.metadata.namespace ?? "default", dataset.metadata.name),
  ]);
  // With a bus between processes, a source's dataset.updated event is the quicker wake-up.
  followDatasetUpdates(bus, () => jobInformer.list(), (key) => ingestController?.enqueue(key));

  const handoff = new DataNewHandoff({
    bus,
    queue: operatorHandoffQueueName,
    job: (key) => jobInformer.get(key),
    dataset: (key) => datasetInformer.get(key),
    roots: options.roots,
    secrets: secretReader(kubeConfig),
    recorder,
    log,
    enqueue: (key) => ingestController?.enqueue(key),
  });
  manager.addLeaderRunnable(handoff);

  datasetController = controller("dataset", new DatasetReconciler({ ...clients, recorder, roots: options.roots, bus, ...(options.onStoreChanged ? { onStoreChanged: options.onStoreChanged } : {}) }), reportForbidden((key) => datasetInformer.get(key), clients.datasets, recorder));
  datasetController.watches(datasetInformer, undefined, specOrMetadataChanged);
  // A job finishing (or changing phase) decides whether an empty Dataset is waiting or failed.
  datasetController.watches(jobInformer, (job) => [`${job.metadata.namespace ?? "default"}/${job.spec.datasetRef.name}`], (_event, job, previous) => job.status?.phase !== previous?.status?.phase);
  datasetController.watches(entryInformer, (entry) => (entry.metadata.ownerReferences ?? []).filter((o) => o.kind === "Dataset").map((o) => `${entry.metadata.namespace}/${o.name}`));

  const entryController = controller("catalogentry", new CatalogEntryReconciler({ ...clients, catalog: options.catalog, recorder, roots: options.roots, bus, ...(options.catalogApiUrl ? { catalogApiUrl: options.catalogApiUrl } : {}) }), reportForbidden((key) => entryInformer.get(key), clients.catalogEntries, recorder));
  entryController.watches(entryInformer, undefined, specOrMetadataChanged);
  entryController.watches(datasetInformer, (dataset) =>
    entryInformer.list().filter((entry) => entry.metadata.namespace === dataset.metadata.namespace && entry.spec.datasetRef.name === dataset.metadata.name).map(objectKey));

  // On shutdown, batches in flight finish (their commits are atomic) before the process exits.
  const drain: Runnable = {
    name: "ingest-runner",
    start: (signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => void runner.drain().then(resolve), { once: true })),
  };
  manager.addRunnable(drain);
  return {
    manager,
    bus,
    runner,
    handoff,
    start: async (signal) => {
      try {
        await manager.start(signal);
      } finally {
        await kubeConfig.closeConnections();
      }
    },
  };
}
