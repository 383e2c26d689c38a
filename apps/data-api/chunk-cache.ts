// Box reads over Zarr arrays (v2 or v3) through an LRU of decoded chunks. Each chunk is decoded once
// with the data plane's readRegion (a box that is exactly that chunk) and then served from
// memory until the LRU evicts it or its dataset is invalidated. Cache keys carry a scope
// (dataset id and generation), so invalidating a dataset makes its old chunks unreachable.
// The chunks are one region of the data API's single memory budget (cache-budget.ts).
import { chunksOverlapping, readRegion, type TypedArray, type ZarrArray } from "../../dataplane/index.js";
import { CacheBudget, type BudgetRegion } from "./cache-budget.js";

interface Chunk {
  data: TypedArray;
  /** Extent of this chunk inside the array (edge chunks are clipped). */
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
  private readonly inflight = new Map<number, Promise<Chunk>>();
  private readonly arrayIds = new Map<string, number>();
  private readonly arrayNames = new Map<number, string>();
  private nextArrayId = 1;
  hits = 0;
  misses = 0;

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

  private load(array: ZarrArray, index: number[], key: number): Promise<Chunk> {
    let p = this.inflight.get(key);
    if (p === undefined) {
      const { meta } = array;
      const start = index.map((c, d) => c * (meta.chunks[d] ?? 1));
      const shape = start.map((s, d) => Math.min(meta.chunks[d] ?? 1, (meta.shape[d] ?? 0) - s));
      p = readRegion(array, start, shape)
        .then((data) => {
          const chunk = { data, shape, strides: stridesOf(shape) };
          this.lru.set(key, chunk, data.byteLength + 64);
          return chunk;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
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
    for (const index of chunksOverlapping(meta.chunks, start, count)) {
      let flat = 0;
      for (let d = 0; d < nd; d++) flat = flat * (grid[d] ?? 1) + (index[d] ?? 0);
      const key = base + flat;
      let chunk = this.lru.get(key);
      if (chunk === undefined) {
        this.misses += 1;
        chunk = await this.load(array, index, key);
      } else this.hits += 1;
      copyOverlap(chunk, index, meta, start, count, out, outStrides);
    }
    return out;
  }
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
