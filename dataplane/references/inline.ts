// Small variables go into the reference document itself, as kerchunk does: one chunk holding
// the whole array, raw little-endian bytes behind a "base64:" prefix. That saves a range request
// per coordinate and lets a time axis gathered from many files be one array.
import { asBytes } from "../dtype.js";
import type { Dtype, TypedArray } from "../source/types.js";

/**
 * Arrays of at most this many bytes are inlined (kerchunk's default for HDF5). 500 bytes holds
 * small grids, scalars and per-file coordinates; anything larger is referenced in place.
 */
export const DEFAULT_INLINE_THRESHOLD = 500;

export function inlineData(data: TypedArray): string {
  return `base64:${Buffer.from(asBytes(data)).toString("base64")}`;
}

/** Whether a variable's values are inlined whatever its size: one value per time step along the aggregation. */
export function isStepCoordinate(v: { dims: readonly string[] }, concatDim: string | undefined): boolean {
  return concatDim !== undefined && v.dims.length === 1 && v.dims[0] === concatDim;
}

export function byteSize(dtype: Dtype | string, shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, Number(dtype.slice(2)));
}
