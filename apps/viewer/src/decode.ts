// CF decoding of raw Zarr values, as xarray does it: the Zarr fill_value, _FillValue and
// missing_value (compared in the stored, packed type) become NaN, then scale_factor and
// add_offset unpack the rest. Pure: the unit tests run it in node.

export type Attrs = Record<string, unknown>;

export interface ArrayMeta {
  shape: number[];
  chunks: number[];
  dtype: string;
  fill_value: unknown;
}

function numbers(v: unknown): number[] {
  if (typeof v === "number") return [v];
  if (typeof v === "string" && /^(NaN|-?Infinity)$/.test(v)) return [Number(v)];
  if (Array.isArray(v)) return v.flatMap(numbers);
  return [];
}

function scalar(v: unknown, name: string): number | undefined {
  const n = numbers(v);
  if (n.length === 0) {
    if (v !== undefined && v !== null) throw new Error(`${name}: expected a number, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return n[0];
}

/** The packed values that mean "no data" for an array (Zarr fill_value, _FillValue, missing_value). */
export function missingValues(meta: ArrayMeta, attrs: Attrs): number[] {
  return [...numbers(meta.fill_value), ...numbers(attrs["_FillValue"]), ...numbers(attrs["missing_value"])];
}

/** Writes the CF-decoded `raw` into `out` (NaN where missing); `out`'s type sets the precision. */
function decodeInto<T extends Float32Array | Float64Array>(raw: ArrayLike<number | bigint>, meta: ArrayMeta, attrs: Attrs, out: T): T {
  const scale = scalar(attrs["scale_factor"], "scale_factor") ?? 1;
  const offset = scalar(attrs["add_offset"], "add_offset") ?? 0;
  const missing = missingValues(meta, attrs).filter((m) => !Number.isNaN(m));
  // Float data compares missing values in its own precision (float32 1e37 is not the double 1e37).
  const f32 = meta.dtype.endsWith("f4");
  const holes = new Set(missing.map((m) => (f32 ? Math.fround(m) : m)));
  for (let i = 0; i < raw.length; i++) {
    const v = Number(raw[i]);
    out[i] = Number.isNaN(v) || holes.has(v) ? NaN : v * scale + offset;
  }
  return out;
}

/**
 * Decoded values as float32, NaN where the data is missing. `raw` is what zarrita returns for the
 * selection (any typed array, BigInt arrays included), in C order.
 */
export function decodeValues(raw: ArrayLike<number | bigint>, meta: ArrayMeta, attrs: Attrs): Float32Array {
  return decodeInto(raw, meta, attrs, new Float32Array(raw.length));
}

/**
 * A CF time coordinate's values ("<unit> since <date>") decoded in float64. Float32 is not enough
 * for time: ROMS' seconds since 2016 are about 3.4e8 in 2026, where float32 values are 32 s
 * apart, so 01:00:00 read as float32 is 00:59:44. Integer seconds below 2^53 stay exact.
 */
export function decodeTimeValues(raw: ArrayLike<number | bigint>, meta: ArrayMeta, attrs: Attrs): Float64Array {
  return decodeInto(raw, meta, attrs, new Float64Array(raw.length));
}

/** `_ARRAY_DIMENSIONS` of an array, or an error naming the array. */
export function arrayDims(name: string, attrs: Attrs): string[] {
  const d = attrs["_ARRAY_DIMENSIONS"];
  if (!Array.isArray(d) || !d.every((x) => typeof x === "string")) throw new Error(`${name}/.zattrs: _ARRAY_DIMENSIONS missing (not an xarray-style Zarr v2 array)`);
  return d as string[];
}
