// No-copy references for NetCDF files: inspect each file as the ingest does (grid, times,
// NODD cycle), plan the aggregation with the same planner, find where every chunk lies in its
// file, and assemble one kerchunk document. A file the references cannot describe as planned
// is refused with the reason and the plan is made again without it.
import { basename, resolve } from "node:path";
import { inspectForAggregation, type GridReference, type InspectedFile } from "../aggregate/inspect.js";
import { planAggregation, type AggregationType, type Candidate } from "../aggregate/plan.js";
import { guessConcatDim, isTimeDependent, templateOf } from "../aggregate/template.js";
import { openSource } from "../source/open.js";
import { SourceError, type AttrValue, type Attributes, type SourceDataset, type TypedArray } from "../source/types.js";
import { combine, type RefHierarchy, type Slot, type SourceFile } from "./combine.js";
import { referenceDocument } from "./document.js";
import { hdf5Storage } from "./hdf5-storage.js";
import { byteSize, DEFAULT_INLINE_THRESHOLD, isStepCoordinate } from "./inline.js";
import { netcdf3Storage } from "./netcdf3-storage.js";
import type { FileStorage, ReferenceDocument } from "./types.js";

export interface ReferenceInput {
  /** A local copy to read the header and chunk index from. */
  path: string;
  /** What the references point at: the https:// or s3:// URL it came from; by default the absolute local path. */
  url?: string;
}

export interface ReferenceOptions {
  inputs: ReferenceInput[];
  aggregation?: { type?: AggregationType; concatDim?: string };
  /** Arrays of at most this many bytes are inlined (default 500). */
  inlineThreshold?: number;
  /** Global attributes to set (a value) or remove (null). */
  attributes?: Record<string, AttrValue | null>;
}

export interface ReferenceFileOutcome {
  input: string;
  status: "referenced" | "skipped" | "refused";
  reason?: string;
  timeSteps: number;
}

export interface ReferenceReport {
  aggregation: AggregationType | "none";
  files: ReferenceFileOutcome[];
  /** Length of the aggregation dimension per group ("" is the root). */
  lengths: Record<string, number>;
  arrays: { referenced: number; inlined: number };
  /** Byte-range references to chunks in the source files. */
  chunkReferences: number;
}

export interface ReferenceResult {
  /** Undefined when no file could be referenced. */
  document: ReferenceDocument | undefined;
  report: ReferenceReport;
}

interface Inspected extends SourceFile {
  id: string;
  file: InspectedFile;
}

/** Where every variable's chunks lie; a file with variables the reader leaves out is refused, not silently thinned. */
async function storageOf(src: SourceDataset, name: string): Promise<FileStorage["variables"]> {
  const storage = src.format === "netcdf4" ? await hdf5Storage(src.path, src.variables) : await netcdf3Storage(src.path, src.variables);
  // Char variables are carried too: always inlined (combine.ts), so their storage is not needed.
  const chars = new Set((src.charVariables ?? []).map((c) => c.name));
  const omitted = storage.omitted.filter((o) => !chars.has(o.name));
  if (omitted.length > 0) throw new SourceError(name, `cannot be referenced: the reader does not carry variable(s) ${omitted.map((o) => `${o.name} (${o.type})`).join(", ")}, so the references would leave them out`);
  return storage.variables;
}

/** Values worth holding to inline them later: per-step coordinates and small time-dependent arrays. */
async function smallValues(src: SourceDataset, concatDim: string, threshold: number): Promise<Map<string, TypedArray>> {
  const out = new Map<string, TypedArray>();
  for (const v of src.variables)
    if (isTimeDependent(v, concatDim) && (isStepCoordinate(v, concatDim) || byteSize(v.dtype, v.shape) <= threshold)) out.set(v.name, await src.read(v.name, v.shape.map(() => 0), v.shape));
  return out;
}

function withAttributes(attrs: Attributes, overrides: Record<string, AttrValue | null> | undefined): Attributes {
  const out = { ...attrs };
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function summary(h: RefHierarchy): Pick<ReferenceReport, "arrays" | "chunkReferences"> {
  const arrays = Object.values(h.arrays);
  return {
    arrays: { referenced: arrays.filter((a) => !a.inlined).length, inlined: arrays.filter((a) => a.inlined).length },
    chunkReferences: arrays.reduce((n, a) => n + Object.values(a.chunks).filter((r) => Array.isArray(r)).length, 0),
  };
}

/** One file with no time dimension, referenced as it is. */
async function plainReferences(input: Required<ReferenceInput>, src: SourceDataset, opts: ReferenceOptions): Promise<ReferenceResult> {
  const values = new Map<string, TypedArray>();
  const threshold = opts.inlineThreshold ?? DEFAULT_INLINE_THRESHOLD;
  for (const v of src.variables) if (byteSize(v.dtype, v.shape) <= threshold) values.set(v.name, await src.read(v.name, v.shape.map(() => 0), v.shape));
  for (const c of src.charVariables ?? []) if (src.readChars !== undefined) values.set(c.name, await src.readChars(c.name));
  const first: SourceFile = { url: input.url, storage: await storageOf(src, input.url), values, steps: 0 };
  const template = { concatDim: "", dims: Object.fromEntries(src.dims.map((d) => [d.name, d.length])), variables: src.variables, chars: src.charVariables ?? [], attrs: src.attrs };
  const result = combine({ template, concatDim: undefined, groups: { "": [] }, first, inlineThreshold: threshold, attrs: withAttributes(src.attrs, opts.attributes), aggregation: "none" });
  const files = (status: ReferenceFileOutcome["status"], reason?: string): ReferenceFileOutcome[] => [{ input: input.url, status, ...(reason ? { reason } : {}), timeSteps: 0 }];
  if ("refusals" in result) return { document: undefined, report: { aggregation: "none", files: files("refused", result.refusals[0]?.reason), lengths: {}, arrays: { referenced: 0, inlined: 0 }, chunkReferences: 0 } };
  return { document: referenceDocument(result.hierarchy), report: { aggregation: "none", files: files("referenced"), lengths: {}, ...summary(result.hierarchy) } };
}

function hasTimeDimension(src: SourceDataset): boolean {
  try {
    guessConcatDim(src);
    return true;
  } catch {
    return false;
  }
}

export async function buildReferences(opts: ReferenceOptions): Promise<ReferenceResult> {
  const type: AggregationType = opts.aggregation?.type ?? "append";
  const threshold = opts.inlineThreshold ?? DEFAULT_INLINE_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 0) throw new Error(`inlineThreshold: must be a non-negative integer, got ${threshold}`);
  const inputs = opts.inputs.map((i) => ({ path: i.path, url: i.url ?? resolve(i.path) }));
  const outcomes = new Map<string, ReferenceFileOutcome>();
  const refuse = (url: string, reason: string, status: "refused" | "skipped" = "refused"): void => void outcomes.set(url, { input: url, status, reason, timeSteps: 0 });
  const inspected: Inspected[] = [];
  let grid: GridReference | undefined;
  for (const input of inputs) {
    let src: SourceDataset | undefined;
    try {
      src = await openSource(input.path);
      if (inputs.length === 1 && opts.aggregation?.concatDim === undefined && !hasTimeDimension(src)) return await plainReferences(input, src, opts);
      const file = await inspectForAggregation(src, { ...(opts.aggregation?.concatDim !== undefined ? { concatDim: opts.aggregation.concatDim } : {}), ...(grid ? { reference: grid } : {}), name: input.url });
      grid ??= { template: file.template, statics: file.statics };
      // Static values are identical in every file (checked above), so all share the first file's.
      // The time coordinate is inlined in the dataset's units, which need not be this file's.
      const values = new Map<string, TypedArray>([...grid.statics, ...(await smallValues(src, file.template.concatDim, threshold)), ...file.chars, [file.template.concatDim, file.coordinate]]);
      inspected.push({ id: input.path, url: input.url, file, storage: await storageOf(src, input.url), values, steps: file.times.length });
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      refuse(input.url, err.message.split(input.path).join(input.url));
    } finally {
      src?.close();
    }
  }

  let active = inspected;
  for (;;) {
    const byId = new Map(active.map((f) => [f.id, f]));
    const candidates: Candidate[] = active.map((f) => ({ id: f.id, source: basename(f.url), times: f.file.times, ...(f.file.kind ? { kind: f.file.kind } : {}), ...(f.file.cycleMs !== undefined ? { cycleMs: f.file.cycleMs } : {}) }));
    const plan = planAggregation(type, {}, candidates);
    const groups: Record<string, Slot[]> = {};
    for (const [g, steps] of Object.entries(plan.groups)) groups[g] = new Array<Slot>(steps.length);
    const writers: Inspected[] = [];
    for (const f of plan.files) {
      const file = byId.get(f.id) as Inspected;
      if (f.status !== "write") {
        refuse(file.url, `${file.url}: ${f.reason ?? f.status}`, f.status === "skip" ? "skipped" : "refused");
        continue;
      }
      writers.push(file);
      for (const w of f.writes) (groups[f.group] as Slot[])[w.target] = { file, step: w.source };
      outcomes.set(file.url, { input: file.url, status: "referenced", timeSteps: f.writes.length });
    }
    const first = active.find((f) => writers.includes(f));
    const template = grid?.template;
    if (first === undefined || template === undefined) break;
    const result = combine({ template, concatDim: template.concatDim, groups, first, inlineThreshold: threshold, attrs: withAttributes(template.attrs, opts.attributes), aggregation: type });
    if ("hierarchy" in result) {
      const lengths = Object.fromEntries(Object.entries(groups).map(([g, s]) => [g, s.length]));
      return { document: referenceDocument(result.hierarchy), report: { aggregation: type, files: inputs.map((i) => outcomes.get(i.url) as ReferenceFileOutcome), lengths, ...summary(result.hierarchy) } };
    }
    const refused = new Set(result.refusals.map((r) => r.url));
    for (const r of result.refusals) refuse(r.url, r.reason);
    active = active.filter((f) => !refused.has(f.url));
  }
  return { document: undefined, report: { aggregation: type, files: inputs.map((i) => outcomes.get(i.url) ?? { input: i.url, status: "skipped", timeSteps: 0 }), lengths: {}, arrays: { referenced: 0, inlined: 0 }, chunkReferences: 0 } };
}
