// A work queue keyed by namespace/name with client-go's guarantees:
// - a key waiting in the queue is held once, however often it is added (deduplication);
// - a key being processed is never handed out again until done(); if it was added meanwhile it is
//   queued again on done(), so no change is lost and no two reconciles of one object overlap;
// - delayed adds (requeueAfter, rate-limited retries) keep only the earliest due time per key.
import { ItemBackoff, defaultBackoff, type BackoffOptions } from "../../kube/backoff.js";

export interface WorkQueueOptions {
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Called whenever the number of waiting keys changes (for the queue-depth metric). */
  readonly onDepth?: (depth: number) => void;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly delayed = new Map<K, { due: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private readonly backoff: ItemBackoff<K>;
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions = {}) {
    this.backoff = new ItemBackoff<K>(options.backoff ?? defaultBackoff, options.random);
  }

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    this.options.onDepth?.(this.queue.length);
  }

  /** Adds the key after `delayMs`; an earlier pending delayed add wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const due = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { due, timer });
  }

  /** Re-adds a key that failed, after its per-key exponential backoff; returns the delay used. */
  addRateLimited(key: K): number {
    const delay = this.backoff.next(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure history of a key (after a success or a terminal error). */
  forget(key: K): void {
    this.backoff.forget(key);
  }

  retries(key: K): number {
    return this.backoff.retries(key);
  }

  /**
   * The next key to process, or undefined once the queue is shut down. Unlike client-go we do not
   * drain on shutdown: reconciles are level-based, so whoever runs next picks the keys up again.
   */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.options.onDepth?.(this.queue.length);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; if it was added while processing it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys; waiting get() calls resolve to undefined. Delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
