// The parts of the data plane the operators use, split by weight. Every reconcile reads stores
// (Dataset extent, CatalogEntry records, the item ledger): those modules are small and load at
// start. Ingesting (NetCDF readers on h5wasm, codecs, worker-thread executor, references) costs
// about 30 MB of resident memory that an operator with no IngestJob running never needs, so it
// loads on the first batch. The modules are the ones dataplane/index.ts re-exports; types still come
// from the index.
export { openStore, openWritableStore } from "../dataplane/zarr/open.js";
export { readConsolidated } from "../dataplane/zarr/metadata.js";
export { arrayOf, readRegion } from "../dataplane/zarr/chunks.js";
export { decodeTime, parseTimeUnits } from "../dataplane/cftime.js";
export { parseNoddKey } from "../dataplane/nodd.js";
export { TASK_CONTRACT } from "../dataplane/task.js";
export { describeS3Error } from "../dataplane/inputs.js";
export { stationSummaries } from "../dataplane/observations/summary.js";

/** The ingest entry points, loaded on first use. */
export async function loadIngest(): Promise<Pick<typeof import("../dataplane/index.js"), "ingest" | "resolveInputs">> {
  const { ingest, resolveInputs } = await import("../dataplane/index.js");
  return { ingest, resolveInputs };
}
