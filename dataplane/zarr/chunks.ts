// Region writes and box reads on Zarr arrays (v2 or v3), through one handle that carries the
// array's store, path, metadata and format: a reader cannot ask for v2 chunk keys of a v3 store.
// A region write touches only the chunks it overlaps; a chunk it covers partly is read, merged
// and replaced as one object.
import { allocate, asBytes, bytesPerElement, fillWith, viewBytes } from "../dtype.js";
import { copyBox, product } from "../ndarray.js";
import type { Dtype, StoredDtype, TypedArray } from "../types.js";
import type { StepBlocks } from "../source/types.js";
import { unshuffle } from "../source/hdf5-chunks.js";
import { encodeBloscLz4Blocks } from "./blosc-lz4.js";
import { bytePool } from "../buffer-pool.js";
import { inLanes } from "../lanes.js";
import { decodeChunk, encodeChunkPooled } from "./codecs.js";
import { chunkKey, fillValueNumber, type ArrayMetaV2, type StoreState, type ZarrFormat } from "./metadata.js";
import type { ReadableStore, StoreKey, WritableStore } from "./store.js";

/** One Zarr array: where it is, its metadata and its format. Every chunk access goes through one. */
export interface ZarrArray<S extends ReadableStore = ReadableStore> {
  readonly store: S;
  /** Path in the hierarchy, no leading slash ("ocean_time", "forecast/zeta"). */
  readonly path: string;
  readonly meta: ArrayMetaV2;
  readonly format: ZarrFormat;
}

/** The handle of a committed array of `state` (what readConsolidated returned), or undefined. */
export function arrayOf<S extends ReadableStore>(store: S, state: Pick<StoreState<unknown>, "format" | "hierarchy">, path: string): ZarrArray<S> | undefined {
  const node = state.hierarchy.arrays[path];
  return node === undefined ? undefined : { store, path, meta: node.meta, format: state.format };
}

/** The key of one chunk of `array`: `path/0.1` in v2, `path/c/0/1` in v3. */
export function chunkKeyOf(array: Pick<ZarrArray, "path" | "format">, index: readonly number[]): StoreKey {
  return chunkKey(array.path, index, array.format);
}

/**
 * Indices of the chunks (chunk shape `chunks`) that the box [start, start + count) overlaps, in C
 * order; none when the box is empty. The one walk over a chunk grid that reads and writes share.
 */
export function chunksOverlapping(chunks: readonly number[], start: readonly number[], count: readonly number[]): number[][] {
  if (count.some((c) => c <= 0)) return [];
  const first = start.map((s, i) => Math.floor(s / (chunks[i] ?? 1)));
  const last = start.map((s, i) => Math.floor((s + (count[i] ?? 1) - 1) / (chunks[i] ?? 1)));
  const out: number[][] = [];
  const index = [...first];
  for (;;) {
    out.push([...index]);
    let d = index.length - 1;
    while (d >= 0 && (index[d] ?? 0) >= (last[d] ?? 0)) {
      index[d] = first[d] ?? 0;
      d--;
    }
    if (d < 0) return out;
    index[d] = (index[d] ?? 0) + 1;
  }
}

/** The typed array that holds a dtype's elements: char (`|S1`) bytes are held as `|u1`. */
export function held(dtype: StoredDtype): Dtype {
  return dtype === "|S1" ? "|u1" : dtype;
}

export interface RegionWriteStats {
  chunks: number;
  bytesWritten: number;
}

async function loadChunk(array: ZarrArray, index: number[]): Promise<TypedArray> {
  const { store, path, meta } = array;
  const stored = await store.get(chunkKeyOf(array, index));
  const n = product(meta.chunks);
  if (stored === undefined) {
    const chunk = allocate(held(meta.dtype), n);
    fillWith(chunk, fillValueNumber(meta.fill_value));
    return chunk;
  }
  const raw = await decodeChunk(meta.compressor, stored);
  if (raw.byteLength !== n * bytesPerElement(held(meta.dtype))) throw new Error(`${store.url}/${path}: chunk ${index.join(".")} has ${raw.byteLength} bytes, expected ${n * bytesPerElement(held(meta.dtype))}`);
  return viewBytes(held(meta.dtype), raw);
}

/** Encodes one chunk and stores it; an encoding buffer from the pool goes back once stored. */
async function storeEncoded(store: WritableStore, key: StoreKey, meta: ArrayMetaV2, raw: Uint8Array, stats: RegionWriteStats): Promise<void> {
  const { bytes, pooled } = await encodeChunkPooled(meta.compressor, raw, bytesPerElement(held(meta.dtype)), bytePool);
  try {
    await store.set(key, bytes);
  } finally {
    if (pooled) bytePool.give(bytes);
  }
  stats.chunks += 1;
  stats.bytesWritten += bytes.byteLength;
}

/**
 * Writes `data` (C order, shape `count`) at `start` of the array `path`. `meta.shape` is the
 * shape the array will have once committed, which may exceed what readers see now.
 */
export async function writeRegion(array: ZarrArray<WritableStore>, start: readonly number[], count: readonly number[], data: TypedArray, parallel = 4): Promise<RegionWriteStats> {
  const { store, meta } = array;
  const indices = chunksOverlapping(meta.chunks, start, count);
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
      await storeEncoded(store, chunkKeyOf(array, index), meta, asBytes(data), stats);
      return;
    }
    if (covers) {
      chunk = allocate(held(meta.dtype), product(meta.chunks));
      fillWith(chunk, fillValueNumber(meta.fill_value));
    } else chunk = await loadChunk(array, index);
    copyBox(
      data,
      count,
      lo.map((l, i) => l - (start[i] ?? 0)),
      chunk,
      meta.chunks,
      lo.map((l, i) => l - (chunkStart[i] ?? 0)),
      lo.map((l, i) => (hi[i] ?? 0) - l),
    );
    await storeEncoded(store, chunkKeyOf(array, index), meta, asBytes(chunk), stats);
  };
  for (let i = 0; i < indices.length; i += parallel) await Promise.all(indices.slice(i, i + parallel).map(one));
  return stats;
}

/** Reads a box of an array (for small arrays: coordinates, the grid, the time axis). */
export async function readRegion(array: ZarrArray, start?: readonly number[], count?: readonly number[]): Promise<TypedArray> {
  const { meta } = array;
  const s = start ?? meta.shape.map(() => 0);
  const c = count ?? meta.shape;
  const out = allocate(held(meta.dtype), product(c));
  if (c.some((x) => x <= 0)) return out;
  for (const index of chunksOverlapping(meta.chunks, s, c)) {
    const chunk = await loadChunk(array, index);
    const chunkStart = index.map((k, i) => k * (meta.chunks[i] ?? 1));
    const lo = chunkStart.map((cs, i) => Math.max(cs, s[i] ?? 0));
    const hi = chunkStart.map((cs, i) => Math.min(cs + (meta.chunks[i] ?? 1), (s[i] ?? 0) + (c[i] ?? 0)));
    copyBox(chunk, meta.chunks, lo.map((l, i) => l - (chunkStart[i] ?? 0)), out, c, lo.map((l, i) => l - (s[i] ?? 0)), lo.map((l, i) => (hi[i] ?? 0) - l));
  }
  return out;
}

/** True when one chunk of `meta` is exactly one step along the first dimension (the default chunking). */
export function chunkIsOneStep(meta: ArrayMetaV2): boolean {
  return meta.chunks[0] === 1 && meta.chunks.every((c, i) => i === 0 || c === meta.shape[i]);
}

/**
 * Writes one step given as stored source blocks into the chunk at `target` (the array's chunks
 * must be single steps, `chunkIsOneStep`). blosc-lz4 takes HDF5-shuffled blocks as they are;
 * other codecs get the blocks unshuffled straight into one recycled step buffer.
 */
export async function writeStepBlocks(array: ZarrArray<WritableStore>, target: number, blocks: StepBlocks): Promise<RegionWriteStats> {
  const { store, path, meta } = array;
  if (!chunkIsOneStep(meta)) throw new Error(`${path}: chunks ${meta.chunks.join("x")} are not single steps of ${meta.shape.join("x")}`);
  const itemsize = bytesPerElement(held(meta.dtype));
  const nbytes = product(meta.chunks) * itemsize;
  if (blocks.blockBytes * blocks.count !== nbytes) throw new Error(`${path}: ${blocks.count} source blocks of ${blocks.blockBytes} bytes do not make one step of ${nbytes} bytes`);
  const key = chunkKeyOf(array, meta.chunks.map((_, i) => (i === 0 ? target : 0)));
  const c = meta.compressor;
  if (c !== null && c.id === "blosc" && c.cname === "lz4" && Number(c.shuffle) === 1 && blocks.blockBytes >= 128) {
    // The largest frame these blocks can make (every block stored raw): one size class per variable.
    const room = bytePool.take(16 + 8 * blocks.count + nbytes);
    const frame = await encodeBloscLz4Blocks({ typesize: itemsize, blocksize: blocks.blockBytes, nblocks: blocks.count, nbytes, block: (i) => blocks.read(i), room, clevel: Number(c.clevel ?? 5) });
    try {
      await store.set(key, frame);
    } finally {
      bytePool.give(room);
    }
    return { chunks: 1, bytesWritten: frame.byteLength };
  }
  // Raw chunks are stored as they are, so their buffer must not be recycled.
  const step = c === null ? new Uint8Array(nbytes) : bytePool.take(nbytes);
  try {
    // inLanes waits for every lane before rethrowing, so `step` never goes back to the pool
    // (finally below) while a lane still inflates into it.
    await inLanes(0, blocks.count, 4, async (i) => {
      const into = step.subarray(i * blocks.blockBytes, (i + 1) * blocks.blockBytes);
      if (blocks.readInto !== undefined && (await blocks.readInto(i, into))) return;
      const { bytes, shuffled, pooled } = await blocks.read(i);
      if (shuffled) unshuffle(bytes, itemsize, into);
      else into.set(bytes);
      if (pooled === true) bytePool.give(bytes);
    });
    const stats: RegionWriteStats = { chunks: 0, bytesWritten: 0 };
    await storeEncoded(store, key, meta, step, stats);
    return stats;
  } finally {
    if (c !== null) bytePool.give(step);
  }
}
