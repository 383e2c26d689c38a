// The shape of a dataset that files are aggregated into: its variables, its grid and which
// variables run along the aggregation dimension. The first file defines it; every later file
// must match it exactly, or it is refused.
import type { Attributes, Dtype, SourceDataset } from "../source/types.js";
import { calendarName } from "../cftime.js";
import { fillValueNumber } from "../zarr/metadata.js";

export interface TemplateVariable {
  name: string;
  dtype: Dtype;
  dims: string[];
  attrs: Attributes;
  fillValue: number | null;
}

/** A NetCDF char variable: stored as `|S1` bytes; xarray joins its last dimension into strings. */
export interface TemplateChar {
  name: string;
  dims: string[];
  attrs: Attributes;
}

export interface DatasetTemplate {
  concatDim: string;
  /** Lengths of every dimension except the aggregation dimension. */
  dims: Record<string, number>;
  variables: TemplateVariable[];
  /** Char variables (absent in ledgers written before they were supported: none). */
  chars?: TemplateChar[];
  attrs: Attributes;
}

/**
 * Time dimension names of the model families NOAA runs, in the order we look for them: ROMS
 * `ocean_time`, RTOFS (HYCOM) `MT`, then `time` for FVCOM and SELFE/SCHISM alike.
 */
const FAMILY_TIME_DIMS = ["ocean_time", "MT", "time"];

export function guessConcatDim(src: SourceDataset): string {
  for (const name of FAMILY_TIME_DIMS) if (src.dims.some((d) => d.name === name)) return name;
  const unlimited = src.dims.find((d) => d.unlimited);
  if (unlimited !== undefined) return unlimited.name;
  throw new Error(`${src.path}: no time dimension (ocean_time, MT, time or an unlimited one); set aggregation.concatDim`);
}

export function templateOf(src: SourceDataset, concatDim: string): DatasetTemplate {
  if (!src.dims.some((d) => d.name === concatDim)) throw new Error(`has no dimension ${concatDim} (aggregation.concatDim)`);
  if (!src.variables.some((v) => v.name === concatDim && v.dims.length === 1 && v.dims[0] === concatDim))
    throw new Error(`has no coordinate variable ${concatDim}(${concatDim}) to order the aggregation by`);
  for (const v of [...src.variables, ...(src.charVariables ?? [])]) {
    const at = v.dims.indexOf(concatDim);
    if (at > 0) throw new Error(`variable ${v.name}: ${concatDim} must be its first dimension, not dimension ${at}`);
  }
  const dims: Record<string, number> = {};
  for (const d of src.dims) if (d.name !== concatDim) dims[d.name] = d.length;
  return {
    concatDim,
    dims,
    variables: src.variables.map((v) => ({ name: v.name, dtype: v.dtype, dims: v.dims, attrs: v.attrs, fillValue: v.fillValue })),
    chars: (src.charVariables ?? []).map((v) => ({ name: v.name, dims: v.dims, attrs: v.attrs })),
    attrs: src.attrs,
  };
}

/**
 * A template as read back from a ledger. The ledger is JSON in the consolidated metadata, where
 * Zarr spells non-finite numbers as strings ("NaN"), so a NaN fill value comes back as a string
 * and would never equal the next file's NaN.
 */
export function templateFromLedger(stored: DatasetTemplate): DatasetTemplate {
  return {
    ...stored,
    variables: stored.variables.map((v) => ({ ...v, fillValue: fillValueNumber(v.fillValue as Parameters<typeof fillValueNumber>[0]) })),
  };
}

export function isTimeDependent(v: { dims: string[] }, concatDim: string): boolean {
  return v.dims[0] === concatDim;
}

/** Why `candidate` does not fit `reference` (empty when it fits). Names every differing item. */
export function structuralMismatches(reference: DatasetTemplate, candidate: DatasetTemplate): string[] {
  const problems: string[] = [];
  for (const [name, length] of Object.entries(reference.dims)) {
    const got = candidate.dims[name];
    if (got === undefined) problems.push(`dimension ${name} is missing`);
    else if (got !== length) problems.push(`dimension ${name} has length ${got}, the dataset has ${length}`);
  }
  for (const name of Object.keys(candidate.dims)) if (!(name in reference.dims)) problems.push(`dimension ${name} is not in the dataset`);
  const byName = new Map(candidate.variables.map((v) => [v.name, v]));
  for (const v of reference.variables) {
    const c = byName.get(v.name);
    if (c === undefined) {
      problems.push(`variable ${v.name} is missing`);
      continue;
    }
    if (c.dtype !== v.dtype) problems.push(`variable ${v.name} has type ${c.dtype}, the dataset has ${v.dtype}`);
    if (c.dims.join(",") !== v.dims.join(",")) problems.push(`variable ${v.name} has dimensions (${c.dims.join(", ")}), the dataset has (${v.dims.join(", ")})`);
    if (!sameNumber(c.fillValue, v.fillValue)) problems.push(`variable ${v.name} has _FillValue ${c.fillValue}, the dataset has ${v.fillValue}`);
    // The time coordinate's units may differ (SELFE: seconds since the start of each run): its
    // decoded times are written in the dataset's units (time-axis.ts). Its calendar may not.
    const timeCoordinate = v.name === reference.concatDim;
    if (timeCoordinate && calendarName(c.attrs.calendar) !== calendarName(v.attrs.calendar))
      problems.push(`time coordinate ${v.name} has calendar ${JSON.stringify(calendarName(c.attrs.calendar))}, the dataset has ${JSON.stringify(calendarName(v.attrs.calendar))}`);
    for (const key of timeCoordinate ? ["scale_factor", "add_offset"] : ["units", "calendar", "scale_factor", "add_offset"])
      if (attrJson(c.attrs[key]) !== attrJson(v.attrs[key])) problems.push(`variable ${v.name} has ${key} ${JSON.stringify(c.attrs[key])}, the dataset has ${JSON.stringify(v.attrs[key])}`);
  }
  const refNames = new Set(reference.variables.map((v) => v.name));
  for (const v of candidate.variables) if (!refNames.has(v.name)) problems.push(`variable ${v.name} is not in the dataset`);
  const refChars = new Map((reference.chars ?? []).map((v) => [v.name, v]));
  const candChars = new Map((candidate.chars ?? []).map((v) => [v.name, v]));
  for (const [name, v] of refChars) {
    const c = candChars.get(name);
    if (c === undefined) problems.push(`char variable ${name} is missing`);
    else if (c.dims.join(",") !== v.dims.join(",")) problems.push(`char variable ${name} has dimensions (${c.dims.join(", ")}), the dataset has (${v.dims.join(", ")})`);
  }
  for (const name of candChars.keys()) if (!refChars.has(name)) problems.push(`char variable ${name} is not in the dataset`);
  return problems;
}

/** Attribute values as the ledger stores them, so a NaN read back as "NaN" equals a NaN read from a file. */
function attrJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
}

function sameNumber(a: number | null, b: number | null): boolean {
  return a === b || (a !== null && b !== null && Number.isNaN(a) && Number.isNaN(b));
}

/** First index where two grids differ (NaN equals NaN), or -1. */
export function firstDifference(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(typeof x === "number" && typeof y === "number" && Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}
