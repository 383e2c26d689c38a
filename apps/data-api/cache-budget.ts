// One memory budget for every cache the data API keeps (`--cache-mb`, docs/data-api.md "At real
// size"). Decoded chunks, opened datasets (coordinates, land masks, decoded axes and the k-d trees
// built on them, station tables) and encoded station documents live in ONE byte-bounded LRU, so
// their total stays under the setting whatever the mix of queries, and a kind that is busy uses
// the room another does not need (a burst of area queries may take it all for chunks; an opened
// dataset that every request touches stays at the recent end and is not evicted by them).
// Each entry's size is counted when it is stored: exact for typed arrays and buffers, an upper
// estimate for an opened dataset (dataset.ts `heldBytes`, which also counts the k-d trees and the
// station table it may build later).
import { LruCache } from "./lru.js";

/** What the budget holds, as `stats()` reports it. */
export const CACHE_REGIONS = ["chunks", "datasets", "documents"] as const;
export type CacheRegion = (typeof CACHE_REGIONS)[number];

export interface CacheStats {
  maxBytes: number;
  /** Held plus reserved. */
  bytes: number;
  /** Reserved for values being built (chunks being decoded). */
  reserved: number;
  entries: number;
  regions: Record<CacheRegion, { bytes: number; entries: number }>;
}

/** The default budget, MiB (`--cache-mb`, `DMAC_DATA_API_CACHE_MB`). */
export const DEFAULT_CACHE_MIB = 512;

/**
 * The process settings the data API runs with (its chart sets them; bench/scale/api.ts too), as
 * `dmac up` does for itself (bin/dmac.js). glibc: with a fixed mmap threshold every decoded chunk
 * (a few MiB) is its own mapping, returned to the system when freed; by default glibc raises the
 * threshold after the first large free and serves later chunks from heap arenas that keep freed
 * pages. V8: a 2 MiB young generation semi-space instead of 16 (20-50 MiB less RSS under a burst
 * of queries, no measurable throughput cost there). docs/data-api.md "At real size".
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "131072",
  MALLOC_TRIM_THRESHOLD_: "131072",
  NODE_OPTIONS: "--max-semi-space-size=2",
};

/**
 * What the data API takes besides its caches, MiB: the process at rest (110-135 MiB measured) plus
 * working memory under load (the V8 heap, answers being encoded, chunks being decoded, memory
 * the collector has not reclaimed yet: up to about 150 MiB measured with 8 queries at once).
 * RSS stays under this plus --cache-mb (bench/scale/api.ts checks it; the chart leaves it room).
 */
export const BASELINE_MIB = 320;

type Key = number | string;

/**
 * A typed view of one region of the budget. Chunk keys are numbers (hashing a fresh string per
 * chunk cost more than the copy itself on a warm series); every other region's keys are strings
 * kept apart by the region's name, so no two regions can collide.
 */
export class BudgetRegion<K extends Key, V> {
  constructor(
    private readonly lru: LruCache<Key, unknown>,
    private readonly prefix: string | undefined,
  ) {}

  private key(k: K): Key {
    return this.prefix === undefined ? k : `${this.prefix}\u0000${k}`;
  }

  get(k: K): V | undefined {
    // Only this region stores under these keys, and it stores V.
    return this.lru.get(this.key(k)) as V | undefined;
  }

  /** Stores `value` counted as `bytes`; false when it is larger than the whole budget (not kept). */
  set(k: K, value: V, bytes: number): boolean {
    return this.lru.set(this.key(k), value, bytes);
  }

  delete(k: K): boolean {
    return this.lru.delete(this.key(k));
  }

  /**
   * Promises room for a value of `bytes` about to be built (counted against the budget until
   * released): evicts the least recently used entries of any region as needed, and returns the
   * first evicted value of THIS region that `reuse` accepts, whose memory the caller may reuse.
   */
  reserve(bytes: number, reuse?: (value: V) => boolean): V | undefined {
    const mine = this.prefix === undefined ? (key: Key) => typeof key === "number" : (key: Key) => typeof key === "string" && key.startsWith(`${this.prefix}\u0000`);
    // Only this region stores under these keys, and it stores V.
    return this.lru.reserve(bytes, reuse === undefined ? undefined : (key, value) => mine(key) && reuse(value as V)) as V | undefined;
  }

  release(bytes: number): void {
    this.lru.release(bytes);
  }

  /** Drops this region's entries whose key matches; returns how many went. */
  deleteWhere(match: (k: K) => boolean): number {
    const prefix = this.prefix === undefined ? undefined : `${this.prefix}\u0000`;
    return this.lru.deleteWhere((key) => {
      if (prefix === undefined) return typeof key === "number" && match(key as K);
      return typeof key === "string" && key.startsWith(prefix) && match(key.slice(prefix.length) as K);
    });
  }
}

export class CacheBudget {
  private readonly lru: LruCache<Key, unknown>;

  /** @param maxBytes the total every cache together may hold */
  constructor(
    readonly maxBytes: number,
    maxEntries = 1_000_000,
  ) {
    if (!Number.isFinite(maxBytes) || maxBytes < 1) throw new Error(`cache budget: expected a positive number of bytes, got ${maxBytes}`);
    this.lru = new LruCache<Key, unknown>({ maxEntries, maxBytes });
  }

  /** Bytes held now, all regions together, and reserved for values being built (never above maxBytes). */
  get bytes(): number {
    return this.lru.totalBytes + this.lru.reservedBytes;
  }

  /** Decoded chunks (numeric keys: the chunk cache's array id and chunk number). */
  chunks<V>(): BudgetRegion<number, V> {
    return new BudgetRegion<number, V>(this.lru, undefined);
  }

  region<V>(name: Exclude<CacheRegion, "chunks">): BudgetRegion<string, V> {
    return new BudgetRegion<string, V>(this.lru, name);
  }

  /** Bytes and entries per region (walks every entry: for tests, benchmarks and diagnostics). */
  stats(): CacheStats {
    const regions = Object.fromEntries(CACHE_REGIONS.map((r) => [r, { bytes: 0, entries: 0 }])) as CacheStats["regions"];
    let entries = 0;
    for (const [key, size] of this.lru.sizes()) {
      const name = (typeof key === "number" ? "chunks" : key.slice(0, key.indexOf("\u0000"))) as CacheRegion;
      const r = regions[name];
      r.bytes += size;
      r.entries += 1;
      entries += 1;
    }
    return { maxBytes: this.maxBytes, bytes: this.lru.totalBytes + this.lru.reservedBytes, reserved: this.lru.reservedBytes, entries, regions };
  }
}
