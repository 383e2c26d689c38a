// Block means of a 2-D field, one band of rows at a time: the arithmetic of the overview levels.
// Sums and counts are carried from level to level, so level k computed from level k-1 equals the
// mean over the 2^k x 2^k block of level 0 (clipped at the edges) that the contract defines.
// Pure; the writer (writer.ts) does the reading and writing.

/** Sums and counts of the valid level-0 values in each block of one band. */
export interface Blocks {
  rows: number;
  cols: number;
  sums: Float64Array;
  counts: Uint32Array;
}

/** A numeric typed array or plain array (bigint arrays are converted by the caller). */
export type Values = ArrayLike<number>;

export interface Validity {
  /** Land mask of the band (1 water, 0 land), same shape as the values. */
  mask?: Uint8Array | undefined;
  /** Values that mean "no data" (the fill value, `missing_value`); NaN and infinities never count. */
  missing?: readonly number[];
}

/** Number of cells of a side of `n` cells at level k (each level halves, rounding up). */
export function levelSize(n: number, k: number): number {
  let m = n;
  for (let i = 0; i < k; i++) m = Math.ceil(m / 2);
  return m;
}

/**
 * Levels needed until the longest side is at most `threshold` (4500 -> 2250, 1125, 563, 282: 4);
 * 0 when it already is.
 */
export function levelCount(sides: readonly number[], threshold: number): number {
  const longest = Math.max(0, ...sides);
  if (!(longest > threshold)) return 0;
  let k = 0;
  while (levelSize(longest, k) > threshold) k++;
  return k;
}

/**
 * Level-1 blocks (2x2) of a band of level-0 values (`rows` x `cols`, C order; the band starts on
 * an even row). A value counts when it is finite, not a missing value, and water (mask 1) when
 * there is a mask.
 */
export function blockSums(values: Values, rows: number, cols: number, validity: Validity = {}): Blocks {
  const br = Math.ceil(rows / 2);
  const bc = Math.ceil(cols / 2);
  const sums = new Float64Array(br * bc);
  const counts = new Uint32Array(br * bc);
  const { mask } = validity;
  const missing = validity.missing?.filter((m) => Number.isFinite(m)) ?? [];
  // Unrolled for the common case of one missing value: this loop sees every level-0 value.
  const m0 = missing[0] ?? NaN;
  const more = missing.slice(1);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const out = (r >> 1) * bc;
    for (let c = 0; c < cols; c++) {
      const k = row + c;
      if (mask !== undefined && mask[k] === 0) continue;
      const v = values[k] as number;
      if (!Number.isFinite(v) || v === m0 || (more.length > 0 && more.includes(v))) continue;
      const o = out + (c >> 1);
      sums[o] = (sums[o] as number) + v;
      counts[o] = (counts[o] as number) + 1;
    }
  }
  return { rows: br, cols: bc, sums, counts };
}

/** The next level's blocks: each 2x2 group of blocks summed (clipped at the edges). */
export function reduceBlocks(b: Blocks): Blocks {
  const rows = Math.ceil(b.rows / 2);
  const cols = Math.ceil(b.cols / 2);
  const sums = new Float64Array(rows * cols);
  const counts = new Uint32Array(rows * cols);
  for (let r = 0; r < b.rows; r++) {
    const out = (r >> 1) * cols;
    for (let c = 0; c < b.cols; c++) {
      const k = r * b.cols + c;
      const n = b.counts[k] as number;
      if (n === 0) continue;
      const o = out + (c >> 1);
      sums[o] = (sums[o] as number) + (b.sums[k] as number);
      counts[o] = (counts[o] as number) + n;
    }
  }
  return { rows, cols, sums, counts };
}

/** Writes each block's mean into `out` (row-major, `b.cols` wide) from element `offset`; NaN where no value counted. */
export function meansInto(b: Blocks, out: Float32Array | Float64Array, offset = 0): void {
  for (let k = 0; k < b.sums.length; k++) {
    const n = b.counts[k] as number;
    out[offset + k] = n === 0 ? NaN : (b.sums[k] as number) / n;
  }
}

/** Writes 1 where a block had any counted cell (a water mask: some water in the block), else 0. */
export function anyInto(b: Blocks, out: { [k: number]: number }, offset = 0): void {
  for (let k = 0; k < b.counts.length; k++) out[offset + k] = (b.counts[k] as number) > 0 ? 1 : 0;
}

/** A water mask (1 water) of level-0 mask values: nonzero and finite is water. */
export function waterMask(values: Values, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    out[k] = Number.isFinite(v) && v !== 0 ? 1 : 0;
  }
  return out;
}

/**
 * Every level 1..levels of one band: `emit(k, blocks)` for each, level 1 from the values and
 * each next from the previous (the band must start on a row that is a multiple of 2^levels).
 */
export function bandLevels(values: Values, rows: number, cols: number, levels: number, validity: Validity, emit: (k: number, b: Blocks) => void): void {
  if (levels < 1) return;
  let b = blockSums(values, rows, cols, validity);
  emit(1, b);
  for (let k = 2; k <= levels; k++) {
    b = reduceBlocks(b);
    emit(k, b);
  }
}
