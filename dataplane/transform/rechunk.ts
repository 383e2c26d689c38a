// The time-series layout's chunk sizes, chosen from the data when the spec leaves them out:
// about 30 days of steps per chunk (720 hourly steps, the series a tide-gauge comparison reads),
// at most 8760; square spatial tiles sized so a chunk is about 1 MiB uncompressed; every other
// dimension (levels) in chunks of one. Pure.
import type { RechunkOptions } from "./options.js";

const TARGET_BYTES = 1 << 20;
const DAY = 86_400_000;

export function timeChunkFor(r: RechunkOptions, stepMs: number | undefined): number {
  if (r.timeChunk !== undefined) return r.timeChunk;
  const step = stepMs !== undefined && stepMs > 0 ? stepMs : 3_600_000;
  return Math.max(1, Math.min(8760, Math.round((30 * DAY) / step)));
}

export function tileFor(r: RechunkOptions, itemsize: number, timeChunk: number): number {
  if (r.tile !== undefined) return r.tile;
  return Math.max(1, Math.floor(Math.sqrt(TARGET_BYTES / (itemsize * timeChunk))));
}

/**
 * Chunks of an array (time first) in the time-series layout. The horizontal dimensions are the
 * last two (a structured grid: tile x tile) or the last one (an unstructured mesh: tile² nodes).
 */
export function seriesChunks(shape: readonly number[], timeChunk: number, tile: number, horizontal: 1 | 2): number[] {
  return shape.map((n, i) => {
    if (i === 0) return timeChunk;
    if (i >= shape.length - horizontal) return Math.max(1, Math.min(horizontal === 2 ? tile : tile * tile, n));
    return 1;
  });
}
