// What the ingest reads of one source file before planning, without judging it: the grid
// template, the values of the variables that must be identical in every file, the char data and
// the raw time coordinate. Reading is kept apart from the checks (ingest.ts judges the facts
// against the dataset's grid), so the one can change, or move elsewhere, without the other.
import { decodeTime } from "../cftime.js";
import { parseNoddKey } from "../nodd.js";
import { encodeTimes, timeAxisOf, timeUnitsOf } from "./time-axis.js";
import { openSource, type InputFormat } from "../source/open.js";
import { selectVariables, type ModelFamily, type VariableSelection } from "./select.js";
import { SourceError, type SourceDataset, type TypedArray } from "../source/types.js";
import { firstDifference, guessConcatDim, isTimeDependent, structuralMismatches, templateOf, type DatasetTemplate, type TemplateChar, type TemplateVariable } from "./template.js";

export interface FactsRequest {
  input: string;
  /** The aggregation dimension when already known (ledger, options, reference). */
  concatDim?: string;
  identicalDims?: string[];
  /** The dataset's grid: a file that differs in structure is refused before its values are read. */
  reference?: DatasetTemplate;
  /** The variables the dataset keeps (IngestJob `spec.variables`); all by default. */
  variables?: VariableSelection;
  /** The model family whose grid variables come with a selection (Dataset `spec.model`). */
  model?: ModelFamily;
  /** What the file's magic bytes must say (IngestJob `spec.format`); auto by default. */
  format?: InputFormat;
  /** Expected dimension lengths (Dataset `spec.dimensions[].size`): a file with another is refused. */
  dimensionSizes?: Readonly<Record<string, number>>;
}

export interface FileFacts {
  template: DatasetTemplate;
  /** Values of the static variables (numeric, then char) of the reference's (or this file's) template. */
  statics: Map<string, TypedArray>;
  /** Bytes of each time-dependent char variable. */
  chars: Map<string, Uint8Array>;
  /** The time coordinate as stored, or why it could not be read (reported after the grid checks). */
  rawTimes: number[] | { problem: string };
}

export function staticVariables(t: DatasetTemplate, identicalDims: string[] | undefined): TemplateVariable[] {
  return t.variables.filter((v) => !isTimeDependent(v, t.concatDim) && (identicalDims === undefined || v.dims.every((d) => identicalDims.includes(d))));
}

export function staticChars(t: DatasetTemplate): TemplateChar[] {
  return (t.chars ?? []).filter((c) => !isTimeDependent(c, t.concatDim));
}

export async function readAll(src: SourceDataset, name: string): Promise<TypedArray> {
  const v = src.variables.find((x) => x.name === name);
  if (v === undefined) throw new SourceError(src.path, `variable ${name} is missing`);
  return src.read(name, v.shape.map(() => 0), v.shape);
}

/** Refuses a file whose dimension lengths are not the ones the Dataset declares, naming dimension, expected and found. */
export function checkDimensionSizes(src: SourceDataset, input: string, expected: Readonly<Record<string, number>> | undefined): void {
  for (const [name, size] of Object.entries(expected ?? {})) {
    const dim = src.dims.find((d) => d.name === name);
    if (dim === undefined) throw new SourceError(input, `has no dimension ${name} (the Dataset's dimensions expect length ${size})`);
    if (dim.length !== size) throw new SourceError(input, `dimension ${name} has length ${dim.length}; the Dataset's dimensions expect ${size}`);
  }
}

/** Reads one file's facts; a file that cannot be read or does not match `reference` throws a SourceError. */
export async function readFileFacts(req: FactsRequest): Promise<FileFacts> {
  let src: SourceDataset | undefined;
  try {
    src = await openSource(req.input, req.format !== undefined ? { expect: req.format } : {});
    return await factsOf(src, req);
  } finally {
    src?.close();
  }
}

/** The facts of an open source; `req.input` names the file in refusals. */
export async function factsOf(src: SourceDataset, req: FactsRequest): Promise<FileFacts> {
  const { input, reference } = req;
  const concatDim = req.concatDim ?? reference?.concatDim ?? guessConcatDim(src);
  checkDimensionSizes(src, input, req.dimensionSizes);
  let template: DatasetTemplate;
  try {
    template = selectVariables(templateOf(src, concatDim), req.variables, req.model);
  } catch (err) {
    throw new SourceError(input, (err as Error).message);
  }
  if (reference !== undefined) {
    const problems = structuralMismatches(reference, template);
    if (problems.length > 0) throw new SourceError(input, `does not match the dataset's grid: ${problems.join("; ")}`);
  }
  const statics = new Map<string, TypedArray>();
  for (const v of staticVariables(reference ?? template, req.identicalDims)) statics.set(v.name, await readAll(src, v.name));
  const chars = new Map<string, Uint8Array>();
  for (const c of template.chars ?? []) {
    if (src.readChars === undefined) throw new SourceError(input, `char variable ${c.name}: this reader cannot read char data`);
    const got = await src.readChars(c.name);
    if (isTimeDependent(c, concatDim)) chars.set(c.name, got);
    else statics.set(c.name, got);
  }
  let rawTimes: FileFacts["rawTimes"];
  try {
    rawTimes = Array.from((await readAll(src, concatDim)) as ArrayLike<number>, Number);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    rawTimes = { problem: err.problem };
  }
  return { template, statics, chars, rawTimes };
}

/** The dataset a file must match: the first file's template and static values. */
export interface GridReference {
  template: DatasetTemplate;
  statics: Map<string, TypedArray>;
}

export interface JudgedFacts {
  /** Valid times of the file's steps, epoch ms. */
  times: number[];
  /** The time coordinate encoded in the dataset's (the reference's) units and dtype. */
  coordinate: TypedArray;
  cycleMs?: number;
  kind?: "nowcast" | "forecast";
}

/**
 * Checks a file's facts against the dataset's grid (static values identical, time units usable)
 * and decodes its times; a file that cannot join throws a SourceError naming `input`.
 */
export function judgeFacts(input: string, facts: FileFacts, grid: GridReference | undefined, identicalDims?: string[]): JudgedFacts {
  const { template } = facts;
  const concatDim = template.concatDim;
  for (const v of staticVariables(grid?.template ?? template, identicalDims)) {
    const got = facts.statics.get(v.name);
    const want = grid?.statics.get(v.name);
    if (got === undefined || want === undefined) continue;
    const at = firstDifference(got, want);
    if (at >= 0) throw new SourceError(input, `does not match the dataset's grid: variable ${v.name} differs at flat index ${at} (${String(got[at])} here, ${String(want[at])} in the dataset)`);
  }
  for (const c of template.chars ?? []) {
    if (isTimeDependent(c, concatDim)) continue;
    const got = facts.statics.get(c.name);
    const want = grid?.statics.get(c.name);
    if (got === undefined || want === undefined) continue;
    const at = firstDifference(got, want);
    if (at >= 0) throw new SourceError(input, `does not match the dataset's grid: char variable ${c.name} differs at flat index ${at}`);
  }
  const units = timeUnitsOf(input, template);
  if (!Array.isArray(facts.rawTimes)) throw new SourceError(input, facts.rawTimes.problem);
  const times = facts.rawTimes.map((x) => decodeTime(x, units));
  const coordinate = encodeTimes(input, facts.rawTimes, units, timeAxisOf(input, grid?.template ?? template));
  const key = parseNoddKey(input);
  return { times, coordinate, ...(key !== undefined ? { cycleMs: key.cycleMs, kind: key.kind } : {}) };
}
