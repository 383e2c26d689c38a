// What the aggregations need to know of one source file before planning: its grid (checked
// against the dataset's), the values of its variables without the time dimension (which must be
// identical in every file), its char data, its valid times and, from a NODD key, its cycle and kind.
// Used by the reference builder; the same checks and messages as the ingest's inspection.
import { decodeTime } from "../cftime.js";
import { parseNoddKey } from "../nodd.js";
import { timeUnitsOf } from "./file-facts.js";
import { encodeTimes, timeAxisOf } from "./time-axis.js";
import { SourceError, type SourceDataset, type TypedArray } from "../source/types.js";
import { firstDifference, guessConcatDim, isTimeDependent, structuralMismatches, templateOf, type DatasetTemplate } from "./template.js";

/** The dataset a file must match: the first file's template and static values. */
export interface GridReference {
  template: DatasetTemplate;
  statics: Map<string, TypedArray>;
}

export interface InspectedFile {
  template: DatasetTemplate;
  /** Valid times of the file's steps, epoch ms. */
  times: number[];
  /** The time coordinate encoded in the dataset's (the reference's) units and dtype. */
  coordinate: TypedArray;
  /** Values of the variables (numeric and char) without the aggregation dimension. */
  statics: Map<string, TypedArray>;
  /** Bytes of the char variables along the aggregation dimension (FVCOM Times). */
  chars: Map<string, Uint8Array>;
  cycleMs?: number;
  kind?: "nowcast" | "forecast";
}

export async function readWhole(src: SourceDataset, name: string): Promise<TypedArray> {
  const v = src.variables.find((x) => x.name === name);
  if (v === undefined) throw new SourceError(src.path, `variable ${name} is missing`);
  return src.read(name, v.shape.map(() => 0), v.shape);
}

/** Inspects `src`; a file that cannot join the dataset throws a SourceError saying why. */
export async function inspectForAggregation(src: SourceDataset, opts: { concatDim?: string; reference?: GridReference; name?: string }): Promise<InspectedFile> {
  const name = opts.name ?? src.path;
  let concatDim: string;
  let template: DatasetTemplate;
  try {
    concatDim = opts.concatDim ?? opts.reference?.template.concatDim ?? guessConcatDim(src);
    template = templateOf(src, concatDim);
  } catch (err) {
    throw new SourceError(name, (err as Error).message.replace(`${src.path}: `, ""));
  }
  const reference = opts.reference;
  if (reference !== undefined) {
    const problems = structuralMismatches(reference.template, template);
    if (problems.length > 0) throw new SourceError(name, `does not match the dataset's grid: ${problems.join("; ")}`);
  }
  const statics = new Map<string, TypedArray>();
  for (const v of template.variables) {
    if (isTimeDependent(v, concatDim)) continue;
    const got = await readWhole(src, v.name);
    const want = reference?.statics.get(v.name);
    if (want !== undefined) {
      const at = firstDifference(got, want);
      if (at >= 0) throw new SourceError(name, `does not match the dataset's grid: variable ${v.name} differs at flat index ${at} (${String(got[at])} here, ${String(want[at])} in the dataset)`);
    }
    statics.set(v.name, got);
  }
  // Char variables (FVCOM Times) are bytes: static ones must be identical too; time-dependent ones are kept.
  const chars = new Map<string, Uint8Array>();
  for (const c of template.chars ?? []) {
    if (src.readChars === undefined) throw new SourceError(name, `char variable ${c.name}: this reader cannot read char data`);
    const got = await src.readChars(c.name);
    const want = isTimeDependent(c, concatDim) ? undefined : reference?.statics.get(c.name);
    if (want !== undefined) {
      const at = firstDifference(got, want);
      if (at >= 0) throw new SourceError(name, `does not match the dataset's grid: char variable ${c.name} differs at flat index ${at}`);
    }
    if (isTimeDependent(c, concatDim)) chars.set(c.name, got);
    else statics.set(c.name, got);
  }
  const units = timeUnitsOf(name, template);
  const raw = Array.from((await readWhole(src, concatDim)) as ArrayLike<number>, Number);
  const times = raw.map((x) => decodeTime(x, units));
  const coordinate = encodeTimes(name, raw, units, timeAxisOf(name, reference?.template ?? template));
  const key = parseNoddKey(name);
  return { template, times, coordinate, statics, chars, ...(key !== undefined ? { cycleMs: key.cycleMs, kind: key.kind } : {}) };
}
