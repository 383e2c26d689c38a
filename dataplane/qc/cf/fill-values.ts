// Fill-value consistency (NUG attribute conventions, CF 1.11 §2.5.1): _FillValue of the variable's
// own type, missing_value agreeing with it, and a sane valid range that leaves the fill outside.
import { numbersOf } from "../packing.js";
import type { QcDtype, QcVariable } from "../types.js";
import type { CfFinding } from "./findings.js";

const integerRange: Partial<Record<QcDtype, [number, number]>> = {
  "|i1": [-(2 ** 7), 2 ** 7 - 1],
  "|u1": [0, 2 ** 8 - 1],
  "<i2": [-(2 ** 15), 2 ** 15 - 1],
  "<u2": [0, 2 ** 16 - 1],
  "<i4": [-(2 ** 31), 2 ** 31 - 1],
  "<u4": [0, 2 ** 32 - 1],
  "<i8": [-(2 ** 63), 2 ** 63],
  "<u8": [0, 2 ** 64],
};

/** Whether a number (as a reader or JSON gives it) can be stored in the dtype without changing. */
export function representable(value: number, dtype: QcDtype): boolean {
  const range = integerRange[dtype];
  if (range) return Number.isInteger(value) && value >= range[0] && value <= range[1];
  if (dtype === "<f4") {
    if (!Number.isFinite(value)) return true;
    // A float32 printed as a short decimal ("9.96921e+36") is not bit-equal to its double: allow half an ulp.
    return Math.abs(Math.fround(value) - value) <= Math.abs(value) * 2 ** -24 && Math.abs(value) <= 3.4028234663852886e38;
  }
  return true;
}

function same(a: number, b: number, dtype: QcDtype): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return dtype === "<f4" ? Math.fround(a) === Math.fround(b) : a === b;
}

export function checkFillValues(v: QcVariable): CfFinding[] {
  const out: CfFinding[] = [];
  const add = (severity: CfFinding["severity"], code: string, attribute: string, message: string) => out.push({ severity, code, variable: v.name, attribute, message });
  const unsigned = typeof v.attrs._Unsigned === "string" && v.attrs._Unsigned.toLowerCase() === "true";
  const fillAttr = v.attrs._FillValue;
  const fills = fillAttr !== undefined ? numbersOf(fillAttr) : v.fillValue !== undefined && v.fillValue !== null ? [v.fillValue] : [];

  if (typeof fillAttr === "string") add("error", "fill.type-mismatch", "_FillValue", `_FillValue is text, the variable is ${v.dtype}`);
  if (fills.length > 1) add("error", "fill.not-scalar", "_FillValue", `_FillValue must be a single value, got ${fills.length}`);
  const fill = fills[0];
  const declared = v.attrTypes?._FillValue;
  if (declared !== undefined && declared !== v.dtype) {
    add("error", "fill.type-mismatch", "_FillValue", `_FillValue is ${declared} but the variable is ${v.dtype}; netCDF requires the same type`);
  } else if (fill !== undefined && !unsigned && !representable(fill, v.dtype)) {
    add("error", "fill.type-mismatch", "_FillValue", `_FillValue ${fill} cannot be stored as ${v.dtype}`);
  }

  for (const attribute of ["valid_min", "valid_max", "valid_range", "missing_value"]) {
    const t = v.attrTypes?.[attribute];
    if (t !== undefined && t !== v.dtype) add("warning", "valid.type-mismatch", attribute, `${attribute} is ${t} but the variable is ${v.dtype} (CF §2.5.1: the type of the packed data)`);
    if (typeof v.attrs[attribute] === "string") add("error", "valid.type-mismatch", attribute, `${attribute} is text, the variable is ${v.dtype}`);
  }

  const range = numbersOf(v.attrs.valid_range);
  const vmin = numbersOf(v.attrs.valid_min);
  const vmax = numbersOf(v.attrs.valid_max);
  let lo: number | undefined;
  let hi: number | undefined;
  if (v.attrs.valid_range !== undefined) {
    if (range.length !== 2) add("error", "valid.malformed", "valid_range", `valid_range must have 2 values, got ${range.length}`);
    else [lo, hi] = range as [number, number];
    if (v.attrs.valid_min !== undefined || v.attrs.valid_max !== undefined) add("warning", "valid.redundant", "valid_range", "valid_range and valid_min/valid_max are both set (NUG: use one or the other)");
  } else {
    if (vmin.length > 1) add("error", "valid.malformed", "valid_min", `valid_min must be one value, got ${vmin.length}`);
    if (vmax.length > 1) add("error", "valid.malformed", "valid_max", `valid_max must be one value, got ${vmax.length}`);
    lo = vmin[0];
    hi = vmax[0];
  }
  if (lo !== undefined && hi !== undefined && !(lo < hi)) {
    add("error", "valid.order", v.attrs.valid_range !== undefined ? "valid_range" : "valid_min", `the valid range [${lo}, ${hi}] is empty or reversed: every value would be treated as missing`);
  }
  if (fill !== undefined && !Number.isNaN(fill) && (lo !== undefined || hi !== undefined) && (lo === undefined || fill >= lo) && (hi === undefined || fill <= hi)) {
    add("warning", "fill.in-valid-range", "_FillValue", `_FillValue ${fill} lies inside the valid range [${lo ?? "-inf"}, ${hi ?? "inf"}] (CF §2.5.1: it should lie outside)`);
  }

  const missing = numbersOf(v.attrs.missing_value);
  if (fill !== undefined && missing.length > 0 && !missing.some((m) => same(m, fill, v.dtype))) {
    add("error", "fill.missing-value-disagrees", "missing_value", `missing_value ${JSON.stringify(v.attrs.missing_value)} does not include _FillValue ${fill}: Zarr keeps one fill value, so the other marker would become data`);
  }
  for (const m of missing) {
    if (!unsigned && !representable(m, v.dtype)) add("error", "fill.type-mismatch", "missing_value", `missing_value ${m} cannot be stored as ${v.dtype}`);
  }
  return out;
}
