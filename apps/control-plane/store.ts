// The object store: current state in memory, every change appended to the durable log, and a
// window of recent change events for watches. Checks and mutations happen synchronously in one
// tick, so optimistic concurrency needs no locks; watch events are emitted only after the change
// is durable, in resourceVersion order.
import type { DurableLog, LogRecord, RecoveredState } from "./durable-log.js";
import type { KObject } from "./types.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  rv: number;
  type: EventType;
  bucket: string;
  object: KObject;
  /** The object before this change (MODIFIED, DELETED): lets selector watches turn edits into ADDED/DELETED. */
  previous?: KObject;
}

export type StoreListener = (event: StoreEvent) => void;

export function objectKey(bucket: string, namespace: string | undefined, name: string): string {
  return `${bucket}|${namespace ?? ""}|${name}`;
}

function bucketOfKey(key: string): string {
  return key.slice(0, key.indexOf("|"));
}

export interface StoreOptions {
  /** How many change events stay available to watches before a 410 (default 20,000; each holds an object version). */
  historySize?: number;
}

export class Store {
  private rv: number;
  private readonly buckets = new Map<string, Map<string, KObject>>();
  private history: StoreEvent[] = [];
  private historyStart = 0;
  /** Watches can resume from any rv >= this; older ones get 410 Gone. */
  private oldestRv: number;
  private readonly listeners = new Set<StoreListener>();
  private readonly historySize: number;
  private emittedRv: number;
  private lastCommit: Promise<void> = Promise.resolve();
  /** Changes made but not yet durable (not yet in `history`), oldest first. */
  private readonly inFlight: StoreEvent[] = [];

  constructor(
    private readonly log: DurableLog,
    recovered?: RecoveredState,
    options: StoreOptions = {},
  ) {
    this.historySize = options.historySize ?? 20_000;
    this.rv = recovered?.rv ?? 0;
    this.oldestRv = recovered?.snapshotRv ?? 0;
    this.emittedRv = this.rv;
    if (recovered) {
      for (const [key, object] of recovered.objects) this.bucket(bucketOfKey(key)).set(key, object);
      this.replayTail(recovered);
    }
    log.compactIfDue(() => ({ rv: this.rv, objects: this.entries() }));
  }

  /** Rebuilds the watch window from the log after the snapshot, so watchers can resume across a restart. */
  private replayTail(recovered: RecoveredState): void {
    this.history = recovered.tail.map(({ record, previous }) => {
      const type: EventType = record.op === "del" ? "DELETED" : previous ? "MODIFIED" : "ADDED";
      const event: StoreEvent = { rv: record.rv, type, bucket: bucketOfKey(record.key), object: record.object };
      if (previous) event.previous = previous;
      return event;
    });
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The newest rv whose event has been delivered: bookmarks carry it (never ahead of delivered events). */
  get lastEmittedRv(): number {
    return this.emittedRv;
  }

  get oldestWatchableRv(): number {
    return this.oldestRv;
  }

  get(bucket: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.buckets.get(bucket)?.get(objectKey(bucket, namespace, name));
  }

  /** Objects of a bucket (optionally one namespace), sorted by namespace/name. */
  list(bucket: string, namespace?: string): KObject[] {
    const all = [...(this.buckets.get(bucket)?.values() ?? [])];
    const filtered = namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? "") === namespace);
    return filtered.sort(compareObjects);
  }

  count(bucket: string): number {
    return this.buckets.get(bucket)?.size ?? 0;
  }

  *entries(): IterableIterator<[string, KObject]> {
    for (const bucket of this.buckets.values()) yield* bucket.entries();
  }

  /** Stores `object` (new or replacing), assigns the next resourceVersion; resolves when durable. */
  put(bucket: string, object: KObject): { object: KObject; durable: Promise<void> } {
    const key = keyOf(bucket, object);
    const map = this.bucket(bucket);
    const previous = map.get(key);
    this.rv += 1;
    const rv = this.rv;
    const stored: KObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    map.set(key, stored);
    const event: StoreEvent = { rv, type: previous ? "MODIFIED" : "ADDED", bucket, object: stored };
    if (previous) event.previous = previous;
    return { object: stored, durable: this.commit({ rv, op: "put", key, object: stored }, event) };
  }

  remove(bucket: string, object: KObject): { object: KObject; durable: Promise<void> } {
    const key = keyOf(bucket, object);
    const map = this.bucket(bucket);
    const previous = map.get(key);
    if (!previous) throw new Error(`store: ${key} does not exist`);
    map.delete(key);
    this.rv += 1;
    const rv = this.rv;
    // The DELETED event carries the final state with the deletion's resourceVersion, as etcd watches do.
    const final: KObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    return { object: final, durable: this.commit({ rv, op: "del", key, object: final }, { rv, type: "DELETED", bucket, object: final, previous }) };
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The objects of a bucket as they were at resourceVersion `rv` (for consistent list pages):
   * current state with every later change undone. Undefined if changes after `rv` left the window.
   */
  listAt(bucket: string, namespace: string | undefined, rv: number): KObject[] | undefined {
    if (rv >= this.rv) return this.list(bucket, namespace);
    const later = this.eventsSince(rv);
    if (later === undefined) return undefined;
    const state = new Map<string, KObject>(this.buckets.get(bucket) ?? []);
    const changes = [...later, ...this.inFlight].filter((e) => e.bucket === bucket && e.rv > rv);
    for (let i = changes.length - 1; i >= 0; i -= 1) {
      const change = changes[i]!;
      const key = keyOf(bucket, change.object);
      if (change.type === "ADDED") state.delete(key);
      else if (change.previous) state.set(key, change.previous);
    }
    const all = [...state.values()];
    return (namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? "") === namespace)).sort(compareObjects);
  }

  /** Events with rv > `fromRv` still in the window, or undefined if some were already dropped (410). */
  eventsSince(fromRv: number): StoreEvent[] | undefined {
    if (fromRv < this.oldestRv) return undefined;
    const events = this.history;
    // Binary search: history is rv-ordered.
    let lo = this.historyStart;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid]!.rv <= fromRv) lo = mid + 1;
      else hi = mid;
    }
    return events.slice(lo);
  }

  private commit(record: LogRecord, event: StoreEvent): Promise<void> {
    this.inFlight.push(event);
    const done = this.log.append(record).then(
      () => {
        this.inFlight.shift();
        this.emit(event);
      },
      (err: unknown) => {
        this.inFlight.shift();
        throw err;
      },
    );
    this.lastCommit = done.catch(() => undefined);
    return done;
  }

  /**
   * Resolves once every write made so far is durable. Readers take their data first and answer
   * after this, so nobody is shown a write that a crash could still lose.
   */
  whenDurable(): Promise<void> {
    return this.lastCommit;
  }

  private emit(event: StoreEvent): void {
    this.emittedRv = event.rv;
    this.history.push(event);
    const live = this.history.length - this.historyStart;
    if (live > this.historySize) {
      const drop = live - this.historySize;
      this.oldestRv = this.history[this.historyStart + drop - 1]!.rv;
      this.historyStart += drop;
      if (this.historyStart > this.historySize) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const listener of this.listeners) listener(event);
  }

  private bucket(name: string): Map<string, KObject> {
    let map = this.buckets.get(name);
    if (!map) {
      map = new Map();
      this.buckets.set(name, map);
    }
    return map;
  }
}

function keyOf(bucket: string, object: KObject): string {
  return objectKey(bucket, object.metadata.namespace, object.metadata.name ?? "");
}

export function compareObjects(a: KObject, b: KObject): number {
  const an = a.metadata.namespace ?? "";
  const bn = b.metadata.namespace ?? "";
  if (an !== bn) return an < bn ? -1 : 1;
  const a1 = a.metadata.name ?? "";
  const b1 = b.metadata.name ?? "";
  return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
}
