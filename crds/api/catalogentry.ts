// CatalogEntry: the STAC records that describe a Dataset.
import { Type, type Static } from "@sinclair/typebox";
import {
  LocalObjectReference, Timestamp, ageColumn, dns1123Label, object, readyColumn, reasonColumn, statusWith,
  stringEnum, stringMap, cel, type KindDefinition,
} from "./common.js";
import { Provider } from "./dataset.js";

const Href = Type.String({ pattern: "^(https?|s3|file)://[^\\s]+$|^/[^\\s]*$", maxLength: 2048 });

export const Link = object({
  rel: Type.String({ minLength: 1, maxLength: 128, description: "Relation type, e.g. license, about, via." }),
  href: Href,
  type: Type.Optional(Type.String({ maxLength: 256, description: "Media type." })),
  title: Type.Optional(Type.String({ maxLength: 256 })),
});

export const Asset = object({
  href: Href,
  type: Type.Optional(Type.String({ maxLength: 256 })),
  title: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 4096 })),
  roles: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16, "x-kubernetes-list-type": "set" })),
});

export const CatalogEntrySpec = object({
  datasetRef: LocalObjectReference,
  collection: object({
    id: Type.String({ pattern: dns1123Label, maxLength: 63, description: "STAC collection id, unique in the catalog." }),
    title: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.String({ minLength: 1, maxLength: 16384, description: "CommonMark description." }),
    license: Type.String({ pattern: "^([A-Za-z0-9.+-]+|proprietary|various|other)$", maxLength: 128, description: "SPDX license identifier." }),
    keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 64, "x-kubernetes-list-type": "set" })),
    providers: Type.Optional(Type.Array(Provider, { maxItems: 16 })),
  }),
  itemGranularity: stringEnum(["dataset", "model-cycle"] as const, { default: "dataset", description: "One STAC Item for the whole dataset, or one per model cycle." }),
  links: Type.Optional(Type.Array(Link, { maxItems: 64, description: "Extra links added to the collection." })),
  assets: Type.Optional(stringMap(Asset, {
    maxProperties: 64,
    description: "Extra collection assets by key.",
    ...cel({ rule: "self.all(key, key.matches('^[A-Za-z0-9_.-]+$'))", message: "asset keys may contain only letters, digits, '_', '.' and '-'" }),
  })),
});
export type CatalogEntrySpec = Static<typeof CatalogEntrySpec>;

export const CatalogEntryStatus = statusWith({
  collectionUrl: Type.Optional(Type.String({ maxLength: 2048, description: "Where the collection is served by the catalog API." })),
  itemCount: Type.Optional(Type.Integer({ minimum: 0 })),
  lastPublishTime: Type.Optional(Timestamp),
});
export type CatalogEntryStatus = Static<typeof CatalogEntryStatus>;

export const catalogEntryKind: KindDefinition = {
  kind: "CatalogEntry",
  plural: "catalogentries",
  singular: "catalogentry",
  shortNames: ["ce"],
  description: "CatalogEntry publishes STAC records (a Collection and optionally Items per model cycle) for a Dataset.",
  spec: CatalogEntrySpec,
  status: CatalogEntryStatus,
  printerColumns: [
    readyColumn,
    { name: "Dataset", type: "string", jsonPath: ".spec.datasetRef.name" },
    { name: "Collection", type: "string", jsonPath: ".spec.collection.id" },
    { name: "Items", type: "integer", jsonPath: ".status.itemCount" },
    reasonColumn,
    ageColumn,
  ],
};
