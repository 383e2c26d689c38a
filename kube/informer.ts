// An informer of our own over list+watch (client-node's Watch does the HTTP streaming and auth).
// Why not client-node's makeInformer: it has no periodic resync, and upstream reports informers that
// stop silently; controllers here must notice a dead watch and recover by themselves.
// - lists with paging, then watches from the list's resourceVersion with bookmarks;
// - re-watches from the last seen resourceVersion when the server ends a watch (timeoutSeconds);
// - re-lists on 410 Gone (HTTP 410 or an ERROR event) and after errors, with bounded backoff;
// - a liveness guard restarts a watch that has delivered nothing for too long;
// - a periodic resync re-delivers every cached object, so level-based reconcilers converge.
import { KubernetesObjectApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import { backoffDelay } from "./backoff.js";
import { objectKey, type KubeObject, type Runnable } from "./types.js";

export type InformerEvent = "add" | "update" | "delete" | "resync";
export type InformerHandler<T> = (event: InformerEvent, object: T, previous?: T) => void;

export interface InformerOptions {
  readonly apiVersion: string;
  readonly kind: string;
  /** REST collection path without namespace, e.g. /apis/dmac.ioos.us/v1alpha1/datasets. */
  readonly path: string;
  /** Restrict to one namespace; all namespaces when absent. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Re-deliver every cached object this often (0 = never). */
  readonly resyncMs?: number;
  /** Server-side watch timeout; kept under client-node's 30 s inactivity abort. */
  readonly watchTimeoutSeconds?: number;
  /** Restart a watch that delivered no event (bookmarks included) for this long. */
  readonly livenessMs?: number;
  readonly pageSize?: number;
  /**
   * Applied to every object before it is cached (client-go's SetTransform). The default drops
   * metadata.managedFields, often the largest part of an object and never read by reconcilers.
   */
  readonly transform?: <O extends KubeObject>(object: O) => O;
  readonly log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export class Informer<T extends KubeObject> implements Runnable {
  readonly name: string;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly objects: KubernetesObjectApi;
  private readonly watcher: Watch;
  private resourceVersion = "";
  private synced = false;
  private lastActivity = Date.now();
  private currentWatch: AbortController | undefined;
  private wake: (() => void) | undefined;
  /** Counts restarts, for tests and metrics. */
  relists = 0;
  rewatches = 0;
  livenessRestarts = 0;

  constructor(kubeConfig: KubeConfig, private readonly options: InformerOptions) {
    this.name = `informer/${options.kind}`;
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.watcher = new Watch(kubeConfig);
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private prepare(object: T): T {
    if (this.options.transform) return this.options.transform(object);
    const metadata = object.metadata as T["metadata"] & { managedFields?: unknown };
    if (metadata.managedFields === undefined) return object;
    const { managedFields: _dropped, ...rest } = metadata;
    return { ...object, metadata: rest };
  }

  private emit(event: InformerEvent, object: T, previous?: T): void {
    for (const handler of this.handlers) {
      try {
        handler(event, object, previous);
      } catch (error) {
        this.options.log?.("warn", "informer handler threw", { kind: this.options.kind, error: String(error) });
      }
    }
  }

  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let continueToken: string | undefined;
    let listVersion = "";
    do {
      const page = await this.objects.list(
        this.options.apiVersion, this.options.kind, this.options.namespace,
        undefined, undefined, undefined, undefined, this.options.labelSelector, this.options.pageSize ?? 500, continueToken,
      );
      for (const item of page.items) {
        const object = this.prepare({ ...item, apiVersion: this.options.apiVersion, kind: this.options.kind } as unknown as T);
        const key = objectKey(object);
        seen.add(key);
        const previous = this.cache.get(key);
        this.cache.set(key, object);
        if (!previous) this.emit("add", object);
        else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) this.emit("update", object, previous);
      }
      continueToken = page.metadata?._continue || undefined;
      listVersion = page.metadata?.resourceVersion ?? listVersion;
    } while (continueToken);
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit("delete", object);
      }
    }
    this.resourceVersion = listVersion;
    this.synced = true;
    this.relists += 1;
  }

  /** One watch until the server closes it; resolves "gone" on 410, "closed" otherwise. */
  private watchOnce(signal: AbortSignal): Promise<"gone" | "closed"> {
    const path = this.options.namespace
      ? this.options.path.replace(/^(\/apis?\/[^/]+(?:\/[^/]+)?)\//, `$1/namespaces/${this.options.namespace}/`)
      : this.options.path;
    return new Promise((resolve, reject) => {
      let gone = false;
      const onAbort = () => this.currentWatch?.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      const finish = (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        this.currentWatch = undefined;
        const status = (error as { statusCode?: number } | null)?.statusCode;
        if (gone || status === 410) resolve("gone");
        else if (error && !signal.aborted && (error as Error).name !== "AbortError") reject(error);
        else resolve("closed");
      };
      this.watcher
        .watch(path, {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.options.watchTimeoutSeconds ?? 25,
          labelSelector: this.options.labelSelector,
        }, (type: string, raw: unknown) => {
          this.lastActivity = Date.now();
          const object = raw as T & { code?: number };
          if (type === "ERROR") {
            if (object.code === 410) gone = true;
            this.currentWatch?.abort();
            return;
          }
          const version = object.metadata?.resourceVersion;
          if (version) this.resourceVersion = version;
          if (type === "BOOKMARK") return;
          const typed = this.prepare({ ...object, apiVersion: this.options.apiVersion, kind: this.options.kind } as T);
          const key = objectKey(typed);
          const previous = this.cache.get(key);
          if (type === "DELETED") {
            this.cache.delete(key);
            this.emit("delete", typed);
          } else {
            this.cache.set(key, typed);
            this.emit(previous ? "update" : "add", typed, previous);
          }
        }, finish)
        .then((controller) => {
          this.currentWatch = controller;
          if (signal.aborted) controller.abort();
        }, finish);
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const livenessMs = this.options.livenessMs ?? ((this.options.watchTimeoutSeconds ?? 25) * 1000 * 2 + 5000);
    const liveness = setInterval(() => {
      if (this.currentWatch && Date.now() - this.lastActivity > livenessMs) {
        this.livenessRestarts += 1;
        this.options.log?.("warn", "watch delivered nothing for too long; restarting it", { kind: this.options.kind, livenessMs });
        this.currentWatch.abort();
      }
    }, Math.min(livenessMs, 5000));
    liveness.unref();
    const resync = this.options.resyncMs
      ? setInterval(() => { for (const object of this.cache.values()) this.emit("resync", object); }, this.options.resyncMs)
      : undefined;
    resync?.unref();
    let failures = 0;
    let needList = true;
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.relist();
            needList = false;
          }
          this.lastActivity = Date.now();
          const outcome = await this.watchOnce(signal);
          failures = 0;
          if (outcome === "gone") {
            this.options.log?.("info", "resourceVersion too old (410 Gone); re-listing", { kind: this.options.kind });
            needList = true;
          } else {
            this.rewatches += 1;
          }
        } catch (error) {
          if (signal.aborted) break;
          failures += 1;
          // Like client-go's reflector: a broken watch resumes from the last resourceVersion (cheap);
          // only a failed list, or 410 Gone on the resumed watch, costs a full re-list.
          if (!this.synced || this.resourceVersion === "") needList = true;
          const delay = backoffDelay(failures, { baseMs: 500, maxMs: 30_000, jitter: 0.2 });
          this.options.log?.("warn", "list/watch failed; retrying", { kind: this.options.kind, error: String(error), retryInMs: delay });
          await sleep(delay, signal, (wake) => { this.wake = wake; });
        }
      }
    } finally {
      clearInterval(liveness);
      if (resync) clearInterval(resync);
      this.currentWatch?.abort();
      this.wake?.();
    }
  }
}

function sleep(ms: number, signal: AbortSignal, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
    register(done);
  });
}
