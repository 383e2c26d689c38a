// The aggregation's time coordinate is written in the dataset's CF units (its first file's, kept
// in the ledger), not copied as stored. SELFE/SCHISM (NOAA CREOFS) writes `seconds since <start
// of this run>`, so its units differ in every cycle; re-encoding the decoded times to one epoch
// is what lets such files share one axis. The ingest and the reference builder both encode here.
import { decodeTime, parseTimeUnits, type TimeUnits } from "../cftime.js";
import { allocate } from "../dtype.js";
import { SourceError } from "../source/types.js";
import type { Dtype, TypedArray } from "../types.js";
import type { DatasetTemplate } from "./template.js";

/** The dataset's time coordinate: its name, dtype and units (parsed and as written). */
export interface TimeAxis {
  name: string;
  dtype: Dtype;
  units: TimeUnits;
  text: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/** The units of the template's time coordinate; a SourceError naming the file and coordinate if unusable. */
export function timeUnitsOf(file: string, template: DatasetTemplate): TimeUnits {
  const timeVar = template.variables.find((v) => v.name === template.concatDim);
  try {
    return parseTimeUnits(timeVar?.attrs.units, timeVar?.attrs.calendar);
  } catch (err) {
    throw new SourceError(file, `time coordinate ${template.concatDim}: ${(err as Error).message}`);
  }
}

/** The time axis of `template` (the dataset's); a SourceError naming `file` when its units are unusable. */
export function timeAxisOf(file: string, template: DatasetTemplate): TimeAxis {
  const v = template.variables.find((x) => x.name === template.concatDim);
  if (v === undefined) throw new SourceError(file, `has no coordinate variable ${template.concatDim}`);
  return { name: v.name, dtype: v.dtype, units: timeUnitsOf(file, template), text: String(v.attrs.units) };
}

function sameUnits(a: TimeUnits, b: TimeUnits): boolean {
  return a.unitMs === b.unitMs && a.referenceMs === b.referenceMs;
}

/**
 * `raw` (a file's time coordinate, stored in units `from`) encoded in the dataset's units and
 * dtype. Values in the dataset's own units stay as stored, bit for bit. A value the dataset's
 * dtype cannot hold exactly (a half hour in whole hours, a float32 that decodes to another
 * millisecond) throws a SourceError naming `file`, the value and the units.
 */
export function encodeTimes(file: string, raw: readonly number[], from: TimeUnits, axis: TimeAxis): TypedArray {
  const out = allocate(axis.dtype, raw.length);
  const as = (i: number, x: number): void => {
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(x);
    else out[i] = x;
  };
  if (sameUnits(from, axis.units)) {
    raw.forEach((x, i) => as(i, x));
    return out;
  }
  const integer = axis.dtype !== "<f4" && axis.dtype !== "<f8";
  raw.forEach((x, i) => {
    // Milliseconds from the dataset's reference, unrounded, so whole units stay whole.
    const value = (x * from.unitMs + (from.referenceMs - axis.units.referenceMs)) / axis.units.unitMs;
    const at = decodeTime(x, from);
    const problem = (why: string): never => {
      throw new SourceError(file, `time coordinate ${axis.name}: value ${x} (${iso(at)}) is ${value} ${axis.text}, ${why}, so it cannot join the dataset's time axis`);
    };
    if (integer && !Number.isInteger(value)) problem(`not a whole number as the dataset's ${axis.dtype} time needs`);
    if (axis.dtype === "<f4" && decodeTime(Math.fround(value), axis.units) !== at) problem(`which the dataset's float32 time rounds to ${iso(decodeTime(Math.fround(value), axis.units))}`);
    // Integers past the dtype's range (or a double's exact one) come back changed from the array.
    if (integer && !Number.isSafeInteger(value)) problem(`outside the range of the dataset's ${axis.dtype} time`);
    as(i, value);
    if (integer && Number(out[i]) !== value) problem(`outside the range of the dataset's ${axis.dtype} time`);
  });
  return out;
}
