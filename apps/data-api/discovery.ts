// Dataset discovery: in a cluster the data API learns its collections from Dataset resources, with
// read-only RBAC (get/list/watch on datasets). An informer (kube/informer.ts: list+watch, liveness
// guard, resync) keeps a cache; every event enqueues the object's key and one reconcile per key
// compares what the Dataset says now with what the registry serves (level-based, like a controller):
// - served: Ready=True with a status.storeUrl, and not an empty store (status.timeSteps 0);
// - the collection id is "<namespace>-<name>", as `dmac up` and the catalog's default collection id;
// - a new store is opened once before it counts as served; one that cannot be opened is logged,
//   removed from the registry and retried on the next change or resync;
// - new data (status.timeSteps or lastCommitTime changed) invalidates the caches, as the
//   operator's dataset.updated event does; a changed storeUrl reopens the store.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Dataset } from "../../crds/index.js";
import { storeLocationUnder } from "../../dataplane/index.js";
import { Informer, type InformerEvent } from "../../kube/informer.js";
import { objectKey, type Runnable } from "../../kube/types.js";
import { DATASET_ID, type DatasetRegistry } from "./registry.js";

export type DiscoveryLog = (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;

export interface DiscoveryOptions {
  readonly kubeConfig: KubeConfig;
  readonly registry: DatasetRegistry;
  /** file:// storeUrls resolve under this directory, as the operator's --storage-root. */
  readonly storageRoot: string;
  /** Watch one namespace; all namespaces when absent. */
  readonly namespace?: string;
  /** Re-check every Dataset this often, retrying stores that failed to open (default 60 s; 0 = never). */
  readonly resyncMs?: number;
  readonly log?: DiscoveryLog;
}

/** The collection id a Dataset is served under (the catalog's default collection id). */
export function collectionIdFor(namespace: string, name: string): string {
  return `${namespace}-${name}`.slice(0, 63).replace(/-+$/, "");
}

interface Wanted {
  readonly id: string;
  readonly url: string;
  /** Changes when the Dataset reports new data. */
  readonly commit: string;
}

/** What the registry should serve for this Dataset, or why nothing. */
export function wantedFor(dataset: Dataset, storageRoot: string): Wanted | { readonly skip: string } {
  const ready = dataset.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True") return { skip: "not Ready" };
  const storeUrl = dataset.status?.storeUrl;
  if (storeUrl === undefined || storeUrl === "") return { skip: "no status.storeUrl" };
  if (dataset.status?.timeSteps === 0) return { skip: "no data committed yet" };
  const id = collectionIdFor(dataset.metadata.namespace ?? "default", dataset.metadata.name);
  if (!DATASET_ID.test(id)) return { skip: `collection id ${JSON.stringify(id)} is not a valid id` };
  let url: string;
  try {
    url = /^https?:\/\//.test(storeUrl) ? storeUrl : storeLocationUnder(storeUrl, storageRoot);
  } catch (error) {
    return { skip: `status.storeUrl: ${(error as Error).message}` };
  }
  return { id, url, commit: `${dataset.status?.timeSteps ?? ""}|${dataset.status?.lastCommitTime ?? ""}` };
}

export class DatasetDiscovery implements Runnable {
  readonly name = "data-api/dataset-discovery";
  private readonly informer: Informer<Dataset>;
  /** key -> what is served for it. */
  private readonly served = new Map<string, Wanted>();
  /** key -> what failed to open (retried when the Dataset changes, or on resync). */
  private readonly failed = new Map<string, Wanted>();
  /** One reconcile at a time per key, in event order. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly log: DiscoveryLog;

  constructor(private readonly options: DiscoveryOptions) {
    this.log = options.log ?? (() => undefined);
    this.informer = new Informer<Dataset>(options.kubeConfig, {
      apiVersion: "dmac.ioos.us/v1alpha1",
      kind: "Dataset",
      path: "/apis/dmac.ioos.us/v1alpha1/datasets",
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      resyncMs: options.resyncMs ?? 60_000,
      log: this.log,
    });
    this.informer.on((event, dataset) => this.enqueue(objectKey(dataset), event));
  }

  /** True once the first list has been received (the data API's /readyz). */
  get hasSynced(): boolean {
    return this.informer.hasSynced;
  }

  /** Resolves when every reconcile enqueued so far has finished (tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values());
  }

  start(signal: AbortSignal): Promise<void> {
    return this.informer.start(signal);
  }

  private enqueue(key: string, event: InformerEvent): void {
    const previous = this.pending.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcile(key, event === "resync"))
      .catch((error: unknown) => this.log("warn", "dataset discovery failed", { dataset: key, error: String(error) }))
      .finally(() => {
        if (this.pending.get(key) === next) this.pending.delete(key);
      });
    this.pending.set(key, next);
  }

  private async reconcile(key: string, retryFailed: boolean): Promise<void> {
    const dataset = this.informer.get(key);
    const wanted = dataset === undefined ? { skip: "deleted" } : wantedFor(dataset, this.options.storageRoot);
    const current = this.served.get(key);
    if ("skip" in wanted) {
      this.failed.delete(key);
      if (current === undefined) return;
      this.drop(key, current);
      this.log("info", "collection dropped", { dataset: key, collection: current.id, reason: wanted.skip });
      return;
    }
    if (current !== undefined && current.id === wanted.id && current.url === wanted.url) {
      if (current.commit !== wanted.commit) {
        this.options.registry.invalidate(wanted.id);
        this.served.set(key, wanted);
      }
      return;
    }
    const failedBefore = this.failed.get(key);
    if (!retryFailed && failedBefore !== undefined && sameWanted(failedBefore, wanted)) return;
    const owner = [...this.served].find(([other, w]) => other !== key && w.id === wanted.id)?.[0];
    if (owner !== undefined) {
      this.log("warn", "collection id already served for another Dataset; not serving this one", { dataset: key, collection: wanted.id, servedFor: owner });
      return;
    }
    if (current !== undefined && current.id !== wanted.id) this.drop(key, current);
    await this.serve(key, wanted);
  }

  private async serve(key: string, wanted: Wanted): Promise<void> {
    const { registry } = this.options;
    registry.add({ id: wanted.id, url: wanted.url });
    this.served.set(key, wanted);
    try {
      await registry.get(wanted.id);
    } catch (error) {
      // Only if nothing newer replaced it meanwhile.
      if (this.served.get(key) === wanted) this.drop(key, wanted);
      this.failed.set(key, wanted);
      this.log("warn", "store cannot be opened; collection not served", { dataset: key, collection: wanted.id, storeUrl: wanted.url, error: String(error) });
      return;
    }
    this.failed.delete(key);
    this.log("info", "collection served", { dataset: key, collection: wanted.id, storeUrl: wanted.url });
  }

  private drop(key: string, served: Wanted): void {
    this.served.delete(key);
    this.options.registry.remove(served.id);
  }
}

function sameWanted(a: Wanted, b: Wanted): boolean {
  return a.id === b.id && a.url === b.url && a.commit === b.commit;
}
