// Typed access to our custom resources through @kubernetes/client-node's CustomObjectsApi.
// Patch types are always explicit (client-node defaults CustomObjectsApi patches to JSON Patch);
// status goes through /status so a reconciler can never overwrite a user's spec change.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { group, version, type CatalogEntry, type Dataset, type IngestJob } from "../crds/index.js";
import { isNotFound } from "./runtime/errors.js";

export interface KindInfo<T> {
  readonly kind: T extends { kind: infer K } ? K : string;
  readonly plural: string;
}

export const ingestJobs: KindInfo<IngestJob> = { kind: "IngestJob", plural: "ingestjobs" };
export const datasets: KindInfo<Dataset> = { kind: "Dataset", plural: "datasets" };
export const catalogEntries: KindInfo<CatalogEntry> = { kind: "CatalogEntry", plural: "catalogentries" };

type Any = IngestJob | Dataset | CatalogEntry;

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export class ResourceClient<T extends Any> {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, private readonly info: KindInfo<T>, private readonly fieldManager = "dmac-operator") {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  get path(): string {
    return `/apis/${group}/${version}/${this.info.plural}`;
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ group, version, namespace, plural: this.info.plural, name })) as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every object of this kind, in all namespaces or one. */
  async list(namespace?: string): Promise<T[]> {
    const response = (namespace
      ? await this.api.listNamespacedCustomObject({ group, version, namespace, plural: this.info.plural })
      : await this.api.listClusterCustomObject({ group, version, plural: this.info.plural })) as { items: T[] };
    return response.items;
  }

  async create(object: T): Promise<T> {
    const namespace = object.metadata.namespace ?? "default";
    return (await this.api.createNamespacedCustomObject({ group, version, namespace, plural: this.info.plural, body: object, fieldManager: this.fieldManager })) as T;
  }

  /** Merge-patches the spec/metadata of an object (never its status). */
  async patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<T> {
    return (await this.api.patchNamespacedCustomObject({ group, version, namespace, plural: this.info.plural, name, body: patch, fieldManager: this.fieldManager }, mergePatch)) as T;
  }

  /** Merge-patches status through the /status subresource. */
  async patchStatus(namespace: string, name: string, status: NonNullable<T["status"]>): Promise<T> {
    return (await this.api.patchNamespacedCustomObjectStatus({ group, version, namespace, plural: this.info.plural, name, body: { status }, fieldManager: this.fieldManager }, mergePatch)) as T;
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.api.deleteNamespacedCustomObject({ group, version, namespace, plural: this.info.plural, name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Sets metadata.finalizers with the object's resourceVersion as a precondition, so a concurrent
   * change is a 409 (retried by the controller) rather than a lost finalizer.
   */
  async setFinalizers(object: T, finalizers: string[]): Promise<T> {
    const { namespace = "default", name, resourceVersion } = object.metadata;
    return this.patch(namespace, name, { metadata: { finalizers, resourceVersion } });
  }
}

export async function ensureFinalizer<T extends Any>(client: ResourceClient<T>, object: T, finalizer: string): Promise<T> {
  const current = object.metadata.finalizers ?? [];
  if (current.includes(finalizer)) return object;
  return client.setFinalizers(object, [...current, finalizer]);
}

export async function removeFinalizer<T extends Any>(client: ResourceClient<T>, object: T, finalizer: string): Promise<T> {
  const current = object.metadata.finalizers ?? [];
  if (!current.includes(finalizer)) return object;
  return client.setFinalizers(object, current.filter((f) => f !== finalizer));
}
