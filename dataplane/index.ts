// Public API of the data plane. Operators and apps import from here only.
//
// Ingest (IngestJob / Dataset operators, `dmac convert`):
//   ingestOptionsFor(dataset, job)   the spec fields the ingest needs, as its options (one mapping).
//   ingest(options)            open sources, check the grid, plan, copy on the local executor, commit.
//   resolveInputs(inputs)      local paths, globs, https:// and s3:// URLs to local files.
// Building blocks, for an operator that plans and runs tasks itself:
//   openSource(path)           NetCDF-3/4 reader chosen by magic bytes (refuses truncated files).
//   templateOf / structuralMismatches   the dataset grid a file must match.
//   planAggregation(...)       where time steps go (append, model-run, best-forecast); pure.
//   runLocal(chains, opts)     the worker-thread executor for IngestTask documents (task.ts).
//   parseNoddKey(key)          model, cycle, nowcast/forecast and hour from a NOAA NODD key.
// No-copy references (`dmac convert --references`, docs/references.md):
//   buildReferences(options)   kerchunk v1 JSON for NetCDF-3/4 files, single or aggregated.
//   writeReferences(url, doc)  writes it atomically (local file or one object PUT).
// Reading (data API):
//   openStore(url), readConsolidated(store), arrayOf(store, state, path) -> a ZarrArray handle,
//   readRegion(array, start, count).
export { ingest, buildHierarchy, chainTasks, AXIS_CHUNK } from "./ingest.js";
export { ingestOptionsFor, SPEC_FIELDS } from "./ingest-options.js";
export type { DatasetFields, IngestJobFields, SpecOptions, FieldUse } from "./ingest-options.js";
export type { VariableSelection, ModelFamily } from "./aggregate/select.js";
export type { InputFormat } from "./source/open.js";
export type { IngestOptions, IngestReport, IngestProgress, FileOutcome, AggregationOptions, Ledger } from "./ingest.js";
export { resolveInputs } from "./inputs.js";
export { storeLocation, storeLocationUnder, StorageError } from "./store-location.js";
export type { StorageRoots } from "./store-location.js";
export type { ResolvedInputs } from "./inputs.js";
export { openSource } from "./source/open.js";
export { SourceError } from "./source/types.js";
export type { SourceDataset, SourceVariable, SourceDimension, Dtype, Attributes, AttrValue, TypedArray } from "./source/types.js";
export { templateOf, structuralMismatches, guessConcatDim } from "./aggregate/template.js";
export type { DatasetTemplate, TemplateVariable } from "./aggregate/template.js";
export { planAggregation } from "./aggregate/plan.js";
export type { AggregationType, Candidate, Plan, FilePlan, LedgerStep } from "./aggregate/plan.js";
export { runLocal } from "./executor/local.js";
export type { LocalExecutorOptions, TaskProgress, ExecutionOutcome } from "./executor/local.js";
export { runTask } from "./executor/run-task.js";
export { TASK_CONTRACT, ingestTaskSchema, validateTask } from "./task.js";
export type { IngestTask, TaskResult } from "./task.js";
export { parseNoddKey } from "./nodd.js";
export { inspectForAggregation } from "./aggregate/inspect.js";
export type { GridReference, InspectedFile } from "./aggregate/inspect.js";
export { buildReferences, writeReferences, DEFAULT_INLINE_THRESHOLD } from "./references/index.js";
export type { ReferenceInput, ReferenceOptions, ReferenceReport, ReferenceFileOutcome, ReferenceResult, Reference, ReferenceDocument } from "./references/index.js";
export type { NoddKey } from "./nodd.js";
export { parseTimeUnits, decodeTime } from "./cftime.js";
export { openStore, openWritableStore } from "./zarr/open.js";
export { FileStore } from "./zarr/store.js";
export type { ReadableStore, WritableStore, StoreKey } from "./zarr/store.js";
// S3Store (zarr/s3-store.ts) is not re-exported: the AWS SDK loads only when an s3:// store is opened.
export { HttpStore } from "./zarr/http-store.js";
export { readConsolidated, commitHierarchy, chunkKey } from "./zarr/metadata.js";
export type { ArrayMetaV2, Hierarchy, ArrayNode, StoreState, ZarrFormat } from "./zarr/metadata.js";
export { arrayOf, chunkKeyOf, chunksOverlapping, readRegion, writeRegion } from "./zarr/chunks.js";
export type { ZarrArray } from "./zarr/chunks.js";
export { compressorConfig } from "./zarr/codecs.js";
export type { CodecName, CodecOptions } from "./zarr/codecs.js";
