// Block means of longitudes, which wrap: RTOFS runs 74..360 then 0..74 along a row, and a plain
// mean of 359.92, 360.0, 0.08, 0.16 is 180.04, not 0.04. Each block is averaged in whichever of
// two normalisations keeps it in one piece: [-180, 180) when its values there span at most 180
// degrees, else [0, 360) (where a block across the antimeridian is whole). Sums, counts and the
// extremes of both are carried from level to level like block-mean.ts's sums, so level k is the
// plain mean of its 2^k x 2^k block wherever the block does not straddle a wrap, and the unwrapped
// mean where it does. Means are then put back into level 0's own range, [min, min + 360), which
// leaves them untouched when nothing wraps. Pure.

export interface LonBlocks {
  rows: number;
  cols: number;
  counts: Uint32Array;
  /** Sums, minima and maxima of the values normalised into [-180, 180) (b) and [0, 360) (a). */
  sumB: Float64Array;
  minB: Float64Array;
  maxB: Float64Array;
  sumA: Float64Array;
  minA: Float64Array;
  maxA: Float64Array;
}

function empty(rows: number, cols: number): LonBlocks {
  const n = rows * cols;
  return {
    rows, cols, counts: new Uint32Array(n),
    sumB: new Float64Array(n), minB: new Float64Array(n).fill(Infinity), maxB: new Float64Array(n).fill(-Infinity),
    sumA: new Float64Array(n), minA: new Float64Array(n).fill(Infinity), maxA: new Float64Array(n).fill(-Infinity),
  };
}

// Values already in range are kept bit for bit (a plain mean of them is then exactly level 0's).
const into360 = (v: number): number => (v >= 0 && v < 360 ? v : ((v % 360) + 360) % 360);
const into180 = (v: number): number => (v >= -180 && v < 180 ? v : into360(v + 180) - 180);

function add(b: LonBlocks, o: number, n: number, sB: number, loB: number, hiB: number, sA: number, loA: number, hiA: number): void {
  b.counts[o] = (b.counts[o] as number) + n;
  b.sumB[o] = (b.sumB[o] as number) + sB;
  b.sumA[o] = (b.sumA[o] as number) + sA;
  if (loB < (b.minB[o] as number)) b.minB[o] = loB;
  if (hiB > (b.maxB[o] as number)) b.maxB[o] = hiB;
  if (loA < (b.minA[o] as number)) b.minA[o] = loA;
  if (hiA > (b.maxA[o] as number)) b.maxA[o] = hiA;
}

/** Level-1 blocks (2x2) of a band of longitudes (`rows` x `cols`); non-finite values do not count. */
export function lonBlockSums(values: ArrayLike<number>, rows: number, cols: number): LonBlocks {
  const b = empty(Math.ceil(rows / 2), Math.ceil(cols / 2));
  const { counts, sumB, minB, maxB, sumA, minA, maxA } = b;
  // Every level-0 longitude passes here once: kept inline (add() is for the 4x smaller reductions).
  for (let r = 0; r < rows; r++) {
    const out = (r >> 1) * b.cols;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c] as number;
      if (v - v !== 0) continue;
      const vb = into180(v);
      const va = into360(v);
      const o = out + (c >> 1);
      counts[o] = (counts[o] as number) + 1;
      sumB[o] = (sumB[o] as number) + vb;
      sumA[o] = (sumA[o] as number) + va;
      if (vb < (minB[o] as number)) minB[o] = vb;
      if (vb > (maxB[o] as number)) maxB[o] = vb;
      if (va < (minA[o] as number)) minA[o] = va;
      if (va > (maxA[o] as number)) maxA[o] = va;
    }
  }
  return b;
}

export function reduceLonBlocks(b: LonBlocks): LonBlocks {
  const out = empty(Math.ceil(b.rows / 2), Math.ceil(b.cols / 2));
  for (let r = 0; r < b.rows; r++)
    for (let c = 0; c < b.cols; c++) {
      const k = r * b.cols + c;
      const n = b.counts[k] as number;
      if (n > 0) add(out, (r >> 1) * out.cols + (c >> 1), n, b.sumB[k] as number, b.minB[k] as number, b.maxB[k] as number, b.sumA[k] as number, b.minA[k] as number, b.maxA[k] as number);
    }
  return out;
}

/** Each block's mean, in the normalisation that keeps the block whole; NaN where none counted. `intoRange` then puts them in level 0's range. */
export function lonMeansInto(b: LonBlocks, out: Float32Array | Float64Array, offset = 0): void {
  for (let k = 0; k < b.counts.length; k++) {
    const n = b.counts[k] as number;
    const whole = (b.maxB[k] as number) - (b.minB[k] as number) <= 180;
    out[offset + k] = n === 0 ? NaN : whole ? (b.sumB[k] as number) / n : (b.sumA[k] as number) / n;
  }
}

/** Puts longitudes into [lo, lo + 360), lo being level 0's smallest (values already there are left exactly as they are). */
export function intoRange(out: Float32Array | Float64Array, lo: number): void {
  if (!Number.isFinite(lo)) return;
  for (let k = 0; k < out.length; k++) {
    const m = out[k] as number;
    if (m < lo || m >= lo + 360) out[k] = lo + into360(m - lo);
  }
}

/** Levels 1..levels of one band of longitudes (see block-mean.ts bandLevels). */
export function lonBandLevels(values: ArrayLike<number>, rows: number, cols: number, levels: number, emit: (k: number, b: LonBlocks) => void): void {
  if (levels < 1) return;
  let b = lonBlockSums(values, rows, cols);
  emit(1, b);
  for (let k = 2; k <= levels; k++) {
    b = reduceLonBlocks(b);
    emit(k, b);
  }
}
