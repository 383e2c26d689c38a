// The API in one place: every kind we serve, and the Kubernetes object shapes built from them.
import { catalogEntryKind, type CatalogEntrySpec, type CatalogEntryStatus } from "./catalogentry.js";
import type { KindDefinition } from "./common.js";
import { datasetKind, type DatasetSpec, type DatasetStatus } from "./dataset.js";
import { ingestJobKind, type IngestJobSpec, type IngestJobStatus } from "./ingestjob.js";

export * from "./common.js";
export * from "./ingestjob.js";
export * from "./dataset.js";
export * from "./catalogentry.js";

export const kinds: readonly KindDefinition[] = [ingestJobKind, datasetKind, catalogEntryKind];

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
}

export interface CustomResource<Kind extends string, Spec, Status> {
  apiVersion: "dmac.ioos.us/v1alpha1";
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type IngestJob = CustomResource<"IngestJob", IngestJobSpec, IngestJobStatus>;
export type Dataset = CustomResource<"Dataset", DatasetSpec, DatasetStatus>;
export type CatalogEntry = CustomResource<"CatalogEntry", CatalogEntrySpec, CatalogEntryStatus>;
export type AnyDmacResource = IngestJob | Dataset | CatalogEntry;
