// What the server knows about one kind of resource: names, scope, served versions and the
// schema each version validates against. Built-in kinds and CRDs share this shape.
import type { JSONSchemaProps, PrinterColumn } from "./types.js";

export interface ResourceVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: JSONSchemaProps;
  statusSubresource: boolean;
  printerColumns: PrinterColumn[];
}

export interface ResourceType {
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  versions: ResourceVersion[];
  /** Defined by a CustomResourceDefinition: no strategic-merge patch, updates need a resourceVersion. */
  custom: boolean;
  /** metadata.generation is maintained (CRs and workload kinds; not ConfigMap/Secret/Namespace). */
  hasGeneration: boolean;
  /** Accepted and stored so an environment can be applied; nothing here runs it. */
  storedOnly: boolean;
  /** A built-in stand-in for a third-party CRD (ArgoCD, Dask): a real CRD with these names replaces it. */
  standIn?: boolean;
  /** Create-only and never stored: the request is answered (access reviews, TokenReview). */
  virtual?: boolean;
}

/** Where objects of a type live in the store, independent of the version they were written in. */
export function bucketOf(type: Pick<ResourceType, "group" | "plural">): string {
  return `${type.group}/${type.plural}`;
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function storageVersion(type: ResourceType): ResourceVersion {
  return type.versions.find((v) => v.storage) ?? type.versions[0]!;
}
