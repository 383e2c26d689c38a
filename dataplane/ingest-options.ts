// From the API to the ingest: every Dataset and IngestJob spec field the data plane needs,
// mapped in one pure function. The operator's runner and `dmac convert` (whose flags are spelled
// as these fields) both go through it, and `SPEC_FIELDS` says, for every spec field of every
// kind, which ingest option it becomes or why the ingest does not see it; a test walks the CRD
// schemas (crds/api/) and fails on a field that is in neither, or on a mapped field that changes
// nothing here (test/dataplane/ingest-options.test.ts).
import type { DatasetSpec, IngestJobSpec } from "../crds/api/index.js";
import type { CodecName } from "./zarr/codecs.js";
import type { IngestOptions } from "./ingest/types.js";
import type { TransformOptions } from "./transform/options.js";

/** The Dataset fields the mapping reads; `dmac convert` fills them from its flags. */
export interface DatasetFields {
  storage?: Partial<Pick<DatasetSpec["storage"], "format">>;
  model?: DatasetSpec["model"];
  featureType?: DatasetSpec["featureType"];
  dimensions?: DatasetSpec["dimensions"];
  aggregation?: Partial<DatasetSpec["aggregation"]>;
  /** `dmac convert --codec none` is not in the API's enum; its level may be left to the codec. */
  encoding?: { codec: CodecName; level?: number };
  attributes?: DatasetSpec["attributes"];
}

/** The IngestJob fields the mapping reads. */
export type IngestJobFields = Partial<Pick<IngestJobSpec, "format" | "variables" | "parallelism">>;

/** What the specs decide of an ingest; the caller adds the store, the inputs and the executor. */
export type SpecOptions = Pick<IngestOptions, "aggregation" | "chunking" | "dimensionSizes" | "variables" | "model" | "featureType" | "inputFormat" | "encoding" | "format" | "attributes" | "concurrency">;

export function ingestOptionsFor(dataset: { spec: DatasetFields }, job: { spec: IngestJobFields }): SpecOptions {
  const d = dataset.spec;
  const j = job.spec;
  const dims = d.dimensions ?? [];
  const a = d.aggregation ?? {};
  const aggregation: NonNullable<IngestOptions["aggregation"]> = {
    ...(a.type !== undefined ? { type: a.type } : {}),
    ...(a.concatDim !== undefined ? { concatDim: a.concatDim } : {}),
    ...(a.identicalDims !== undefined ? { identicalDims: [...a.identicalDims] } : {}),
    ...(a.cycle !== undefined ? { cycle: a.cycle } : {}),
    ...(a.runType !== undefined ? { runType: a.runType } : {}),
  };
  const chunking = Object.fromEntries(dims.filter((x) => x.chunk !== undefined).map((x) => [x.name, x.chunk as number]));
  const dimensionSizes = Object.fromEntries(dims.filter((x) => x.size !== undefined).map((x) => [x.name, x.size as number]));
  const variables = j.variables?.include !== undefined ? { include: [...j.variables.include] } : j.variables?.exclude !== undefined ? { exclude: [...j.variables.exclude] } : undefined;
  return {
    ...(Object.keys(aggregation).length > 0 ? { aggregation } : {}),
    ...(Object.keys(chunking).length > 0 ? { chunking } : {}),
    ...(Object.keys(dimensionSizes).length > 0 ? { dimensionSizes } : {}),
    ...(variables !== undefined ? { variables } : {}),
    ...(d.model !== undefined ? { model: d.model } : {}),
    // trajectory never gets here: the Dataset's CEL rules refuse it.
    ...(d.featureType === "timeSeries" ? { featureType: "timeSeries" as const } : {}),
    ...(j.format !== undefined ? { inputFormat: j.format } : {}),
    ...(d.encoding !== undefined ? { encoding: { codec: d.encoding.codec, ...(d.encoding.level !== undefined ? { level: d.encoding.level } : {}) } } : {}),
    ...(d.storage?.format !== undefined ? { format: d.storage.format } : {}),
    ...(d.attributes !== undefined ? { attributes: { ...d.attributes } } : {}),
    ...(j.parallelism !== undefined ? { concurrency: j.parallelism } : {}),
  };
}

/**
 * Where a spec field goes: an ingest option (through ingestOptionsFor), a transform option of a
 * derived job (through transformOptionsFor, dataplane/transform/options.ts), or why neither sees it.
 */
export type FieldUse = { readonly option: keyof SpecOptions } | { readonly transform: keyof TransformOptions } | { readonly operatorOnly: string };

/**
 * Every spec field of every kind, by path (`Kind.spec.a.b`, `[]` for list items). A path covers
 * the fields under it. Checked against the CRD schemas by test/dataplane/ingest-options.test.ts.
 */
export const SPEC_FIELDS: Readonly<Record<string, FieldUse>> = {
  "Dataset.spec.storage.url": { operatorOnly: "resolved by the operator under its storage root (operators/storage.ts) into the store location the ingest writes" },
  "Dataset.spec.storage.format": { option: "format" },
  "Dataset.spec.model": { option: "model" },
  "Dataset.spec.featureType": { option: "featureType" },
  "Dataset.spec.dimensions[].name": { option: "dimensionSizes" },
  "Dataset.spec.dimensions[].size": { option: "dimensionSizes" },
  "Dataset.spec.dimensions[].chunk": { option: "chunking" },
  "Dataset.spec.aggregation.type": { option: "aggregation" },
  "Dataset.spec.aggregation.concatDim": { option: "aggregation" },
  "Dataset.spec.aggregation.identicalDims": { option: "aggregation" },
  "Dataset.spec.aggregation.cycle": { option: "aggregation" },
  "Dataset.spec.aggregation.runType": { option: "aggregation" },
  "Dataset.spec.encoding.codec": { option: "encoding" },
  "Dataset.spec.encoding.level": { option: "encoding" },
  "Dataset.spec.attributes": { option: "attributes" },
  "Dataset.spec.catalog": { operatorOnly: "the Dataset reconciler creates and owns a CatalogEntry from it (operators/dataset/reconciler.ts)" },
  "Dataset.spec.deletionPolicy": { operatorOnly: "the Dataset finalizer deletes the store or keeps it (operators/dataset/reconciler.ts)" },
  "IngestJob.spec.source": { operatorOnly: "listed into work items and fetched by the IngestJob reconciler and runner (operators/ingestjob/source.ts, credentials.ts)" },
  "IngestJob.spec.source.datasetRef": { operatorOnly: "the derived-job reconciler reads the source Dataset's store and follows its status (operators/ingestjob/derived.ts)" },
  "IngestJob.spec.transform.select.variables": { transform: "variables" },
  "IngestJob.spec.transform.select.level": { transform: "level" },
  "IngestJob.spec.transform.resample.period": { transform: "resample" },
  "IngestJob.spec.transform.resample.statistic": { transform: "resample" },
  "IngestJob.spec.transform.resample.utcOffset": { transform: "resample" },
  "IngestJob.spec.transform.rechunk.timeChunk": { transform: "rechunk" },
  "IngestJob.spec.transform.rechunk.tile": { transform: "rechunk" },
  "IngestJob.spec.format": { option: "inputFormat" },
  "IngestJob.spec.variables.include": { option: "variables" },
  "IngestJob.spec.variables.exclude": { option: "variables" },
  "IngestJob.spec.qualityControl": { operatorOnly: "the runner's QC gate checks each file before the ingest sees it (dataplane/qc checkFiles, operators/ingestjob/runner.ts); for a featureType timeSeries Dataset the runner passes it to the observations ingest as qualityControl, whose QARTOD tests set the flag stored beside each value" },
  "IngestJob.spec.datasetRef": { operatorOnly: "names the Dataset whose fields are mapped here" },
  "IngestJob.spec.executor": { operatorOnly: "the runner passes a DaskJob executor for type dask (operators/ingestjob/daskjob.ts), else the local one" },
  "IngestJob.spec.parallelism": { option: "concurrency" },
  "IngestJob.spec.retryLimit": { operatorOnly: "the item ledger's attempts per file (operators/ingestjob/ledger.ts)" },
  "IngestJob.spec.schedule": { operatorOnly: "the reconciler's rescans of the source" },
  "IngestJob.spec.suspend": { operatorOnly: "the reconciler starts no new batch" },
  "CatalogEntry.spec": { operatorOnly: "a STAC record published by the CatalogEntry reconciler; no ingest reads it" },
};
