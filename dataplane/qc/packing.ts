// From packed storage values to physical values, with the netCDF/CF missing-data rules
// (NUG "Attribute Conventions", CF 1.11 §2.5.1 and §8.1): a value is missing when it is NaN, equals
// _FillValue or one of missing_value, or lies outside valid_min/valid_max/valid_range. Those
// attributes are in packed units, so they are compared before scale_factor/add_offset apply.
import type { QcAttrValue, QcDtype, QcVariable } from "./types.js";

export interface Unpacker {
  /** Physical value of one packed value, or NaN when it is missing. */
  (raw: number): number;
}

export function numbersOf(value: QcAttrValue | undefined): number[] {
  if (value === undefined || typeof value === "string") return [];
  return typeof value === "number" ? [value] : [...value];
}

function firstNumber(value: QcAttrValue | undefined): number | undefined {
  return numbersOf(value)[0];
}

const unsignedOf: Partial<Record<QcDtype, number>> = { "|i1": 2 ** 8, "<i2": 2 ** 16, "<i4": 2 ** 32, "<i8": 2 ** 64 };

/** Reinterprets signed storage as unsigned when `_Unsigned = "true"` (the netCDF-3 convention for unsigned bytes). */
function unsignedShift(variable: QcVariable): number | undefined {
  const flag = variable.attrs._Unsigned;
  return typeof flag === "string" && flag.toLowerCase() === "true" ? unsignedOf[variable.dtype] : undefined;
}

/** The declared _FillValue in packed units, from `fillValue` or the attribute. */
export function declaredFill(variable: QcVariable): number | undefined {
  if (variable.fillValue !== undefined && variable.fillValue !== null) return variable.fillValue;
  return firstNumber(variable.attrs._FillValue);
}

export function makeUnpacker(variable: QcVariable): Unpacker {
  const f32 = variable.dtype === "<f4";
  // Compare in the storage precision: a float32 fill written as a decimal double must still match.
  const asStored = (v: number) => (f32 ? Math.fround(v) : v);
  const shift = unsignedShift(variable);
  const toStorage = (v: number) => (shift !== undefined && v < 0 ? v + shift : v);
  const markers = new Set<number>();
  const fill = declaredFill(variable);
  if (fill !== undefined) markers.add(asStored(toStorage(fill)));
  for (const m of numbersOf(variable.attrs.missing_value)) markers.add(asStored(toStorage(m)));
  const range = numbersOf(variable.attrs.valid_range);
  let lo = range.length === 2 ? (range[0] as number) : firstNumber(variable.attrs.valid_min);
  let hi = range.length === 2 ? (range[1] as number) : firstNumber(variable.attrs.valid_max);
  lo = lo === undefined ? -Infinity : asStored(toStorage(lo));
  hi = hi === undefined ? Infinity : asStored(toStorage(hi));
  const scale = firstNumber(variable.attrs.scale_factor) ?? 1;
  const offset = firstNumber(variable.attrs.add_offset) ?? 0;
  const low = lo;
  const high = hi;
  // Most variables have one or two markers: compare them directly, the Set is for the rest.
  const [m0 = Number.NaN, m1 = Number.NaN] = [...markers];
  const more = markers.size > 2 ? markers : undefined;
  const plain = !f32 && shift === undefined;
  return (raw: number) => {
    const v = plain ? raw : asStored(toStorage(raw));
    if (v !== v || v === m0 || v === m1 || v < low || v > high || (more !== undefined && more.has(v))) return Number.NaN;
    return v * scale + offset;
  };
}
