// What the ingest reads of one source file before planning, without judging it: the grid
// template, the values of the variables that must be identical in every file, the char data and
// the raw time coordinate. Reading is kept apart from the checks (ingest.ts judges the facts
// against the dataset's grid), so the one can change, or move elsewhere, without the other.
import { parseTimeUnits, type TimeUnits } from "../cftime.js";
import { openSource } from "../source/open.js";
import { SourceError, type SourceDataset, type TypedArray } from "../source/types.js";
import { guessConcatDim, isTimeDependent, structuralMismatches, templateOf, type DatasetTemplate, type TemplateChar, type TemplateVariable } from "./template.js";

export interface FactsRequest {
  input: string;
  /** The aggregation dimension when already known (ledger, options, reference). */
  concatDim?: string;
  identicalDims?: string[];
  /** The dataset's grid: a file that differs in structure is refused before its values are read. */
  reference?: DatasetTemplate;
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

/** The units of the template's time coordinate; a SourceError naming the file and coordinate if unusable. */
export function timeUnitsOf(file: string, template: DatasetTemplate): TimeUnits {
  const timeVar = template.variables.find((v) => v.name === template.concatDim);
  try {
    return parseTimeUnits(timeVar?.attrs.units, timeVar?.attrs.calendar);
  } catch (err) {
    throw new SourceError(file, `time coordinate ${template.concatDim}: ${(err as Error).message}`);
  }
}

/** Reads one file's facts; a file that cannot be read or does not match `reference` throws a SourceError. */
export async function readFileFacts(req: FactsRequest): Promise<FileFacts> {
  const { input, reference } = req;
  let src: SourceDataset | undefined;
  try {
    src = await openSource(input);
    const concatDim = req.concatDim ?? reference?.concatDim ?? guessConcatDim(src);
    let template: DatasetTemplate;
    try {
      template = templateOf(src, concatDim);
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
  } finally {
    src?.close();
  }
}
