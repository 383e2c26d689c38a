// Step 3 of an ingest: read every input's facts and judge them against the dataset's grid (the
// store's, or the first good file's). Refusals are recorded per file, never thrown. Appends start
// copying the files seen so far while the rest are inspected (executor/speculative.ts).
import { basename } from "node:path";
import { judgeFacts, readFileFacts, type FactsRequest, type FileFacts, type GridReference } from "../aggregate/file-facts.js";
import type { Candidate, LedgerStep } from "../aggregate/plan.js";
import type { DatasetTemplate } from "../aggregate/template.js";
import { SpeculativeCopy, oneStepChunks, type SpeculativeOutcome } from "../executor/speculative.js";
import { inLanes } from "../lanes.js";
import { SourceError, type TypedArray } from "../source/types.js";
import { buildHierarchy } from "./hierarchy.js";
import type { Layout } from "./layout.js";
import type { FileOutcome, IngestOptions } from "./types.js";

export interface Inspected {
  input: string;
  template: DatasetTemplate;
  times: number[];
  /** Bytes of each time-dependent char variable (small: FVCOM Times is 26 bytes a step). */
  chars: Map<string, Uint8Array>;
  /** The time coordinate encoded in the dataset's units and dtype (time-axis.ts). */
  coordinate: TypedArray;
  cycleMs?: number;
  kind?: "nowcast" | "forecast";
}

export interface Inspection {
  /** Files that may join, in input order. */
  inspected: Inspected[];
  /** Files refused while reading or judging, by input. */
  refused: Map<string, FileOutcome>;
  /** The dataset's grid: the store's, else the first good file's; undefined when no file was good. */
  reference: GridReference | undefined;
  /** Copies made while inspecting, by input. */
  speculated: Map<string, SpeculativeOutcome>;
}

export function candidateOf(f: Inspected): Candidate {
  return { id: f.input, source: basename(f.input), times: f.times, ...(f.kind ? { kind: f.kind } : {}), ...(f.cycleMs !== undefined ? { cycleMs: f.cycleMs } : {}) };
}

/** What reading one file needs from the options and the layout (the grid it must match comes per call). */
function factsRequest(input: string, opts: IngestOptions, layout: Layout, reference: DatasetTemplate | undefined): FactsRequest {
  const identicalDims = opts.aggregation?.identicalDims;
  return {
    input,
    ...(layout.concatDim !== undefined ? { concatDim: layout.concatDim } : {}),
    ...(identicalDims !== undefined ? { identicalDims } : {}),
    ...(reference !== undefined ? { reference } : {}),
    ...(opts.variables !== undefined ? { variables: opts.variables } : {}),
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    ...(opts.inputFormat !== undefined ? { format: opts.inputFormat } : {}),
    ...(opts.dimensionSizes !== undefined ? { dimensionSizes: opts.dimensionSizes } : {}),
  };
}

/** Copies during inspection pay only for inline appends and best forecasts whose data chunks are single steps. */
function startSpeculation(opts: IngestOptions, layout: Layout, storeUrl: string, existing: Record<string, LedgerStep[]>, grid: DatasetTemplate | undefined): SpeculativeCopy | undefined {
  if (layout.type === "model-run" || opts.executor !== undefined || (opts.concurrency ?? 0) !== 0 || grid === undefined) return undefined;
  if (layout.zarrFormat === 3 && (grid.chars ?? []).length > 0) return undefined;
  if (!oneStepChunks(buildHierarchy(grid, { "": 1 }, layout), grid)) return undefined;
  return new SpeculativeCopy({ type: layout.type, existing, template: grid, hierarchyFor: (lengths) => buildHierarchy(grid, lengths, layout), store: { url: storeUrl, zarrFormat: layout.zarrFormat }, lanes: 2 });
}

/** Bytes of grid values that files being inspected at once may hold together (each reads all of its own). */
const INSPECTION_STATICS_BUDGET = 128 * 1024 * 1024;

/**
 * Files inspected at once: four, unless the grid's static values are large (an RTOFS file holds
 * 118 MB of Latitude/Longitude), when each file read at once would add all of them to the peak.
 */
function inspectionLanes(reference: GridReference | undefined): number {
  const bytes = [...(reference?.statics.values() ?? [])].reduce((n, a) => n + a.byteLength, 0);
  return Math.max(1, Math.min(4, Math.floor(INSPECTION_STATICS_BUDGET / Math.max(1, bytes))));
}

export async function inspectInputs(opts: IngestOptions, layout: Layout, storeUrl: string, existing: Record<string, LedgerStep[]>, stored: GridReference | undefined): Promise<Inspection> {
  const inputs = opts.inputs;
  const found: Array<Inspected | undefined> = [];
  const refused = new Map<string, FileOutcome>();
  let reference = stored;
  let speculation: SpeculativeCopy | undefined;
  let started = 0;
  /** Checks a file's facts against the reference grid; the first good file becomes the reference. */
  const judge = (input: string, facts: FileFacts): Inspected => {
    const judged = judgeFacts(input, facts, reference, opts.aggregation?.identicalDims);
    reference ??= { template: facts.template, statics: facts.statics };
    return { input, template: facts.template, chars: facts.chars, ...judged };
  };
  const inspectOne = async (index: number): Promise<void> => {
    const input = inputs[index] as string;
    opts.onProgress?.({ phase: "inspect", done: started++, total: inputs.length, file: input });
    try {
      const file = judge(input, await readFileFacts(factsRequest(input, opts, layout, reference?.template)));
      found[index] = file;
      speculation?.settle(index, candidateOf(file));
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      refused.set(input, { input, status: "refused", reason: err.message, timeSteps: 0 });
      speculation?.settle(index, null);
    }
  };
  // One file at a time until one becomes the reference grid, then a few at once: one file's
  // reads (on the thread pool) overlap another's parsing (WebAssembly, on this thread).
  let next = 0;
  while (reference === undefined && next < inputs.length) await inspectOne(next++);
  speculation = startSpeculation(opts, layout, storeUrl, existing, reference?.template);
  for (let i = 0; i < next; i++) {
    const file = found[i];
    speculation?.settle(i, file === undefined ? null : candidateOf(file));
  }
  let speculated: Map<string, SpeculativeOutcome>;
  try {
    // An unexpected error (not a refusal) stops every lane before ingest() rejects with it.
    await inLanes(next, inputs.length, inspectionLanes(reference), inspectOne);
  } finally {
    // Never leave copies running past this call, whatever happened.
    speculated = (await speculation?.finish()) ?? new Map();
  }
  return { inspected: found.filter((f): f is Inspected => f !== undefined), refused, reference, speculated };
}
