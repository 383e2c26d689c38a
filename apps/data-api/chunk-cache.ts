// Box reads over Zarr arrays (v2 or v3) through an LRU of decoded chunks. Each chunk is decoded once
// and then served from memory until the LRU evicts it or its dataset is invalidated. Cache keys
// carry a scope (dataset id and generation), so invalidating a dataset makes its old chunks
// unreachable. The chunks are one region of the data API's single memory budget (cache-budget.ts).
//
// Decoding: a zlib/gzip chunk (what the ingest writes by default) is inflated by the native
// codecs (libdeflate, on libuv's thread pool) straight into the typed array that is cached. Other
// codecs, missing chunks (fill values) and machines without the addon take the data plane's
// readRegion over exactly that chunk. A query's missing chunks are decoded concurrently, at most
// DECODES at once in the whole process.
//
// Memory: a decode first reserves its chunk's bytes in the budget, evicting least recently used
// entries until they fit, so chunks being decoded count too. Under a burst of distinct queries
// every new chunk evicts an old one; when the evicted one has about the same byte size (the usual
// case: one step of one variable), the new chunk is inflated into its memory instead of a fresh
// allocation, so the churn makes no garbage waiting for V8 to collect it (which drove RSS well
// above the budget before). That is safe because no chunk is ever held across an await outside
// this class: a cached chunk is copied out synchronously, and every request waiting for a chunk
// being decoded copies it synchronously when it arrives, before it enters the LRU.
import { chunkKeyOf, chunksOverlapping, readRegion, type TypedArray, type ZarrArray } from "../../dataplane/index.js";
import { allocate, bytesPerElement, viewBytes } from "../../dataplane/dtype.js";
import { nativeCodecs } from "../../dataplane/native-codecs.js";
import { held } from "../../dataplane/zarr/chunks.js";
import { CacheBudget, type BudgetRegion } from "./cache-budget.js";

/** Chunks decoded at once, process-wide: libuv's default thread pool size. */
export const DECODES = 4;

/** A counting semaphore: `run` waits for one of `size` slots. */
class Gate {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((ok) => this.waiting.push(ok));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.free += 1;
    }
  }
}

interface Chunk {
  data: TypedArray;
  /** Extent of `data` (the whole chunk as stored, or clipped at the array's edges). */
  shape: number[];
  strides: number[];
}

export interface ChunkSource {
  /** "<dataset>#<generation>": what invalidation removes. */
  scope: string;
}

export class ChunkCache {
  // Keys are numbers (array id * 2^32 + flat chunk number): hashing a fresh string per chunk
  // cost more than the copy itself on a warm time series.
  private readonly lru: BudgetRegion<number, Chunk>;
  readonly budget: CacheBudget;
  /** Chunks being decoded: the requests waiting (each copies its part when it arrives) and the outcome. */
  private readonly inflight = new Map<number, { waiters: Array<(chunk: Chunk) => void>; done: Promise<void> }>();
  private readonly decodes = new Gate(DECODES);
  private readonly arrayIds = new Map<string, number>();
  private readonly arrayNames = new Map<number, string>();
  private nextArrayId = 1;
  hits = 0;
  misses = 0;
  /** Chunks decoded into the memory of an evicted one. */
  reused = 0;

  /** @param budget the data API's budget, or a byte count for a budget of the chunks' own */
  constructor(budget: CacheBudget | number) {
    this.budget = typeof budget === "number" ? new CacheBudget(budget) : budget;
    this.lru = this.budget.chunks<Chunk>();
  }

  /** Bytes of decoded chunks held (walks the budget: not for hot paths). */
  get bytes(): number {
    return this.budget.stats().regions.chunks.bytes;
  }

  get entries(): number {
    return this.budget.stats().regions.chunks.entries;
  }

  /** Drops every chunk of scopes starting with `prefix` ("cbofs#"). */
  dropScope(prefix: string): number {
    const ids = new Set<number>();
    for (const [name, id] of this.arrayIds)
      if (name.startsWith(prefix)) {
        ids.add(id);
        this.arrayIds.delete(name);
        this.arrayNames.delete(id);
      }
    return this.lru.deleteWhere((k) => ids.has(Math.floor(k / 2 ** 32)));
  }

  private arrayId(scope: string, path: string): number {
    const name = `${scope}\u0000${path}`;
    let id = this.arrayIds.get(name);
    if (id === undefined) {
      id = this.nextArrayId++;
      this.arrayIds.set(name, id);
      this.arrayNames.set(id, name);
    }
    return id;
  }

  /** Decodes a chunk once however many requests want it; `use` gets it synchronously on arrival. */
  private load(array: ZarrArray, index: number[], key: number, use: (chunk: Chunk) => void): Promise<void> {
    let job = this.inflight.get(key);
    if (job === undefined) {
      const waiters: Array<(chunk: Chunk) => void> = [];
      const done = this.decodes
        .run(async () => {
          const bytes = chunkBytes(array, index);
          // Room first (chunks being decoded count against the budget), reusing an evicted chunk's memory when its size matches.
          // The 3-D variables of one ROMS grid differ by a few percent (rho, u, v, w points): within 10 % is reused.
          const evicted = this.lru.reserve(bytes, (c) => c.data.byteOffset === 0 && c.data.buffer.byteLength >= bytes && c.data.buffer.byteLength <= bytes * 1.1);
          if (evicted !== undefined) this.reused += 1;
          try {
            return await decodeChunkOf(array, index, evicted?.data.buffer);
          } finally {
            this.lru.release(bytes);
          }
        })
        .then((chunk) => {
          for (const w of waiters) w(chunk);
          // Charged for its whole buffer (a reused one may be a little larger than the chunk).
          this.lru.set(key, chunk, chunk.data.buffer.byteLength + 64);
        })
        .finally(() => this.inflight.delete(key));
      job = { waiters, done };
      this.inflight.set(key, job);
    }
    job.waiters.push(use);
    return job.done;
  }

  /**
   * Reads the box [start, start + count) of an array as float64, C order.
   * Values are raw (fill values and scale/offset are the caller's business).
   */
  async read(src: ChunkSource, array: ZarrArray, start: readonly number[], count: readonly number[]): Promise<Float64Array> {
    const { meta } = array;
    const nd = meta.shape.length;
    const total = count.reduce((a, b) => a * b, 1);
    const out = new Float64Array(total);
    if (total === 0) return out;
    const outStrides = stridesOf(count);
    const base = this.arrayId(src.scope, array.path) * 2 ** 32;
    const grid = meta.shape.map((n, d) => Math.ceil(n / (meta.chunks[d] ?? 1)));
    const loading: Array<Promise<void>> = [];
    for (const index of chunksOverlapping(meta.chunks, start, count)) {
      let flat = 0;
      for (let d = 0; d < nd; d++) flat = flat * (grid[d] ?? 1) + (index[d] ?? 0);
      const key = base + flat;
      const chunk = this.lru.get(key);
      if (chunk === undefined) {
        this.misses += 1;
        loading.push(this.load(array, index, key, (loaded) => copyOverlap(loaded, index, meta, start, count, out, outStrides)));
      } else {
        this.hits += 1;
        copyOverlap(chunk, index, meta, start, count, out, outStrides);
      }
    }
    if (loading.length > 0) await Promise.all(loading);
    return out;
  }
}

/** Whether a chunk is inflated natively (into memory of the chunk's whole, stored extent). */
function native(array: ZarrArray): boolean {
  const c = array.meta.compressor;
  return nativeCodecs !== undefined && c !== null && (c.id === "zlib" || c.id === "gzip");
}

/** The bytes a decoded chunk holds: the stored extent when inflated natively, else clipped at the array's edges. */
function chunkBytes(array: ZarrArray, index: number[]): number {
  const { meta } = array;
  const shape = native(array) ? meta.chunks : index.map((i, d) => Math.min(meta.chunks[d] ?? 1, (meta.shape[d] ?? 0) - i * (meta.chunks[d] ?? 1)));
  return shape.reduce((a, b) => a * b, bytesPerElement(held(meta.dtype)));
}

/** Decodes one chunk (see the top of this file for which way), into `reuse` when given and inflating natively. */
async function decodeChunkOf(array: ZarrArray, index: number[], reuse?: ArrayBufferLike): Promise<Chunk> {
  const { meta } = array;
  const c = meta.compressor;
  if (nativeCodecs !== undefined && c !== null && native(array)) {
    const stored = await array.store.get(chunkKeyOf(array, index));
    if (stored !== undefined) {
      // Stored chunks are whole, edge chunks too (Zarr pads them): the chunk's full extent.
      const shape = [...meta.chunks];
      const dtype = held(meta.dtype);
      const length = shape.reduce((a, b) => a * b, 1);
      const data = reuse !== undefined ? viewBytes(dtype, new Uint8Array(reuse, 0, length * bytesPerElement(dtype))) : allocate(dtype, length);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      const n = await nativeCodecs.inflate(stored, bytes, 1, c.id === "gzip");
      if (n !== bytes.byteLength) throw new Error(`${array.store.url}/${array.path}: chunk ${index.join(".")} inflates to ${n} bytes, expected ${bytes.byteLength}`);
      return { data, shape, strides: stridesOf(shape) };
    }
  }
  const start = index.map((i, d) => i * (meta.chunks[d] ?? 1));
  const shape = start.map((s, d) => Math.min(meta.chunks[d] ?? 1, (meta.shape[d] ?? 0) - s));
  return { data: await readRegion(array, start, shape), shape, strides: stridesOf(shape) };
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = (s[d + 1] ?? 1) * (shape[d + 1] ?? 1);
  return s;
}

/** Copies the part of `chunk` inside the requested box into `out`; no allocation on the hot path. */
function copyOverlap(chunk: Chunk, index: number[], meta: ZarrArray["meta"], start: readonly number[], count: readonly number[], out: Float64Array, outStrides: number[]): void {
  const nd = index.length;
  const data = chunk.data;
  const big = typeof data[0] === "bigint";
  // Offsets of the overlap's first element in the chunk and in the output, and its extent.
  let src = 0;
  let dst = 0;
  let cells = 1;
  for (let d = 0; d < nd; d++) {
    const origin = (index[d] ?? 0) * (meta.chunks[d] ?? 1);
    const s = start[d] ?? 0;
    const lo = origin > s ? origin : s;
    const hiChunk = origin + (chunk.shape[d] ?? 0);
    const hiBox = s + (count[d] ?? 0);
    const len = (hiChunk < hiBox ? hiChunk : hiBox) - lo;
    if (len <= 0) return;
    cells *= len;
    src += (lo - origin) * (chunk.strides[d] ?? 1);
    dst += (lo - s) * (outStrides[d] ?? 1);
  }
  if (cells === 1) {
    out[dst] = big ? Number(data[src]) : (data[src] as number);
    return;
  }
  const origin = index.map((c, d) => c * (meta.chunks[d] ?? 1));
  const lo = origin.map((o, d) => Math.max(o, start[d] ?? 0));
  const hi = origin.map((o, d) => Math.min(o + (chunk.shape[d] ?? 0), (start[d] ?? 0) + (count[d] ?? 0)));
  const pos = [...lo];
  const innerLen = nd === 0 ? 1 : (hi[nd - 1] ?? 0) - (lo[nd - 1] ?? 0);
  for (;;) {
    src = 0;
    dst = 0;
    for (let d = 0; d < nd; d++) {
      src += ((pos[d] ?? 0) - (origin[d] ?? 0)) * (chunk.strides[d] ?? 1);
      dst += ((pos[d] ?? 0) - (start[d] ?? 0)) * (outStrides[d] ?? 1);
    }
    if (big) for (let k = 0; k < innerLen; k++) out[dst + k] = Number(data[src + k]);
    else for (let k = 0; k < innerLen; k++) out[dst + k] = data[src + k] as number;
    let d = nd - 2;
    while (d >= 0 && (pos[d] ?? 0) + 1 >= (hi[d] ?? 0)) {
      pos[d] = lo[d] ?? 0;
      d--;
    }
    if (d < 0) break;
    pos[d] = (pos[d] ?? 0) + 1;
  }
}
