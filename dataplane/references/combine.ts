// Assembles the Zarr hierarchy of a reference document from the files an aggregation chose.
// Variables without the aggregation dimension come from the first file. A variable along it is
// one Zarr array whose chunks point into the files: chunk k of the combined array must be one
// whole chunk of one file, so each file's steps must fill whole chunks at the places the plan
// gives them. Small arrays, and the one-value-per-step coordinates, are inlined instead.
import { allocate } from "../dtype.js";
import { product } from "../ndarray.js";
import { isTimeDependent, type DatasetTemplate } from "../aggregate/template.js";
import type { AttrValue, Attributes, Dtype, TypedArray } from "../source/types.js";
import { fillValueJson } from "../zarr/metadata.js";
import { byteSize, inlineData, isStepCoordinate } from "./inline.js";
import { describeLayout, layoutSignature, type ChunkLocation, type CodecConfig, type Reference, type StoredVariable, type VariableStorage } from "./types.js";

/** A numeric variable, or a char one (`|S1`, FVCOM Times) whose bytes are always inlined. */
interface ArraySpec {
  name: string;
  dtype: Dtype | "|S1";
  dims: string[];
  attrs: Attributes;
  fillValue: number | null;
}

export interface SourceFile {
  /** The URL written into the references; also how messages name the file. */
  url: string;
  storage: Map<string, VariableStorage>;
  /** Whole values of the static variables, and of time-dependent ones small enough to inline. */
  values: Map<string, TypedArray>;
  /** Steps along the aggregation dimension. */
  steps: number;
}

export interface RefArrayMeta {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  dtype: string;
  compressor: CodecConfig | null;
  fill_value: number | string | null;
  order: "C";
  filters: CodecConfig[] | null;
  dimension_separator: ".";
}

export interface RefArray {
  meta: RefArrayMeta;
  attrs: Record<string, AttrValue | string[]>;
  /** Chunk key within the array ("0.0.0", "0" for a scalar) -> reference. */
  chunks: Record<string, Reference>;
  inlined: boolean;
}

export interface RefHierarchy {
  groups: Record<string, Attributes>;
  arrays: Record<string, RefArray>;
}

/** The file and step that fill one index along the aggregation dimension. */
export interface Slot {
  file: SourceFile;
  step: number;
}

export interface CombineInput {
  template: DatasetTemplate;
  /** Undefined for one file referenced as it is, with no aggregation (every variable is static). */
  concatDim: string | undefined;
  /** Per group ("" is the root), the slot of each index along the aggregation dimension. */
  groups: Record<string, Slot[]>;
  /** Where the variables without the aggregation dimension come from. */
  first: SourceFile;
  inlineThreshold: number;
  attrs: Attributes;
  /** Aggregation type, for messages. */
  aggregation: string;
}

export interface Refusal {
  url: string;
  reason: string;
}

export type CombineResult = { hierarchy: RefHierarchy } | { refusals: Refusal[] };

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

function refuse(file: SourceFile, why: string): never {
  throw new Refused({ url: file.url, reason: `${file.url}: cannot be referenced without copying: ${why}` });
}

function chunkKey(index: readonly number[]): string {
  return index.length === 0 ? "0" : index.join(".");
}

function metaFor(v: ArraySpec, shape: number[], layout: Pick<StoredVariable, "dtype" | "chunks" | "compressor" | "filters">): RefArrayMeta {
  return { zarr_format: 2, shape, chunks: layout.chunks, dtype: layout.dtype, compressor: layout.compressor, fill_value: fillValueJson(v.fillValue), order: "C", filters: layout.filters, dimension_separator: "." };
}

function attrsFor(v: ArraySpec): RefArray["attrs"] {
  return { ...v.attrs, _ARRAY_DIMENSIONS: v.dims };
}

function inlined(v: ArraySpec, shape: number[], data: TypedArray): RefArray {
  const meta = metaFor(v, shape, { dtype: v.dtype, chunks: shape.map((n) => Math.max(1, n)), compressor: null, filters: null });
  return { meta, attrs: attrsFor(v), chunks: product(shape) === 0 ? {} : { [chunkKey(shape.map(() => 0))]: inlineData(data) }, inlined: true };
}

function located(file: SourceFile, locations: readonly ChunkLocation[], rekey: (index: number[]) => number[]): Record<string, Reference> {
  const out: Record<string, Reference> = {};
  for (const l of locations) out[chunkKey(rekey(l.index))] = [file.url, l.offset, l.length];
  return out;
}

function stored(file: SourceFile, v: ArraySpec): StoredVariable {
  const s = file.storage.get(v.name);
  if (s === undefined) throw new Error(`internal: no storage for ${v.name} in ${file.url}`);
  if (s.kind === "unreferenceable") refuse(file, `variable ${v.name}: ${s.reason}`);
  return s;
}

function staticArray(v: ArraySpec, input: CombineInput): RefArray {
  const shape = v.dims.map((d) => input.template.dims[d] ?? 0);
  const values = input.first.values.get(v.name);
  if (values !== undefined && (v.dtype === "|S1" || byteSize(v.dtype, shape) <= input.inlineThreshold)) return inlined(v, shape, values);
  const s = stored(input.first, v);
  return { meta: metaFor(v, shape, s), attrs: attrsFor(v), chunks: located(input.first, s.locations, (i) => i), inlined: false };
}

function gatheredSteps(v: ArraySpec, slots: readonly Slot[], stepValues: number): TypedArray | undefined {
  const out = v.dtype === "|S1" ? new Uint8Array(slots.length * stepValues) : allocate(v.dtype, slots.length * stepValues);
  for (const [t, slot] of slots.entries()) {
    const values = slot.file.values.get(v.name);
    if (values === undefined) return undefined;
    // Same dtype on both sides (the grid check compared dtypes); the cast only satisfies the union type.
    (out as Float64Array).set(values.subarray(slot.step * stepValues, (slot.step + 1) * stepValues) as Float64Array, t * stepValues);
  }
  return out;
}

function alongTime(v: ArraySpec, slots: readonly Slot[], input: CombineInput, concatDim: string): RefArray {
  const inner = v.dims.slice(1).map((d) => input.template.dims[d] ?? 0);
  const shape = [slots.length, ...inner];
  // Char arrays are inlined whatever their size: a few bytes per step, and NetCDF-4 may chunk them
  // across many steps, which would stop the files from being joined.
  if (v.dtype === "|S1" || isStepCoordinate(v, concatDim) || byteSize(v.dtype, shape) <= input.inlineThreshold) {
    const data = gatheredSteps(v, slots, product(inner));
    if (data !== undefined) return inlined(v, shape, data);
    if (v.dtype === "|S1") throw new Error(`internal: no bytes of char variable ${v.name}`);
  }
  const head = slots[0];
  if (head === undefined) return { meta: metaFor(v, shape, { dtype: v.dtype, chunks: shape.map((n) => Math.max(1, n)), compressor: null, filters: null }), attrs: attrsFor(v), chunks: {}, inlined: false };
  const base = stored(head.file, v);
  const signature = layoutSignature(base);
  for (const file of new Set(slots.map((s) => s.file))) {
    const s = stored(file, v);
    if (layoutSignature(s) !== signature) refuse(file, `variable ${v.name} is stored as ${describeLayout(s)}, but as ${describeLayout(base)} in ${head.file.url}; one Zarr array has a single chunk layout and codec`);
  }
  const steps = base.chunks[0] ?? 1;
  const byTimeChunk = new Map<SourceFile, Map<number, ChunkLocation[]>>();
  const chunksOf = (file: SourceFile, j: number): ChunkLocation[] => {
    let m = byTimeChunk.get(file);
    if (m === undefined) {
      m = new Map();
      for (const l of stored(file, v).locations) {
        const j = l.index[0] ?? 0;
        const list = m.get(j);
        if (list === undefined) m.set(j, [l]);
        else list.push(l);
      }
      byTimeChunk.set(file, m);
    }
    return m.get(j) ?? [];
  };
  // A chunk the plan takes only part of (a best forecast replacing some of its steps) cannot be
  // pointed at. Refusing such files first keeps the ones whose chunks are taken whole.
  const taken = new Map<SourceFile, Set<number>>();
  for (const s of slots) taken.set(s.file, (taken.get(s.file) ?? new Set()).add(s.step));
  for (const [file, chosen] of taken)
    for (const step of chosen) {
      const lo = step - (step % steps);
      const hi = Math.min(lo + steps, file.steps);
      const missing = Array.from({ length: hi - lo }, (_, i) => lo + i).filter((x) => !chosen.has(x));
      if (missing.length > 0)
        refuse(file, `variable ${v.name} keeps ${steps} steps of ${concatDim} per chunk, and the ${input.aggregation} aggregation takes step ${step} of its chunk of steps ${lo}-${hi - 1} but not step ${missing.join(", ")} (a reference can only point at whole chunks; convert with --out to copy the data instead)`);
    }
  const partial = (slot: Slot, t: number): never => {
    const k = Math.floor(t / steps);
    const span = `${k * steps}-${Math.min(slots.length, (k + 1) * steps) - 1}`;
    return refuse(slot.file, `variable ${v.name} keeps ${steps} steps of ${concatDim} per chunk, and the ${input.aggregation} aggregation puts its step ${slot.step} at index ${t}, so indices ${span} of the combined array are not one whole chunk of one file (a reference can only point at whole chunks; convert with --out to copy the data instead)`);
  };
  const chunks: Record<string, Reference> = {};
  for (let k = 0; k * steps < slots.length; k++) {
    const t0 = k * steps;
    const first = slots[t0] as Slot;
    if (first.step % steps !== 0) partial(first, t0);
    for (let t = t0 + 1; t < Math.min(slots.length, t0 + steps); t++) {
      const slot = slots[t] as Slot;
      if (slot.file !== first.file || slot.step !== first.step + (t - t0)) partial(slot, t);
    }
    Object.assign(chunks, located(first.file, chunksOf(first.file, first.step / steps), (i) => [k, ...i.slice(1)]));
  }
  return { meta: metaFor(v, shape, base), attrs: attrsFor(v), chunks, inlined: false };
}

/** The hierarchy, or every file that cannot be referenced as the plan places it (with why). */
export function combine(input: CombineInput): CombineResult {
  const refusals = new Map<string, Refusal>();
  const hierarchy: RefHierarchy = { groups: { "": input.attrs }, arrays: {} };
  for (const [group, slots] of Object.entries(input.groups)) {
    if (group !== "") hierarchy.groups[group] = input.attrs;
    const specs: ArraySpec[] = [...input.template.variables, ...(input.template.chars ?? []).map((c) => ({ ...c, dtype: "|S1" as const, fillValue: null }))];
    for (const v of specs) {
      const path = group === "" ? v.name : `${group}/${v.name}`;
      try {
        const timeDependent = input.concatDim !== undefined && isTimeDependent(v, input.concatDim);
        hierarchy.arrays[path] = timeDependent ? alongTime(v, slots, input, input.concatDim as string) : staticArray(v, input);
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        if (!refusals.has(err.refusal.url)) refusals.set(err.refusal.url, err.refusal);
      }
    }
  }
  return refusals.size > 0 ? { refusals: [...refusals.values()] } : { hierarchy };
}

