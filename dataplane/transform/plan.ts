// The plan of one derived update: which source arrays, which level, the derived hierarchy, the
// derived time axis and which of its steps to (re)compute. Pure but for reading the vertical
// coordinate's values (a caller-given function), and checks every input before anything is
// written: a bad transform is a DeriveError naming the spec field, and the store stays as it was.
import type { AttrValue, Attributes, Dtype } from "../types.js";
import { parseTimeUnits, type TimeUnits } from "../cftime.js";
import { compressorConfig, type CodecOptions } from "../zarr/codecs.js";
import { fillValueJson, fillValueNumber, type ArrayMetaV2, type Hierarchy, type ZarrFormat } from "../zarr/metadata.js";
import type { TransformOptions } from "./options.js";
import { changedSteps, outputSteps, sourceStepMs, type DerivedLedgerStep, type OutputStep, type SourceStep } from "./periods.js";
import { levelIndex, verticalAxisOf } from "./levels.js";
import { seriesChunks, tileFor, timeChunkFor } from "./rechunk.js";
import { cellMethod } from "./statistics.js";

/** A transform the source cannot satisfy: `field` is the spec field to fix. Nothing has been written. */
export class DeriveError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "DeriveError";
  }
}

/** Steps per chunk of the derived time coordinate and the count/complete arrays (as the ingest's AXIS_CHUNK). */
const AXIS_CHUNK = 1024;

/** The source as an update sees it. */
export interface SourceView {
  readonly url: string;
  readonly format: ZarrFormat;
  readonly hierarchy: Hierarchy;
  readonly concatDim: string;
  /** The time axis as the source's ledger records it (or decoded from its coordinate). */
  readonly steps: readonly SourceStep[];
}

/** What the derived Dataset's spec fixes of its store. */
export interface TargetLayout {
  readonly format: ZarrFormat;
  readonly encoding?: CodecOptions;
  /** Dataset spec.dimensions[].chunk, used when the transform has no rechunk. */
  readonly chunking?: Readonly<Record<string, number>>;
  readonly attributes?: Readonly<Record<string, string | null>>;
  /** Provenance: the source Dataset (`namespace/name`) or URL. */
  readonly sourceName: string;
}

/** One derived variable: where it comes from and how. */
export interface DerivedVariable {
  readonly name: string;
  /** Dimensions of the source array; the level axis (when selected) is dropped in the output. */
  readonly sourceDims: readonly string[];
  readonly level?: { readonly axis: number; readonly index: number; readonly dim: string };
  /** Values are decoded (resample) rather than copied as stored. */
  readonly decode: boolean;
  /** Output axes written one index at a time (levels in the time-series layout, chunked by one). */
  readonly splitAxes: readonly number[];
}

export interface DerivedLedger {
  readonly version: 1;
  readonly aggregation: "derived";
  readonly concatDim: string;
  readonly groups: { "": DerivedLedgerStep[] };
  readonly derived: { readonly source: string; readonly transform: TransformOptions; readonly sourceStepMs?: number };
}

export interface DerivePlan {
  readonly concatDim: string;
  readonly variables: readonly DerivedVariable[];
  /** Arrays without the time dimension copied from the source once (coordinates). */
  readonly statics: readonly string[];
  readonly hierarchy: Hierarchy;
  readonly steps: readonly OutputStep[];
  readonly changed: readonly number[];
  readonly ledger: DerivedLedger;
  readonly timeUnits: TimeUnits;
}

function dimsOf(h: Hierarchy, path: string): string[] {
  return (h.arrays[path]?.attrs._ARRAY_DIMENSIONS as string[] | undefined) ?? [];
}

function floatFor(dtype: Dtype): Dtype {
  if (dtype === "<f4" || dtype === "<f8") return dtype;
  // As xarray decodes packed data: float32 for 1- and 2-byte integers, float64 above.
  return Number(dtype.slice(2)) <= 2 ? "<f4" : "<f8";
}

const PACKING = ["scale_factor", "add_offset", "missing_value", "_FillValue", "valid_min", "valid_max", "valid_range", "_Unsigned"];

/** The variables to derive, each checked against the source; the level resolved. */
async function resolveVariables(src: SourceView, t: TransformOptions, coordinateValues: (path: string) => Promise<ArrayLike<number>>): Promise<DerivedVariable[]> {
  const h = src.hierarchy;
  const names = t.variables ?? Object.keys(h.arrays).filter((p) => !p.includes("/") && p !== src.concatDim && dimsOf(h, p)[0] === src.concatDim && h.arrays[p]?.meta.dtype !== "|S1");
  const out: DerivedVariable[] = [];
  for (const name of names) {
    const node = h.arrays[name];
    if (node === undefined) throw new DeriveError("spec.transform.select.variables", `the source Dataset has no variable ${name} (it has ${Object.keys(h.arrays).filter((p) => dimsOf(h, p)[0] === src.concatDim && p !== src.concatDim).join(", ")})`);
    const dims = dimsOf(h, name);
    if (dims[0] !== src.concatDim) throw new DeriveError("spec.transform.select.variables", `${name} does not vary along ${src.concatDim} (dimensions ${dims.join(", ")}); derive time-dependent variables only`);
    if (node.meta.dtype === "|S1") throw new DeriveError("spec.transform.select.variables", `${name} is a char variable; only numeric variables can be derived`);
    let level: DerivedVariable["level"];
    if (t.level !== undefined) {
      const axis = verticalAxisOf(h, name, src.concatDim);
      if (axis === undefined) throw new DeriveError("spec.transform.select.level", `${name}(${dims.join(", ")}) has no vertical dimension; select it without a level, or in a job of its own`);
      const at = dims.indexOf(axis.dim);
      const length = node.meta.shape[at] ?? 0;
      let values: ArrayLike<number> | undefined;
      if (typeof t.level !== "number" && axis.coordinate !== undefined) {
        const all = await coordinateValues(axis.coordinate);
        const cshape = h.arrays[axis.coordinate]?.meta.shape ?? [];
        // A 2-D coordinate (siglay(siglay, node)): the first column.
        const stride = cshape.length > 1 ? (cshape[1] ?? 1) : 1;
        values = Array.from({ length: cshape[0] ?? 0 }, (_, i) => all[i * stride] as number);
      }
      try {
        level = { axis: at, index: levelIndex(t.level, axis, length, values), dim: axis.dim };
      } catch (error) {
        throw new DeriveError("spec.transform.select.level", `${name}: ${(error as Error).message.replace(/^spec\.transform\.select\.level: /, "")}`);
      }
    }
    out.push({ name, sourceDims: dims, ...(level !== undefined ? { level } : {}), decode: t.resample !== undefined, splitAxes: [] });
  }
  return out;
}

/**
 * Arrays the variables need that do not vary in time: those their `coordinates` attribute names,
 * and every array on their (kept) horizontal and vertical dimensions alone: dimension
 * coordinates, lon/lat, land masks (ROMS mask_rho, which no attribute names), bathymetry.
 */
function staticsOf(src: SourceView, variables: readonly DerivedVariable[]): string[] {
  const h = src.hierarchy;
  const dropped = new Set(variables.flatMap((v) => (v.level ? [v.level.dim] : [])));
  const kept = new Set(variables.flatMap((v) => v.sourceDims.filter((d) => d !== src.concatDim && d !== v.level?.dim)));
  const want = new Set<string>();
  for (const [path, node] of Object.entries(h.arrays)) {
    const dims = dimsOf(h, path);
    if (!path.includes("/") && dims.length > 0 && dims.every((d) => kept.has(d)) && node.meta.dtype !== "|S1") want.add(path);
  }
  for (const v of variables) for (const c of String(h.arrays[v.name]?.attrs.coordinates ?? "").split(/\s+/)) if (c !== "" && h.arrays[c] !== undefined) want.add(c);
  return [...want].filter((p) => !dimsOf(h, p).includes(src.concatDim) && !dimsOf(h, p).some((d) => dropped.has(d)) && h.arrays[p]?.meta.dtype !== "|S1").sort();
}

function outputAttrs(src: SourceView, v: DerivedVariable, t: TransformOptions, statics: readonly string[]): Record<string, AttrValue | string[]> {
  const { _ARRAY_DIMENSIONS: _dims, ...attrs } = src.hierarchy.arrays[v.name]?.attrs ?? {};
  const out: Record<string, AttrValue | string[]> = { ...attrs };
  if (v.decode) for (const k of PACKING) delete out[k];
  if (typeof out.coordinates === "string") out.coordinates = out.coordinates.split(/\s+/).filter((c) => c === src.concatDim || statics.includes(c)).join(" ");
  if (v.level !== undefined) out.dmac_level = `${v.level.dim} index ${v.level.index}${typeof t.level === "string" ? ` (${t.level})` : ""}`;
  if (t.resample !== undefined) {
    const method = `${src.concatDim}: ${cellMethod(t.resample.statistic)} (interval: ${t.resample.period} utc_offset: ${t.resample.utcOffset})`;
    out.cell_methods = typeof out.cell_methods === "string" && out.cell_methods !== "" ? `${out.cell_methods} ${method}` : method;
    out.ancillary_variables = `${src.concatDim}_count ${src.concatDim}_complete`;
  }
  return out;
}

/**
 * Plans one update of the derived store from the source's current state and the derived store's
 * ledger (undefined for a new store).
 */
export async function planDerive(src: SourceView, t: TransformOptions, target: TargetLayout, prior: DerivedLedger | undefined, coordinateValues: (path: string) => Promise<ArrayLike<number>>): Promise<DerivePlan> {
  const h = src.hierarchy;
  const timeNode = h.arrays[src.concatDim];
  if (timeNode === undefined) throw new DeriveError("spec.source.datasetRef", `the source store ${src.url} has no ${src.concatDim} coordinate`);
  let timeUnits: TimeUnits;
  try {
    timeUnits = parseTimeUnits(timeNode.attrs.units, timeNode.attrs.calendar);
  } catch (error) {
    throw new DeriveError("spec.source.datasetRef", `the source's ${src.concatDim} ${(error as Error).message}`);
  }
  const stepMs = sourceStepMs(src.steps.map((s) => s.t));
  if (t.resample !== undefined && stepMs !== undefined && t.resample.periodMs < stepMs)
    throw new DeriveError("spec.transform.resample.period", `${t.resample.period} is shorter than the source's time step (${stepMs / 3_600_000} h); a period must hold at least one step`);
  if (prior !== undefined && JSON.stringify(prior.derived.transform) !== JSON.stringify(t))
    throw new DeriveError("spec.transform", `the derived store was made with another transform (${JSON.stringify(prior.derived.transform)}); a changed transform needs a new Dataset (or delete the store)`);
  const variables = await resolveVariables(src, t, coordinateValues);
  const statics = staticsOf(src, variables);
  const steps = outputSteps(src.steps, t.resample);
  let changed: number[];
  try {
    changed = changedSteps(prior?.groups[""] ?? [], steps);
  } catch (error) {
    // The source lost or moved steps the derived store holds: only a new derived store fixes that.
    throw new DeriveError("spec.source.datasetRef", `${(error as Error).message}; delete the derived store (or give the job a new Dataset) to derive it again`);
  }
  const compressor = compressorConfig(target.encoding ?? { codec: "zlib", level: 1 }, target.format);
  const n = steps.length;
  const timeChunk = t.rechunk !== undefined ? timeChunkFor(t.rechunk, t.resample?.periodMs ?? stepMs) : undefined;
  const axisChunk = timeChunk ?? AXIS_CHUNK;

  const rootAttrs: Attributes = { ...(h.groups[""] ?? {}) };
  for (const [k, v] of Object.entries(target.attributes ?? {})) {
    if (v === null) delete rootAttrs[k];
    else rootAttrs[k] = v;
  }
  rootAttrs.dmac_source = `${target.sourceName} (${src.url})`;
  rootAttrs.dmac_source_store = src.url;
  rootAttrs.dmac_transform = JSON.stringify(t);
  // The same values as the source in another chunking: readers (the data API's position queries)
  // may read the source's series from here.
  if (t.rechunk !== undefined && t.resample === undefined && t.level === undefined) rootAttrs.dmac_layout = "time-series";
  else delete rootAttrs.dmac_layout;
  const hierarchy: Hierarchy = { groups: { "": rootAttrs }, arrays: {} };
  const meta = (shape: number[], chunks: number[], dtype: Dtype, fill: number | null): ArrayMetaV2 => ({ zarr_format: 2, shape, chunks, dtype, compressor, fill_value: fillValueJson(fill), order: "C", filters: null, dimension_separator: "." });

  for (const path of statics) {
    const node = h.arrays[path];
    if (node === undefined) continue;
    hierarchy.arrays[path] = { meta: { ...node.meta, compressor, chunks: [...node.meta.shape.map((s) => Math.max(1, s))] }, attrs: node.attrs };
  }
  const { _ARRAY_DIMENSIONS: _d, _FillValue: _f, ...timeAttrs } = timeNode.attrs;
  hierarchy.arrays[src.concatDim] = { meta: meta([n], [axisChunk], "<f8", null), attrs: { ...timeAttrs, _ARRAY_DIMENSIONS: [src.concatDim] } };
  if (t.resample !== undefined) {
    hierarchy.arrays[`${src.concatDim}_count`] = { meta: meta([n], [axisChunk], "<i4", null), attrs: { long_name: `number of source time steps in the ${t.resample.period} period`, units: "1", _ARRAY_DIMENSIONS: [src.concatDim] } };
    hierarchy.arrays[`${src.concatDim}_complete`] = {
      meta: meta([n], [axisChunk], "|i1", null),
      attrs: { long_name: "whether the period holds every step it will (1) or is provisional and rewritten when later steps arrive (0)", flag_values: [0, 1], flag_meanings: "provisional complete", _ARRAY_DIMENSIONS: [src.concatDim] },
    };
  }
  const planned: DerivedVariable[] = [];
  for (const v of variables) {
    const node = h.arrays[v.name] as NonNullable<typeof timeNode>;
    const dims = v.sourceDims.filter((_, i) => i !== v.level?.axis);
    const shape = dims.map((d, i) => (i === 0 ? n : (node.meta.shape[v.sourceDims.indexOf(d)] ?? 1)));
    const dtype = v.decode ? floatFor(node.meta.dtype as Dtype) : (node.meta.dtype as Dtype);
    const sourceFill = fillValueNumber(node.meta.fill_value);
    const fill = v.decode ? (dtype === node.meta.dtype && sourceFill !== null ? sourceFill : NaN) : sourceFill;
    const vertical = v.level === undefined ? verticalAxisOf(h, v.name, src.concatDim)?.dim : undefined;
    const horizontal = dims.filter((d, i) => i > 0 && d !== vertical).length >= 2 ? 2 : 1;
    const chunks = timeChunk !== undefined
      ? seriesChunks(shape, timeChunk, tileFor(t.rechunk ?? {}, Number(dtype.slice(2)), timeChunk), horizontal)
      : shape.map((s, i) => Math.max(1, Math.min(target.chunking?.[dims[i] ?? ""] ?? (i === 0 ? 1 : s), i === 0 ? Infinity : s)));
    hierarchy.arrays[v.name] = { meta: meta(shape, chunks, dtype, fill), attrs: { ...outputAttrs(src, v, t, statics), _ARRAY_DIMENSIONS: dims } };
    const splitAxes = timeChunk === undefined ? [] : shape.map((_, i) => i).filter((i) => i > 0 && i < shape.length - horizontal && (shape[i] ?? 1) > 1);
    planned.push({ ...v, splitAxes });
  }
  const ledger: DerivedLedger = {
    version: 1,
    aggregation: "derived",
    concatDim: src.concatDim,
    groups: { "": steps.map((s) => ({ t: s.t, source: new Date(s.t).toISOString(), count: s.count, complete: s.complete, fingerprint: s.fingerprint })) },
    derived: { source: target.sourceName, transform: t, ...(stepMs !== undefined ? { sourceStepMs: stepMs } : {}) },
  };
  return { concatDim: src.concatDim, variables: planned, statics, hierarchy, steps, changed, ledger, timeUnits };
}
