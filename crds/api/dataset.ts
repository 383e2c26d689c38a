// Dataset: a Zarr store kept as an aggregation of ingested files, and how it is published.
import { Type, type Static } from "@sinclair/typebox";
import {
  Timestamp, ageColumn, cel, dns1123Label, netcdfName, object, readyColumn, reasonColumn,
  statusWith, stringEnum, stringMap, type KindDefinition,
} from "./common.js";

export const aggregationTypes = ["append", "model-run", "best-forecast"] as const;
export const modelFamilies = ["roms", "fvcom", "selfe", "rtofs", "generic"] as const;
export const codecs = ["blosc-lz4", "zlib", "zstd"] as const;
/** CF featureType of what a Dataset holds: model grids, or station time series (CF DSG timeSeries). */
export const featureTypes = ["grid", "timeSeries", "trajectory"] as const;

export const Dimension = object({
  name: Type.String({ pattern: netcdfName, maxLength: 256, description: "Dimension name as in the source files." }),
  size: Type.Optional(Type.Integer({ minimum: 1, description: "Expected length; a file with another length (or without this dimension) is refused, naming the dimension, the expected and the found length. Along the concat dimension it is the steps every file must hold." })),
  chunk: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: "Chunk length along this dimension in the Zarr store." })),
});

export const Provider = object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  roles: Type.Optional(Type.Array(stringEnum(["licensor", "producer", "processor", "host"] as const), { maxItems: 4, "x-kubernetes-list-type": "set" })),
  url: Type.Optional(Type.String({ pattern: "^https?://[^\\s]+$", maxLength: 2048 })),
  description: Type.Optional(Type.String({ maxLength: 4096 })),
});

export const CatalogPublishing = object(
  {
    enabled: Type.Boolean({ default: true, description: "Create and own a CatalogEntry describing this Dataset." }),
    collectionId: Type.Optional(Type.String({ pattern: dns1123Label, maxLength: 63, description: "STAC collection id; defaults to <namespace>-<name>." })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "Collection title; defaults to the Dataset's name." })),
    description: Type.Optional(Type.String({ maxLength: 16384, description: "CommonMark description of the collection." })),
    license: Type.Optional(Type.String({ pattern: "^([A-Za-z0-9.+-]+|proprietary|various|other)$", maxLength: 128, description: "SPDX license identifier, e.g. CC0-1.0." })),
    keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 64, "x-kubernetes-list-type": "set" })),
    providers: Type.Optional(Type.Array(Provider, { maxItems: 16 })),
  },
  {
    default: {},
    description: "Whether and how the Dataset appears in the STAC catalog.",
    // A catalog record without a license misleads users; there is no safe default to invent.
    ...cel({ rule: "!self.enabled || has(self.license)", message: "license is required when publishing is enabled (or set enabled: false)", fieldPath: ".license", reason: "FieldValueRequired" }),
  },
);

export const DatasetSpec = object({
  storage: object({
    url: Type.String({ pattern: "^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?|file:///[^\\s]*)$", maxLength: 2048, description: "Where the Zarr store lives: s3://bucket/prefix/name.zarr, or file:///path/name.zarr (resolved under the operator's storage root, never outside it)." }),
    format: stringEnum(["zarr-v2", "zarr-v3"] as const, { default: "zarr-v2", description: "Zarr format, fixed when the store is created: zarr-v2 (consolidated .zmetadata; what xarray with zarr-python 2 reads) or zarr-v3 (consolidated metadata inline in the root zarr.json; zarr-python 3). NetCDF char variables (FVCOM Times) have no v3 core data type: such files need zarr-v2." }),
  }, { description: "Where the store lives and its format. An s3:// store is written with the operator's own identity (its pod's role; AWS_ENDPOINT_URL_S3 for an S3-compatible endpoint)." }),
  // Optional in the TypeScript type (objects written before the field read as grid); the API server defaults it.
  featureType: Type.Optional(stringEnum(featureTypes, { default: "grid", description: "What the store holds. grid: model output aggregated along time (NetCDF grids). timeSeries: station observations (CF Discrete Sampling Geometries featureType timeSeries in any of the three layouts, or ERDDAP tabledap CSV) kept as one station x time store with QARTOD flags beside each variable (docs/observations.md); append aggregation only. trajectory (gliders) is not supported yet and is refused." })),
  model: stringEnum(modelFamilies, { default: "generic", description: "Model family: which grid variables an IngestJob's variables selection keeps beside those CF attributes name (roms: the mask_<grid> land masks; fvcom: the nv triangle table), and the STAC dmac:model property." }),
  dimensions: Type.Optional(Type.Array(Dimension, {
    maxItems: 32, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
    description: "Expected dimensions, with sizes and chunk lengths.",
  })),
  aggregation: object(
    {
      type: stringEnum(aggregationTypes, { description: "append: concatenate along time; model-run: one forecast cycle; best-forecast: for each valid time the smallest lead." }),
      concatDim: Type.String({ pattern: netcdfName, maxLength: 256, description: "Dimension files are combined along (ocean_time for ROMS, time for FVCOM, MT for RTOFS)." }),
      identicalDims: Type.Optional(Type.Array(Type.String({ pattern: netcdfName, maxLength: 256 }), {
        maxItems: 32, "x-kubernetes-list-type": "set", description: "Dimensions (and their coordinates) every file must share exactly.",
      })),
      cycle: Type.Optional(Type.String({ format: "date-time", description: "model-run only: the forecast cycle the store holds (e.g. 2023-10-22T00:00:00Z); files of other cycles are skipped (reported, not failed). Fixed once the store holds data." })),
      runType: Type.Optional(stringEnum(["forecast", "nowcast"] as const, { description: "model-run only: keep only forecast or only nowcast files; the others are skipped. Without it both are kept, each in its group." })),
    },
    {
      ...cel(
        { rule: "self.type == 'model-run' || (!has(self.cycle) && !has(self.runType))", message: "cycle and runType apply only to the model-run aggregation", fieldPath: ".cycle", reason: "FieldValueForbidden" },
        { rule: "self.type != 'model-run' || has(self.cycle)", message: "cycle is required for the model-run aggregation", fieldPath: ".cycle", reason: "FieldValueRequired" },
        { rule: "!has(self.identicalDims) || !(self.concatDim in self.identicalDims)", message: "concatDim cannot also be an identical dimension", fieldPath: ".identicalDims" },
      ),
    },
  ),
  encoding: object(
    {
      codec: stringEnum(codecs, { default: "blosc-lz4", description: "Compressor for the Zarr chunks." }),
      level: Type.Integer({ minimum: 1, maximum: 22, default: 5, description: "Compression level (zlib 1-9, blosc 1-9, zstd 1-22)." }),
    },
    {
      default: {},
      ...cel({ rule: "self.codec == 'zstd' || self.level <= 9", message: "level must be between 1 and 9 for zlib and blosc codecs", fieldPath: ".level" }),
    },
  ),
  attributes: Type.Optional(stringMap(Type.String({ maxLength: 16384 }), {
    description: "CF global attributes that override those of the source files (e.g. title, institution, references).",
    maxProperties: 128,
  })),
  catalog: CatalogPublishing,
  deletionPolicy: stringEnum(["Retain", "Delete"] as const, { default: "Retain", description: "What happens to the Zarr store when the Dataset is deleted." }),
}, {
  ...cel(
    { rule: "self.featureType != 'trajectory'", message: "featureType trajectory (glider tracks) is not supported yet: use grid or timeSeries", fieldPath: ".featureType", reason: "FieldValueForbidden" },
    { rule: "self.featureType != 'timeSeries' || self.aggregation.type == 'append'", message: "featureType timeSeries (station observations) takes only the append aggregation", fieldPath: ".aggregation.type", reason: "FieldValueForbidden" },
    { rule: "self.featureType != 'timeSeries' || self.storage.format == 'zarr-v2'", message: "featureType timeSeries stores are zarr-v2 (station ids and names are fixed-width strings, which Zarr v3 has no core type for)", fieldPath: ".storage.format", reason: "FieldValueForbidden" },
    { rule: "self.featureType != 'timeSeries' || !has(self.dimensions)", message: "dimensions do not apply to featureType timeSeries: the store is station x time, chunked one station per chunk", fieldPath: ".dimensions", reason: "FieldValueForbidden" },
  ),
});
export type DatasetSpec = Static<typeof DatasetSpec>;

export const DatasetStatus = statusWith({
  storeUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  extent: Type.Optional(object({
    bbox: Type.Optional(Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: "west, south, east, north in degrees." })),
    timeStart: Type.Optional(Timestamp),
    timeEnd: Type.Optional(Timestamp),
  })),
  shape: Type.Optional(stringMap(Type.Integer({ minimum: 0 }), { description: "Length of each dimension in the store." })),
  timeSteps: Type.Optional(Type.Integer({ minimum: 0 })),
  sizeBytes: Type.Optional(Type.Integer({ format: "int64", minimum: 0 })),
  lastCommitTime: Type.Optional(Timestamp),
  storeRevision: Type.Optional(Type.String({ maxLength: 64, description: "Digest of the store's committed metadata and ledger: it changes with every commit that changes the store, also one that keeps the number of steps (a best-forecast replacement, a recomputed derived period); lastCommitTime is the time it last changed." })),
  catalogEntryName: Type.Optional(Type.String({ maxLength: 253 })),
});
export type DatasetStatus = Static<typeof DatasetStatus>;

export const datasetKind: KindDefinition = {
  kind: "Dataset",
  plural: "datasets",
  singular: "dataset",
  shortNames: ["dset"],
  description: "Dataset is an analysis-ready Zarr store kept as an aggregation (append, model run or best forecast) of ingested files.",
  spec: DatasetSpec,
  status: DatasetStatus,
  printerColumns: [
    readyColumn,
    { name: "Aggregation", type: "string", jsonPath: ".spec.aggregation.type" },
    { name: "Steps", type: "integer", jsonPath: ".status.timeSteps" },
    { name: "Until", type: "string", jsonPath: ".status.extent.timeEnd" },
    { name: "Store", type: "string", jsonPath: ".spec.storage.url", priority: 1 },
    reasonColumn,
    ageColumn,
  ],
};
