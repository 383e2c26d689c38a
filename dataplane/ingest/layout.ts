// Step 1 of an ingest: what the store already fixes and what this run asks for, reconciled. A
// store's codec, chunking, format, aggregation and cycle are set when it is created; a run asking
// for others is refused whole, before any file is read.
import type { AggregationType, RunChoice } from "../aggregate/plan.js";
import { staticChars, staticVariables, type GridReference } from "../aggregate/file-facts.js";
import { templateFromLedger } from "../aggregate/template.js";
import { arrayPath } from "../aggregate/tasks.js";
import { arrayOf, readRegion } from "../zarr/chunks.js";
import { compressorConfig, type CodecOptions } from "../zarr/codecs.js";
import type { StoreState, ZarrFormat } from "../zarr/metadata.js";
import type { WritableStore } from "../zarr/store.js";
import type { AttrValue, TypedArray } from "../types.js";
import { SPATIAL_CHUNK } from "../multiscale/grids.js";
import { AXIS_CHUNK, type IngestOptions, type Ledger } from "./types.js";

/** How this run writes: fixed by the store when it exists, else by the options. */
export interface Layout {
  type: AggregationType;
  /** The aggregation dimension when known before the first file (ledger, options). */
  concatDim?: string;
  encoding: CodecOptions;
  chunking: Record<string, number>;
  attributes: Record<string, AttrValue | null>;
  format: "zarr-v2" | "zarr-v3";
  zarrFormat: ZarrFormat;
  axisChunk?: number;
  /** Horizontal chunk of large grids when `chunking` does not set it (new stores; ledger `spatialChunk`). */
  spatialChunk?: number;
  /** model-run: which cycle and run type the store holds. */
  run: RunChoice;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

function runChoice(opts: IngestOptions, type: AggregationType): RunChoice {
  const { cycle, runType } = opts.aggregation ?? {};
  if (type !== "model-run" && (cycle !== undefined || runType !== undefined)) throw new Error("aggregation.cycle and aggregation.runType apply only to the model-run aggregation");
  if (cycle === undefined) return runType !== undefined ? { runType } : {};
  const cycleMs = Date.parse(cycle);
  if (!Number.isFinite(cycleMs)) throw new Error(`aggregation.cycle: ${JSON.stringify(cycle)} is not a date-time (e.g. 2023-10-22T00:00:00Z)`);
  return { cycleMs, ...(runType !== undefined ? { runType } : {}) };
}

export function resolveLayout(store: WritableStore, prior: StoreState<Ledger> | undefined, opts: IngestOptions): Layout {
  const ledger = prior?.ledger;
  const type: AggregationType = opts.aggregation?.type ?? ledger?.aggregation ?? "append";
  if (prior !== undefined && ledger === undefined) throw new Error(`${store.url}: a Zarr store not written by dmac (no ledger in .zmetadata); refusing to modify it`);
  if (ledger !== undefined && ledger.aggregation !== type) throw new Error(`aggregation.type: the store holds a ${ledger.aggregation} aggregation, not ${type}`);
  if (ledger !== undefined && opts.aggregation?.concatDim !== undefined && opts.aggregation.concatDim !== ledger.concatDim)
    throw new Error(`aggregation.concatDim: the store is aggregated along ${ledger.concatDim}, not ${opts.aggregation.concatDim}`);
  const run = runChoice(opts, type);
  if (ledger?.cycleMs !== undefined && run.cycleMs !== undefined && ledger.cycleMs !== run.cycleMs)
    throw new Error(`aggregation.cycle: the store holds cycle ${iso(ledger.cycleMs)}, not ${iso(run.cycleMs)}; another cycle needs a new store`);

  // Chunks already written fix the codec and chunk shape: later runs must not relabel them.
  const encoding: CodecOptions = ledger?.encoding ?? opts.encoding ?? { codec: "zlib", level: 1 };
  const chunking: Record<string, number> = ledger?.chunking ?? opts.chunking ?? {};
  if (ledger !== undefined && opts.encoding !== undefined && JSON.stringify(compressorConfig(opts.encoding)) !== JSON.stringify(compressorConfig(encoding)))
    throw new Error(`encoding: the store was written with ${JSON.stringify(encoding)}; a different codec needs a new store`);
  if (ledger !== undefined && opts.chunking !== undefined && Object.keys(opts.chunking).length > 0 && JSON.stringify(opts.chunking) !== JSON.stringify(chunking))
    throw new Error(`chunking: the store was written with ${JSON.stringify(chunking)}; different chunks need a new store`);
  const attributes = opts.attributes ?? ledger?.attributes ?? {};
  const format = prior !== undefined ? (prior.format === 3 ? "zarr-v3" : "zarr-v2") : (opts.format ?? "zarr-v2");
  if (opts.format !== undefined && opts.format !== format) throw new Error(`storage.format: the store is ${format}, not ${opts.format}`);
  const axisChunk = prior === undefined ? AXIS_CHUNK : ledger?.axisChunk;
  // Like axisChunk: fixed when the store is created, absent (whole horizontal chunks) in older stores.
  const spatialChunk = prior === undefined ? SPATIAL_CHUNK : ledger?.spatialChunk;
  const concatDim = ledger?.concatDim ?? opts.aggregation?.concatDim;
  return {
    type, ...(concatDim !== undefined ? { concatDim } : {}), encoding, chunking, attributes, format, zarrFormat: format === "zarr-v3" ? 3 : 2,
    ...(axisChunk !== undefined ? { axisChunk } : {}), ...(spatialChunk !== undefined ? { spatialChunk } : {}), run,
  };
}

/** Step 2: the store's own grid (its template and static values), which every new file must match. */
export async function readReference(store: WritableStore, prior: StoreState<Ledger> | undefined): Promise<GridReference | undefined> {
  const ledger = prior?.ledger;
  if (prior === undefined || ledger?.template === undefined) return undefined;
  const template = templateFromLedger(ledger.template);
  const group = Object.keys(ledger.groups)[0] ?? "";
  const statics = new Map<string, TypedArray>();
  for (const v of [...staticVariables(template, undefined), ...staticChars(template)]) {
    const array = arrayOf(store, prior, arrayPath(group, v.name));
    if (array !== undefined) statics.set(v.name, await readRegion(array));
  }
  return { template, statics };
}
