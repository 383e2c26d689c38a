// No-copy references: kerchunk (version 1) documents that let Zarr readers open NetCDF-3 and
// NetCDF-4 files, single or aggregated, where they lie. See docs/references.md.
export { buildReferences } from "./build.js";
export type { ReferenceInput, ReferenceOptions, ReferenceReport, ReferenceFileOutcome, ReferenceResult } from "./build.js";
export { writeReferences } from "./write.js";
export { DEFAULT_INLINE_THRESHOLD } from "./inline.js";
export type { Reference, ReferenceDocument } from "./types.js";
