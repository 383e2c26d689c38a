// Region writes and whole-array reads on Zarr v2 arrays. A region write touches only the
// chunks it overlaps; a chunk it covers partly is read, merged and replaced as one object.
import { allocate, asBytes, bytesPerElement, fillWith, viewBytes } from "../dtype.js";
import { copyBox, product } from "../ndarray.js";
import type { TypedArray } from "../source/types.js";
import { decodeChunk, encodeChunk } from "./codecs.js";
import { chunkKey, fillValueNumber, type ArrayMetaV2, type ZarrFormat } from "./metadata.js";
import type { ReadableStore, WritableStore } from "./store.js";

export interface RegionWriteStats {
  chunks: number;
  bytesWritten: number;
}

async function loadChunk(store: ReadableStore, path: string, meta: ArrayMetaV2, index: number[], format: ZarrFormat): Promise<TypedArray> {
  const stored = await store.get(chunkKey(path, index, format));
  const n = product(meta.chunks);
  if (stored === undefined) {
    const chunk = allocate(meta.dtype, n);
    fillWith(chunk, fillValueNumber(meta.fill_value));
    return chunk;
  }
  const raw = await decodeChunk(meta.compressor, stored);
  if (raw.byteLength !== n * bytesPerElement(meta.dtype)) throw new Error(`${store.url}/${path}: chunk ${index.join(".")} has ${raw.byteLength} bytes, expected ${n * bytesPerElement(meta.dtype)}`);
  return viewBytes(meta.dtype, raw);
}

/**
 * Writes `data` (C order, shape `count`) at `start` of the array `path`. `meta.shape` is the
 * shape the array will have once committed, which may exceed what readers see now.
 */
export async function writeRegion(
  store: WritableStore,
  path: string,
  meta: ArrayMetaV2,
  start: readonly number[],
  count: readonly number[],
  data: TypedArray,
  format: ZarrFormat = 2,
  parallel = 4,
): Promise<RegionWriteStats> {
  const n = meta.shape.length;
  const first = start.map((s, i) => Math.floor(s / (meta.chunks[i] ?? 1)));
  const last = start.map((s, i) => Math.floor((s + (count[i] ?? 1) - 1) / (meta.chunks[i] ?? 1)));
  const indices: number[][] = [];
  const walk = (dim: number, prefix: number[]): void => {
    if (dim === n) {
      indices.push(prefix);
      return;
    }
    for (let c = first[dim] ?? 0; c <= (last[dim] ?? 0); c++) walk(dim + 1, [...prefix, c]);
  };
  if (count.every((c) => c > 0)) walk(0, []);
  const stats: RegionWriteStats = { chunks: 0, bytesWritten: 0 };
  const one = async (index: number[]): Promise<void> => {
    const chunkStart = index.map((c, i) => c * (meta.chunks[i] ?? 1));
    const lo = chunkStart.map((c, i) => Math.max(c, start[i] ?? 0));
    const hi = chunkStart.map((c, i) => Math.min(c + (meta.chunks[i] ?? 1), (start[i] ?? 0) + (count[i] ?? 0)));
    const validHi = chunkStart.map((c, i) => Math.min(c + (meta.chunks[i] ?? 1), meta.shape[i] ?? 0));
    const covers = lo.every((l, i) => l === chunkStart[i] && hi[i] === validHi[i]);
    let chunk: TypedArray;
    const sameBox = covers && count.length === meta.chunks.length && count.every((c, i) => c === meta.chunks[i]) && lo.every((l, i) => l === start[i]);
    if (sameBox) {
      // The region is exactly one chunk: encode the caller's buffer, no copy.
      const encoded = await encodeChunk(meta.compressor, asBytes(data), bytesPerElement(meta.dtype));
      await store.set(chunkKey(path, index, format), encoded);
      stats.chunks += 1;
      stats.bytesWritten += encoded.byteLength;
      return;
    }
    if (covers) {
      chunk = allocate(meta.dtype, product(meta.chunks));
      fillWith(chunk, fillValueNumber(meta.fill_value));
    } else chunk = await loadChunk(store, path, meta, index, format);
    copyBox(
      data,
      count,
      lo.map((l, i) => l - (start[i] ?? 0)),
      chunk,
      meta.chunks,
      lo.map((l, i) => l - (chunkStart[i] ?? 0)),
      lo.map((l, i) => (hi[i] ?? 0) - l),
    );
    const encoded = await encodeChunk(meta.compressor, asBytes(chunk), bytesPerElement(meta.dtype));
    await store.set(chunkKey(path, index, format), encoded);
    stats.chunks += 1;
    stats.bytesWritten += encoded.byteLength;
  };
  for (let i = 0; i < indices.length; i += parallel) await Promise.all(indices.slice(i, i + parallel).map(one));
  return stats;
}

/** Reads a box of an array (for small arrays: coordinates, the grid, the time axis). */
export async function readRegion(store: ReadableStore, path: string, meta: ArrayMetaV2, start?: readonly number[], count?: readonly number[], format: ZarrFormat = 2): Promise<TypedArray> {
  const s = start ?? meta.shape.map(() => 0);
  const c = count ?? meta.shape;
  const out = allocate(meta.dtype, product(c));
  if (c.some((x) => x <= 0)) return out;
  const first = s.map((v, i) => Math.floor(v / (meta.chunks[i] ?? 1)));
  const last = s.map((v, i) => Math.floor((v + (c[i] ?? 1) - 1) / (meta.chunks[i] ?? 1)));
  const visit = async (dim: number, index: number[]): Promise<void> => {
    if (dim < meta.shape.length) {
      for (let k = first[dim] ?? 0; k <= (last[dim] ?? 0); k++) await visit(dim + 1, [...index, k]);
      return;
    }
    const chunk = await loadChunk(store, path, meta, index, format);
    const chunkStart = index.map((k, i) => k * (meta.chunks[i] ?? 1));
    const lo = chunkStart.map((cs, i) => Math.max(cs, s[i] ?? 0));
    const hi = chunkStart.map((cs, i) => Math.min(cs + (meta.chunks[i] ?? 1), (s[i] ?? 0) + (c[i] ?? 0)));
    copyBox(chunk, meta.chunks, lo.map((l, i) => l - (chunkStart[i] ?? 0)), out, c, lo.map((l, i) => l - (s[i] ?? 0)), lo.map((l, i) => (hi[i] ?? 0) - l));
  };
  await visit(0, []);
  return out;
}
