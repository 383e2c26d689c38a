// Per-cell statistics over time steps, as xarray computes them with skipna: values decoded as CF
// says (fill and missing values masked, scale_factor/add_offset applied), missing cells skipped,
// a cell with no value in the period missing. Accumulated in float64 in time order, so the Dask
// payload (apps/ingest-worker derive.py, the same loop in numpy) gives the same bits.
import { allocate } from "../dtype.js";
import type { AttrValue, Dtype, TypedArray } from "../types.js";
import type { Statistic } from "./options.js";

export interface Decoding {
  readonly fill: number | null;
  readonly missing: readonly number[];
  readonly scale: number;
  readonly offset: number;
}

function numbers(v: AttrValue | string[] | undefined): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === "number");
  return [];
}

/** `value` as the stored dtype holds it (1e37 as float32 is 9.99999993e36), as xarray compares raw values to it. */
function asStored(value: number, dtype: Dtype): number {
  if (dtype === "<i8" || dtype === "<u8") return value;
  const one = allocate(dtype, 1);
  (one as Float64Array)[0] = value;
  return Number(one[0]);
}

/** How to decode an array of `dtype` with these metadata (zarr fill value and netCDF attributes). */
export function decodingOf(fill: number | null, attrs: Record<string, AttrValue | string[]>, dtype: Dtype): Decoding {
  return {
    fill: fill === null ? null : asStored(fill, dtype),
    missing: numbers(attrs.missing_value).map((m) => asStored(m, dtype)),
    scale: numbers(attrs.scale_factor)[0] ?? 1,
    offset: numbers(attrs.add_offset)[0] ?? 0,
  };
}

/** Raw stored values to float64 with missing cells as NaN. */
export function decodeInto(raw: TypedArray, d: Decoding, out: Float64Array): Float64Array {
  const { fill, missing, scale, offset } = d;
  const packed = scale !== 1 || offset !== 0;
  for (let i = 0; i < out.length; i++) {
    const v = Number(raw[i]);
    if (v === fill || Number.isNaN(v) || (missing.length > 0 && missing.includes(v))) out[i] = NaN;
    else out[i] = packed ? v * scale + offset : v;
  }
  return out;
}

/** Accumulates decoded steps into one statistic per cell. */
export class Reducer {
  private readonly acc: Float64Array;
  private readonly count: Int32Array;

  constructor(private readonly statistic: Statistic, readonly cells: number) {
    this.acc = new Float64Array(cells).fill(statistic === "mean" ? 0 : NaN);
    this.count = new Int32Array(cells);
  }

  add(step: Float64Array): void {
    const { acc, count } = this;
    for (let i = 0; i < this.cells; i++) {
      const v = step[i] as number;
      if (Number.isNaN(v)) continue;
      if (this.statistic === "mean") acc[i] = (acc[i] as number) + v;
      else if (count[i] === 0 || (this.statistic === "max" ? v > (acc[i] as number) : v < (acc[i] as number))) acc[i] = v;
      count[i] = (count[i] as number) + 1;
    }
  }

  /** The statistic per cell (NaN where no step had a value), written into `out` with NaN as `fill`. */
  result(out: TypedArray, fill: number | null): TypedArray {
    const nan = fill === null ? NaN : fill;
    for (let i = 0; i < this.cells; i++) {
      const n = this.count[i] as number;
      const v = n === 0 ? NaN : this.statistic === "mean" ? (this.acc[i] as number) / n : (this.acc[i] as number);
      (out as Float64Array)[i] = Number.isNaN(v) ? nan : v;
    }
    return out;
  }
}

/** The CF cell_methods word for a statistic. */
export function cellMethod(statistic: Statistic): string {
  return statistic === "max" ? "maximum" : statistic === "min" ? "minimum" : "mean";
}
