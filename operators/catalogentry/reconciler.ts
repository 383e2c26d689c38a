// CatalogEntry reconciler: builds the STAC Collection (and Items per model cycle when asked) from the
// Dataset it describes and upserts them into the catalog store; a finalizer removes them on deletion.
import { buildCycleItem, buildDatasetCollection, buildStationItem, isCatalogInputError, type CatalogStore } from "../../catalog/index.js";
import type { CatalogEntry, CatalogEntryStatus, Dataset } from "../../crds/index.js";
// The read side of the data plane only (see operators/dataplane.ts).
import { openStore, readConsolidated, stationSummaries } from "../dataplane.js";
import { ensureFinalizer, removeFinalizer, type ResourceClient } from "../client.js";
import { readExtent } from "../dataset/extent.js";
import { cloudEvent, eventTypes, type EventBus } from "../../events/platform-events.js";
import { StatusWriter, TerminalError, type EventRecorder, type Reconciler, type Request, type Result } from "../runtime/index.js";
import { storeLocation, type StorageRoots } from "../storage.js";
import { collectionInput, cycleItemInputs, datasetItemInput, stationItemInputs } from "./stac.js";

export const catalogFinalizer = "dmac.ioos.us/catalog-records";

export interface CatalogEntryReconcilerDeps {
  readonly catalogEntries: ResourceClient<CatalogEntry>;
  readonly datasets: ResourceClient<Dataset>;
  readonly catalog: CatalogStore;
  readonly recorder: EventRecorder;
  readonly roots: StorageRoots;
  readonly bus: EventBus;
  /** Base URL of the STAC API, for status.collectionUrl. */
  readonly catalogApiUrl?: string;
  readonly now?: () => Date;
}

type Condition = { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string };

export class CatalogEntryReconciler implements Reconciler {
  private readonly status: StatusWriter<CatalogEntryStatus>;

  constructor(private readonly deps: CatalogEntryReconcilerDeps) {
    this.status = new StatusWriter({ patchStatus: (ns, name, status) => deps.catalogEntries.patchStatus(ns, name, status), now: () => this.now(), keep: "all" });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async reconcile({ namespace = "default", name }: Request): Promise<Result | void> {
    const { catalogEntries, catalog, recorder } = this.deps;
    let entry = await catalogEntries.get(namespace, name);
    if (!entry) return;
    const published = previousCollectionId(entry);
    if (entry.metadata.deletionTimestamp) {
      for (const id of new Set([entry.spec.collection.id, ...(published ? [published] : [])])) await catalog.deleteCollection(id);
      await removeFinalizer(catalogEntries, entry, catalogFinalizer);
      return;
    }
    entry = await ensureFinalizer(catalogEntries, entry, catalogFinalizer);

    const dataset = await this.deps.datasets.get(namespace, entry.spec.datasetRef.name);
    if (!dataset) {
      await this.status.write(entry, {}, [
        { type: "Ready", status: "False", reason: "DatasetNotFound", message: `Dataset ${entry.spec.datasetRef.name} does not exist in ${namespace}; waiting for it` },
        { type: "Degraded", status: "True", reason: "DatasetNotFound", message: `Dataset ${entry.spec.datasetRef.name} does not exist` },
      ]);
      // The Dataset informer re-enqueues this entry when the Dataset appears; poll slowly as a backstop.
      return { requeueAfterMs: 60_000 };
    }
    const store = await openStore(storeLocation(dataset.spec.storage.url, this.deps.roots));
    // Without data the collection is still published, with an open time interval and a world bbox,
    // so the catalog lists every Dataset from the moment it exists.
    const extent = (await readExtent(store)) ?? { shape: {}, timeSteps: 0, sizeBytes: 0, variables: [], times: [], cycles: [], groups: [], revision: "" };
    let itemCount = 0;
    try {
      const collection = buildDatasetCollection(collectionInput(entry, dataset, extent));
      if (published && published !== entry.spec.collection.id) await catalog.deleteCollection(published);
      await catalog.upsertCollection(collection);
      if (dataset.spec.featureType === "timeSeries") {
        // Station observations: one item per station, whatever itemGranularity says (a station store has no cycles).
        const items = stationItemInputs(entry, dataset, (await stationSummaries(store)) ?? []).map(buildStationItem);
        await catalog.deleteItems(collection.id);
        await catalog.upsertItems(collection.id, items);
        itemCount = items.length;
      } else if (entry.spec.itemGranularity === "model-cycle") {
        const ledger = (await readConsolidated<{ groups?: Record<string, { t: number; cycleMs?: number }[]> }>(store))?.ledger;
        const steps = Object.values(ledger?.groups ?? {}).flat();
        const items = cycleItemInputs(entry, dataset, extent, steps).map(buildCycleItem);
        await catalog.deleteItems(collection.id);
        await catalog.upsertItems(collection.id, items);
        itemCount = items.length;
      } else {
        // One item for the whole store, once it holds data (before that the collection says it all).
        const whole = datasetItemInput(entry, dataset, extent);
        await catalog.deleteItems(collection.id);
        if (whole) await catalog.upsertItems(collection.id, [buildCycleItem(whole)]);
        itemCount = whole ? 1 : 0;
      }
    } catch (error) {
      if (!isCatalogInputError(error)) throw error;
      const message = `cannot build STAC records: ${error.message}`;
      await recorder.record(entry, "Warning", "InvalidCatalogRecord", message);
      await this.status.write(entry, {}, [{ type: "Ready", status: "False", reason: "InvalidCatalogRecord", message }, { type: "Degraded", status: "True", reason: "InvalidCatalogRecord", message }]);
      // Retrying cannot help until the entry or its Dataset changes, which re-enqueues it.
      throw new TerminalError(message, "InvalidCatalogRecord");
    }
    const changed = entry.status?.itemCount !== itemCount || published !== entry.spec.collection.id || entry.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True";
    const status: CatalogEntryStatus = {
      collectionUrl: `${this.deps.catalogApiUrl ?? "stac:"}${this.deps.catalogApiUrl ? "/collections/" : ""}${entry.spec.collection.id}`,
      itemCount,
      ...(changed || !entry.status?.lastPublishTime ? { lastPublishTime: this.now().toISOString().replace(/\.\d{3}Z$/, "Z") } : { lastPublishTime: entry.status.lastPublishTime }),
    };
    if (changed) {
      await recorder.record(entry, "Normal", "Published", `collection ${entry.spec.collection.id} with ${itemCount} items`);
      await this.deps.bus.publish(cloudEvent(eventTypes.metadataNew, "/dmac/operators/catalogentry", `${namespace}/${name}`, { collectionId: entry.spec.collection.id, itemCount }, this.now()));
    }
    await this.status.write(entry, status, [
      { type: "Ready", status: "True", reason: "Published", message: `collection ${entry.spec.collection.id} published with ${itemCount} items${extent.timeSteps === 0 ? " (no data yet)" : ""}` },
      { type: "Degraded", status: "False", reason: "AsExpected", message: "" },
    ]);
  }

}

/** The collection id last published, read back from status (so a renamed id removes the old record). */
function previousCollectionId(entry: CatalogEntry): string | undefined {
  const url = entry.status?.collectionUrl;
  return url ? url.split(/[/:]/).pop() : undefined;
}
