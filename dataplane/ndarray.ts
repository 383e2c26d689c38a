// Hyperslab copies between C-ordered flat arrays: the one piece of n-d logic that chunking,
// region writes and source slicing share. Copies whole innermost runs with TypedArray.set.
import type { TypedArray } from "./types.js";

export function product(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] ?? 1) * (shape[i + 1] ?? 1);
  return strides;
}

/**
 * Copies the box of size `count` starting at `srcStart` in `src` (shape `srcShape`) to
 * `dstStart` in `dst` (shape `dstShape`). All arrays C order, same element type.
 */
export function copyBox(
  src: TypedArray,
  srcShape: readonly number[],
  srcStart: readonly number[],
  dst: TypedArray,
  dstShape: readonly number[],
  dstStart: readonly number[],
  count: readonly number[],
): void {
  const n = count.length;
  if (n === 0) {
    (dst as Float64Array)[0] = (src as Float64Array)[0] as number;
    return;
  }
  if (count.some((c) => c <= 0)) return;
  const ss = stridesOf(srcShape);
  const ds = stridesOf(dstShape);
  const run = count[n - 1] ?? 1;
  const idx = new Array<number>(n - 1).fill(0);
  const setter = dst as unknown as { set(a: ArrayLike<number | bigint>, o: number): void };
  const sub = src as unknown as { subarray(a: number, b: number): ArrayLike<number | bigint> };
  for (;;) {
    let so = srcStart[n - 1] ?? 0;
    let doff = dstStart[n - 1] ?? 0;
    for (let d = 0; d < n - 1; d++) {
      so += ((srcStart[d] ?? 0) + (idx[d] ?? 0)) * (ss[d] ?? 0);
      doff += ((dstStart[d] ?? 0) + (idx[d] ?? 0)) * (ds[d] ?? 0);
    }
    setter.set(sub.subarray(so, so + run), doff);
    let d = n - 2;
    while (d >= 0) {
      idx[d] = (idx[d] ?? 0) + 1;
      if ((idx[d] ?? 0) < (count[d] ?? 0)) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}
