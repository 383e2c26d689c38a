// Dataset reconciler: resolves the store, reports its extent in status, owns the CatalogEntry when
// publishing is on, and applies the deletion policy through a finalizer. Commits into the
// aggregation are made by the ingest executor under the store's ledger; this reconciler is
// enqueued after each commit and reports what landed.
import { rm } from "node:fs/promises";
import { openStore } from "../dataplane.js";
import type { CatalogEntry, Dataset, DatasetStatus, IngestJob } from "../../crds/index.js";
import { ensureFinalizer, removeFinalizer, type ResourceClient } from "../client.js";
import { eventTypes, cloudEvent, type EventBus } from "../../events/platform-events.js";
import { StatusWriter, TerminalError, type EventRecorder, type Reconciler, type Request, type Result } from "../runtime/index.js";
import { storeLocation, StorageError, type StorageRoots } from "../storage.js";
import { readExtent } from "./extent.js";

export const datasetFinalizer = "dmac.ioos.us/delete-data";

export interface DatasetReconcilerDeps {
  readonly datasets: ResourceClient<Dataset>;
  readonly catalogEntries: ResourceClient<CatalogEntry>;
  /** To tell an empty store waiting for data from one whose every ingested file failed. */
  readonly ingestJobs?: ResourceClient<IngestJob>;
  readonly recorder: EventRecorder;
  readonly roots: StorageRoots;
  readonly bus: EventBus;
  /** Called when a store changed, so readers (the data API) drop cached chunks. */
  readonly onStoreChanged?: (namespace: string, name: string) => void;
  readonly deleteStore?: (location: string) => Promise<void>;
  readonly now?: () => Date;
}

export function catalogEntryFor(dataset: Dataset): CatalogEntry {
  const { namespace = "default", name, uid = "" } = dataset.metadata;
  const catalog = dataset.spec.catalog;
  return {
    apiVersion: "dmac.ioos.us/v1alpha1",
    kind: "CatalogEntry",
    metadata: {
      name,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "dmac-operator", "dmac.ioos.us/dataset": name },
      ownerReferences: [{ apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      datasetRef: { name },
      collection: {
        id: catalog.collectionId ?? `${namespace}-${name}`.slice(0, 63).replace(/-+$/, ""),
        title: catalog.title ?? name,
        description: catalog.description ?? String(dataset.spec.attributes?.title ?? `${dataset.spec.model} model output, ${dataset.spec.aggregation.type} aggregation`),
        license: catalog.license ?? "proprietary",
        ...(catalog.keywords ? { keywords: catalog.keywords } : {}),
        ...(catalog.providers ? { providers: catalog.providers } : {}),
      },
      itemGranularity: dataset.spec.aggregation.type === "append" ? "dataset" : "model-cycle",
    },
  };
}

export class DatasetReconciler implements Reconciler {
  private readonly status: StatusWriter<DatasetStatus>;

  constructor(private readonly deps: DatasetReconcilerDeps) {
    this.status = new StatusWriter({ patchStatus: (ns, name, status) => deps.datasets.patchStatus(ns, name, status), now: () => this.now(), keep: ["lastCommitTime"] });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile({ namespace = "default", name }: Request): Promise<Result | void> {
    const { datasets, recorder } = this.deps;
    let dataset = await datasets.get(namespace, name);
    if (!dataset) return;
    const generation = dataset.metadata.generation ?? 1;

    let location: string;
    try {
      location = storeLocation(dataset.spec.storage.url, this.deps.roots);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      await this.status.write(dataset, { observedGeneration: generation }, [{ type: "Ready", status: "False", reason: "InvalidStorage", message: error.message }, { type: "Degraded", status: "True", reason: "InvalidStorage", message: error.message }]);
      await recorder.record(dataset, "Warning", "InvalidStorage", error.message);
      // Retrying cannot help: the storage URL must change, and a change re-enqueues the Dataset.
      throw new TerminalError(error.message, "InvalidStorage");
    }

    if (dataset.metadata.deletionTimestamp) {
      if (dataset.spec.deletionPolicy === "Delete" && dataset.metadata.finalizers?.includes(datasetFinalizer)) {
        await (this.deps.deleteStore ?? defaultDeleteStore)(location);
        await recorder.record(dataset, "Normal", "DataDeleted", `deleted ${dataset.spec.storage.url} as deletionPolicy Delete asks`);
      }
      await removeFinalizer(datasets, dataset, datasetFinalizer);
      return;
    }
    // The finalizer exists only to delete data; with Retain the Dataset goes away at once.
    dataset = dataset.spec.deletionPolicy === "Delete" ? await ensureFinalizer(datasets, dataset, datasetFinalizer) : await removeFinalizer(datasets, dataset, datasetFinalizer);

    const extent = await readExtent(await openStore(location));
    let catalogEntryName: string | undefined;
    if (dataset.spec.catalog.enabled) catalogEntryName = await this.ensureCatalogEntry(dataset);

    const status: DatasetStatus = {
      observedGeneration: generation,
      storeUrl: dataset.spec.storage.url,
      ...(extent
        ? {
            extent: { ...(extent.bbox ? { bbox: extent.bbox } : {}), ...(extent.timeStart ? { timeStart: extent.timeStart, timeEnd: extent.timeEnd } : {}) },
            shape: extent.shape,
            timeSteps: extent.timeSteps,
            sizeBytes: extent.sizeBytes,
            storeRevision: extent.revision,
          }
        : {}),
      ...(catalogEntryName ? { catalogEntryName } : {}),
    };
    // A commit is a change of the store's revision (new, replaced or recomputed steps), not only of
    // its length: consumers (derived Datasets, the data API's caches) must hear of a replacement too.
    const committed = extent !== undefined && (dataset.status?.timeSteps !== extent.timeSteps || dataset.status?.storeRevision !== extent.revision);
    if (extent && committed) {
      status.lastCommitTime = this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
      await recorder.record(dataset, "Normal", "AggregationUpdated", `${extent.timeSteps} time steps (${extent.timeStart ?? "?"} to ${extent.timeEnd ?? "?"})`);
      await this.deps.bus.publish(cloudEvent(eventTypes.datasetUpdated, "/dmac/operators/dataset", `${namespace}/${name}`, { storeUrl: dataset.spec.storage.url, timeSteps: extent.timeSteps, timeStart: extent.timeStart, timeEnd: extent.timeEnd }, this.now()));
      this.deps.onStoreChanged?.(namespace, name);
    }
    // An empty store whose IngestJobs have finished with every file failed is not Ready: nothing
    // will arrive until someone fixes the source, and status says why.
    const failed = !extent || extent.timeSteps === 0 ? await this.allIngestFailed(dataset) : undefined;
    if (failed) {
      await this.status.write(dataset, status, [{ type: "Ready", status: "False", reason: "IngestFailed", message: failed }, { type: "Degraded", status: "True", reason: "IngestFailed", message: failed }]);
      return;
    }
    // Ready means reconciled: the storage resolves and status reflects the store. An empty store is
    // Ready too (reason Empty), so a new Dataset and its catalog entry settle before data arrives.
    const ready = extent && extent.timeSteps > 0
      ? { type: "Ready", status: "True" as const, reason: "Committed", message: `${extent.timeSteps} time steps in ${dataset.spec.storage.url}` }
      : { type: "Ready", status: "True" as const, reason: "Empty", message: `no data committed to ${dataset.spec.storage.url} yet` };
    await this.status.write(dataset, status, [ready, { type: "Degraded", status: "False", reason: "AsExpected", message: "" }]);
  }

  /** Why no data will come, when every IngestJob writing into the Dataset has finished and none of its files succeeded. */
  private async allIngestFailed(dataset: Dataset): Promise<string | undefined> {
    const namespace = dataset.metadata.namespace ?? "default";
    const jobs = (await this.deps.ingestJobs?.list(namespace) ?? []).filter((job) => job.spec.datasetRef.name === dataset.metadata.name);
    const finished = (job: IngestJob) => job.status?.items !== undefined && job.status.items.pending === 0 && job.status.items.running === 0;
    if (jobs.length === 0 || !jobs.every((job) => finished(job) && job.status!.items!.succeeded === 0 && job.status!.items!.failed > 0)) return undefined;
    const first = jobs.flatMap((job) => job.status?.recentFailures ?? [])[0];
    const files = jobs.reduce((n, job) => n + (job.status?.items?.failed ?? 0), 0);
    const names = jobs.map((job) => job.metadata.name).join(", ");
    return `no time step committed: all ${files} file(s) of IngestJob ${names} failed${first ? ` (first: ${first.url}: ${first.message})` : ""}`.slice(0, 1024);
  }

  private async ensureCatalogEntry(dataset: Dataset): Promise<string> {
    const desired = catalogEntryFor(dataset);
    const namespace = desired.metadata.namespace ?? "default";
    const existing = await this.deps.catalogEntries.get(namespace, desired.metadata.name);
    if (!existing) {
      await this.deps.catalogEntries.create(desired);
      await this.deps.recorder.record(dataset, "Normal", "CatalogEntryCreated", `created CatalogEntry ${desired.metadata.name} (collection ${desired.spec.collection.id})`);
    } else if (existing.metadata.ownerReferences?.some((o) => o.uid === dataset.metadata.uid) && JSON.stringify(existing.spec) !== JSON.stringify({ ...existing.spec, ...desired.spec })) {
      await this.deps.catalogEntries.patch(namespace, desired.metadata.name, { spec: desired.spec });
    } else if (!existing.metadata.ownerReferences?.some((o) => o.uid === dataset.metadata.uid)) {
      // Never take over an entry someone manages in Git.
      await this.deps.recorder.record(dataset, "Warning", "CatalogEntryExists", `CatalogEntry ${desired.metadata.name} exists and is not owned by this Dataset; leaving it alone`);
    }
    return desired.metadata.name;
  }

}

async function defaultDeleteStore(location: string): Promise<void> {
  if (!location.startsWith("s3://")) {
    await rm(location, { recursive: true, force: true });
    return;
  }
  const url = new URL(location);
  const bucket = url.hostname;
  const prefix = `${url.pathname.replace(/^\//, "").replace(/\/?$/, "/")}`;
  // The AWS SDK loads only when a store on S3 is deleted (`dmac up` keeps its stores in files).
  const [{ createS3Client }, { DeleteObjectsCommand, ListObjectsV2Command }] = await Promise.all([import("../../dataplane/s3-client.js"), import("@aws-sdk/client-s3")]);
  const client = createS3Client();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
