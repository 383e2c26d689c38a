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

/** `into` when it has room for rows x cols blocks (zeroed), else new buffers: a band's blocks are reused from band to band. */
function blocksFor(rows: number, cols: number, into?: Blocks): Blocks {
  const n = rows * cols;
  if (into !== undefined && into.sums.length >= n) {
    const sums = into.sums.subarray(0, n);
    const counts = into.counts.subarray(0, n);
    sums.fill(0);
    counts.fill(0);
    return { rows, cols, sums, counts };
  }
  return { rows, cols, sums: new Float64Array(n), counts: new Uint32Array(n) };
}

/**
 * Level-1 blocks (2x2) of a band of level-0 values (`rows` x `cols`, C order; the band starts on
 * an even row). A value counts when it is finite, not a missing value, and water (mask 1) when
 * there is a mask. This loop sees every level-0 value, so it is kept plain: `v - v` is 0 only for
 * finite numbers, and the mask test is hoisted out when there is none.
 */
export function blockSums(values: Values, rows: number, cols: number, validity: Validity = {}, into?: Blocks): Blocks {
  const bc = Math.ceil(cols / 2);
  const b = blocksFor(Math.ceil(rows / 2), bc, into);
  const { sums, counts } = b;
  const { mask } = validity;
  const missing = validity.missing?.filter((m) => Number.isFinite(m)) ?? [];
  const m0 = missing[0] ?? NaN;
  const m1 = missing[1] ?? NaN;
  const more = missing.slice(2);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const out = (r >> 1) * bc;
    for (let c = 0; c < cols; c++) {
      const k = row + c;
      if (mask !== undefined && mask[k] === 0) continue;
      const v = values[k] as number;
      if (v - v !== 0 || v === m0 || v === m1 || (more.length > 0 && more.includes(v))) continue;
      const o = out + (c >> 1);
      sums[o] = (sums[o] as number) + v;
      counts[o] = (counts[o] as number) + 1;
    }
  }
  return b;
}

/** The next level's blocks: each 2x2 group of blocks summed (clipped at the edges). */
export function reduceBlocks(b: Blocks, into?: Blocks): Blocks {
  const out = blocksFor(Math.ceil(b.rows / 2), Math.ceil(b.cols / 2), into);
  const { sums, counts, cols } = out;
  for (let r = 0; r < b.rows; r++) {
    const row = (r >> 1) * cols;
    for (let c = 0; c < b.cols; c++) {
      const k = r * b.cols + c;
      const n = b.counts[k] as number;
      if (n === 0) continue;
      const o = row + (c >> 1);
      sums[o] = (sums[o] as number) + (b.sums[k] as number);
      counts[o] = (counts[o] as number) + n;
    }
  }
  return out;
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
 * `buffers` keeps each level's blocks for the next band of the same size or smaller.
 */
export function bandLevels(values: Values, rows: number, cols: number, levels: number, validity: Validity, emit: (k: number, b: Blocks) => void, buffers: Blocks[] = []): void {
  if (levels < 1) return;
  let b = blockSums(values, rows, cols, validity, buffers[0]);
  buffers[0] = b;
  emit(1, b);
  for (let k = 2; k <= levels; k++) {
    b = reduceBlocks(b, buffers[k - 1]);
    buffers[k - 1] = b;
    emit(k, b);
  }
}
