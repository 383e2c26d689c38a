// A bounded least-recently-used cache: at most `maxEntries` entries and `maxBytes` bytes
// (each entry's size as `sizeOf` reports it). A Map keeps insertion order, so re-inserting on
// every hit makes its first key the least recently used.
export interface LruOptions<V> {
  maxEntries: number;
  maxBytes?: number;
  sizeOf?: (value: V) => number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number; tick: number }>();
  private tick = 0;
  private bytes = 0;
  /** Room promised to values being built (reserve/release): counted against maxBytes. */
  private reserved = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: V) => number;

  constructor(options: LruOptions<V>) {
    if (!(options.maxEntries >= 1)) throw new Error(`maxEntries: must be at least 1, got ${options.maxEntries}`);
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.sizeOf = options.sizeOf ?? (() => 0);
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Bytes reserved for values being built. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /**
   * Promises room for a value of `bytes` about to be built: evicts the least recently used entries
   * until what is held plus every reservation fits maxBytes. Returns the first evicted value
   * `reuse` accepts (its memory can be reused for the new value: nothing else may hold it), if any.
   * A reservation larger than maxBytes evicts everything. Pair with release().
   */
  reserve(bytes: number, reuse?: (key: K, value: V) => boolean): V | undefined {
    this.reserved += bytes;
    let taken: V | undefined;
    while (this.bytes > 0 && this.bytes + this.reserved > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) break;
      const [key, entry] = oldest.value;
      this.delete(key);
      if (taken === undefined && reuse?.(key, entry.value) === true) taken = entry.value;
    }
    return taken;
  }

  /** Gives back a reservation (the value was stored, or was not built). */
  release(bytes: number): void {
    this.reserved = Math.max(0, this.reserved - bytes);
  }

  /**
   * Reads an entry and marks it used. Moving it to the back of the Map costs a delete and an
   * insert, so an entry used within the most recent half of the cache's turnover stays put:
   * eviction order is then approximately LRU, and a hot working set costs no reordering.
   */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.tick += 1;
    if (this.tick - entry.tick > this.entries.size / 2) {
      entry.tick = this.tick;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Stores `value` (its size is `size` when given, else `sizeOf(value)`); a value larger than the
   * whole budget is not kept (it would evict everything). Returns whether it was kept.
   */
  set(key: K, value: V, size = this.sizeOf(value)): boolean {
    this.delete(key);
    if (size > this.maxBytes) return false;
    this.tick += 1;
    this.entries.set(key, { value, size, tick: this.tick });
    this.bytes += size;
    while (this.entries.size > this.maxEntries || this.bytes + this.reserved > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    return this.entries.has(key);
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.bytes -= entry.size;
    return true;
  }

  /** Drops every entry whose key matches; returns how many went. */
  deleteWhere(match: (key: K) => boolean): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) if (match(key) && this.delete(key)) n += 1;
    return n;
  }

  /** Every entry's key and size, least recently used first (for accounting; marks nothing used). */
  *sizes(): IterableIterator<[K, number]> {
    for (const [key, entry] of this.entries) yield [key, entry.size];
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
