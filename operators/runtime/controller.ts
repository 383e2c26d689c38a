// A controller: a work queue of object keys drained by a bounded number of workers calling one
// reconcile(request) method. Level-based: reconcilers receive a key, never the event, and read the
// current state themselves.
import { isTerminalError } from "./errors.js";
import type { Informer, InformerEvent } from "../../kube/informer.js";
import type { Logger } from "./log.js";
import type { OperatorMetrics } from "./metrics.js";
import { objectKey, splitKey, type KubeObject, type Runnable } from "../../kube/types.js";
import { WorkQueue } from "./workqueue.js";
import type { BackoffOptions } from "../../kube/backoff.js";

export interface Request {
  readonly namespace?: string;
  readonly name: string;
}

export interface Result {
  /** Reconcile again after this long even if nothing changes (polling external state). */
  readonly requeueAfterMs?: number;
}

export interface Reconciler {
  /** The signal aborts when the operator shuts down or loses leadership: stop at a safe point. */
  reconcile(request: Request, signal: AbortSignal): Promise<Result | void>;
}

export interface ControllerOptions {
  readonly name: string;
  readonly reconciler: Reconciler;
  /** Reconciles running at once (different keys; one key never runs twice at once). */
  readonly workers?: number;
  readonly backoff?: BackoffOptions;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** How long in-flight reconciles may run after shutdown begins before they are abandoned. */
  readonly shutdownGraceMs?: number;
  /** Called after a failed reconcile (reporting it on the object, e.g. `reportForbidden`); its own failures are logged. */
  readonly onError?: (key: string, error: unknown) => Promise<void>;
}

export type InformerPredicate<T> = (event: InformerEvent, object: T, previous?: T) => boolean;

/**
 * controller-runtime's GenerationChangedPredicate, with metadata: an update that changed only status
 * (a reconciler's own status write, most often) wakes nobody. Adds, deletes, resyncs, spec changes
 * (generation), deletion, finalizers, labels and annotations pass. Without a generation on both
 * sides it cannot tell, so the event passes.
 */
export function specOrMetadataChanged<T extends KubeObject>(event: InformerEvent, object: T, previous?: T): boolean {
  if (event !== "update" || !previous) return true;
  const now = object.metadata;
  const before = previous.metadata;
  if (now.generation === undefined || before.generation === undefined) return true;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return now.generation !== before.generation || now.deletionTimestamp !== before.deletionTimestamp || !same(now.finalizers, before.finalizers) || !same(now.labels, before.labels) || !same(now.annotations, before.annotations);
}

export class Controller implements Runnable {
  readonly name: string;
  private queue: WorkQueue<string> | undefined;
  private readonly pending = new Set<string>();

  constructor(private readonly options: ControllerOptions) {
    this.name = `controller/${options.name}`;
  }

  /** Enqueue a key; keys arriving before start() are kept and queued on start. */
  enqueue(key: string): void {
    if (this.queue) this.queue.add(key);
    else this.pending.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    if (this.queue) this.queue.addAfter(key, delayMs);
    else this.pending.add(key);
  }

  /**
   * Reconcile objects of this informer; `map` turns an object into the keys to reconcile (owners);
   * `predicate` drops events that need no reconcile (see `specOrMetadataChanged`).
   */
  watches<T extends KubeObject>(informer: Informer<T>, map: (object: T) => string[] = (o) => [objectKey(o)], predicate?: InformerPredicate<T>): void {
    informer.on((event, object, previous) => {
      if (predicate && !predicate(event, object, previous)) return;
      for (const key of map(object)) this.enqueue(key);
    });
  }

  get depth(): number {
    return this.queue?.depth ?? this.pending.size;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { name, metrics, log } = this.options;
    const queue = new WorkQueue<string>({ backoff: this.options.backoff, onDepth: (d) => metrics.queueDepth.set({ controller: name }, d) });
    this.queue = queue;
    for (const key of this.pending) queue.add(key);
    this.pending.clear();
    // Workers get their own signal: shutdown first stops new work, then after the grace period
    // tells in-flight reconciles to abandon what they are doing.
    const workAbort = new AbortController();
    const onStop = () => {
      queue.shutDown();
      const grace = setTimeout(() => workAbort.abort(), this.options.shutdownGraceMs ?? 20_000);
      grace.unref();
    };
    signal.addEventListener("abort", onStop, { once: true });
    if (signal.aborted) onStop();
    const workers = Array.from({ length: this.options.workers ?? 2 }, () => this.work(queue, workAbort.signal));
    await Promise.all(workers);
    signal.removeEventListener("abort", onStop);
    if (this.queue === queue) this.queue = undefined;
    log.info({ controller: name }, "controller stopped");
  }

  private async work(queue: WorkQueue<string>, signal: AbortSignal): Promise<void> {
    const { name, reconciler, metrics, log } = this.options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = performance.now();
      metrics.inFlight.inc({ controller: name });
      try {
        const result = await reconciler.reconcile(splitKey(key), signal);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          queue.addAfter(key, result.requeueAfterMs);
          metrics.reconciles.inc({ controller: name, result: "requeue" });
        } else {
          metrics.reconciles.inc({ controller: name, result: "success" });
        }
      } catch (error) {
        metrics.errors.inc({ controller: name });
        await this.options.onError?.(key, error).catch((reportError: unknown) => log.warn({ controller: name, key, err: String(reportError) }, "could not report a failed reconcile on the object"));
        if (isTerminalError(error)) {
          queue.forget(key);
          metrics.reconciles.inc({ controller: name, result: "terminal" });
          log.warn({ controller: name, key, reason: error.reason, err: error.message }, "reconcile failed terminally; not retrying until the object changes");
        } else {
          const delay = queue.addRateLimited(key);
          metrics.reconciles.inc({ controller: name, result: "error" });
          log.warn({ controller: name, key, err: error instanceof Error ? error.message : String(error), retries: queue.retries(key), retryInMs: delay }, "reconcile failed; retrying with backoff");
        }
      } finally {
        metrics.inFlight.dec({ controller: name });
        metrics.duration.observe({ controller: name }, (performance.now() - started) / 1000);
        queue.done(key);
      }
    }
  }
}
