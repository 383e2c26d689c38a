// Watch streams: initial state (for rv "" / "0" or sendInitialEvents), then change events from
// the store's window, filtered by namespace and selectors, with bookmarks and timeouts.
// Events for objects that move in or out of a label selector become ADDED / DELETED, as in
// kube-apiserver's watch cache.
import type { ServerResponse } from "node:http";
import type { Api, Target } from "./api.js";
import { errors, type ApiError } from "./errors.js";
import { bucketOf, groupVersion } from "./resource-type.js";
import { buildSelector } from "./selectors.js";
import { toJson } from "./serialize.js";
import type { EventType, StoreEvent } from "./store.js";
import type { KObject } from "./types.js";

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** Server-side printing: each event's object becomes a one-row Table (column definitions on the first). */
  asTable?: (object: KObject, first: boolean) => unknown;
}

export interface WatchSettings {
  bookmarkIntervalMs: number;
  defaultTimeoutSeconds: number;
  /** How a watch from a compacted resourceVersion fails: ERROR event in a 200 stream (kube's watch cache) or HTTP 410. */
  expiredAs: "event" | "http";
  /** A watcher more than this many bytes behind is closed (it re-lists), so one stuck client cannot grow memory without bound. */
  maxBufferedBytes: number;
}

/** Starts a watch on `res`; returns once the stream has ended. Throws ApiError for requests that fail before streaming. */
export async function serveWatch(api: Api, target: Target, options: WatchOptions, settings: WatchSettings, res: ServerResponse, onClose: (cb: () => void) => void): Promise<void> {
  const selector = buildSelector(options.labelSelector, options.fieldSelector, target.type.kind, target.type.group);
  const bucket = bucketOf(target.type);
  const namespace = target.type.namespaced ? target.namespace : undefined;
  const apiVersion = groupVersion(target.type.group, target.version.name);
  const rvText = options.resourceVersion ?? "";
  if (rvText !== "" && !/^\d+$/.test(rvText)) throw errors.badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  const fromRv = rvText === "" || rvText === "0" ? undefined : Number(rvText);
  const backlog = fromRv === undefined ? [] : api.store.eventsSince(fromRv);
  if (backlog === undefined && settings.expiredAs === "http") throw tooOld(fromRv!, api.store.oldestWatchableRv);

  // Initial state: read it, then wait until the writes it includes are durable (a watcher never
  // sees a write a crash could lose), buffering the events those writes emit meanwhile.
  const initial = fromRv === undefined || options.sendInitialEvents;
  const buffered: StoreEvent[] = [];
  let initialObjects: KObject[] = [];
  let initialRv = 0;
  if (initial && backlog !== undefined) {
    const stopBuffering = api.store.subscribe((event) => buffered.push(event));
    initialObjects = api.store.list(bucket, namespace).filter(selector);
    initialRv = api.store.resourceVersion;
    await api.store.whenDurable();
    stopBuffering();
  }

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();

  return new Promise<void>((resolve) => {
    let ended = false;
    let lastRv = fromRv ?? api.store.lastEmittedRv;
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe: () => void = () => {};
    const end = (): void => {
      if (ended) return;
      flushPending();
      ended = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t), clearInterval(t);
      res.end();
      resolve();
    };
    // Events arriving in one burst go out in one chunk: far fewer syscalls with many watchers.
    let pending: string[] = [];
    const flushPending = (): void => {
      if (ended || pending.length === 0) return;
      res.write(pending.join(""));
      pending = [];
      if (res.writableLength > settings.maxBufferedBytes) end();
    };
    let first = true;
    const write = (type: EventType | "BOOKMARK" | "ERROR", object: unknown): void => {
      if (ended) return;
      if (pending.length === 0) setImmediate(flushPending);
      const payload = options.asTable && (type === "ADDED" || type === "MODIFIED" || type === "DELETED") ? options.asTable(object as KObject, first) : object;
      if (payload !== object) first = false;
      pending.push(`{"type":"${type}","object":${toJson(payload)}}\n`);
    };
    onClose(end);
    if (backlog === undefined) {
      write("ERROR", tooOld(fromRv!, api.store.oldestWatchableRv).toStatus());
      flushPending();
      end();
      return;
    }
    const view = (o: KObject): KObject => (o.apiVersion === apiVersion ? o : { ...o, apiVersion });
    const inScope = (o: KObject | undefined): boolean => o !== undefined && (namespace === undefined || o.metadata.namespace === namespace) && selector(o);
    const deliver = (event: StoreEvent): void => {
      if (event.bucket !== bucket || event.rv <= lastRv) return;
      lastRv = event.rv;
      const now = inScope(event.object);
      const before = event.type === "ADDED" ? false : inScope(event.previous);
      if (event.type === "DELETED") {
        if (now || before) write("DELETED", view(event.object));
      } else if (now && before) write("MODIFIED", view(event.object));
      else if (now) write("ADDED", view(event.object));
      else if (before) write("DELETED", view(event.object));
    };
    const bookmark = (initialEnd: boolean): void => {
      const metadata: Record<string, unknown> = { resourceVersion: String(initialEnd ? lastRv : Math.max(lastRv, api.store.lastEmittedRv)) };
      if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
      write("BOOKMARK", { kind: target.type.kind, apiVersion, metadata });
    };

    if (initial) {
      for (const o of initialObjects) write("ADDED", view(o));
      lastRv = initialRv;
      if (options.sendInitialEvents && options.allowWatchBookmarks) bookmark(true);
      for (const event of buffered) deliver(event);
    } else for (const event of backlog) deliver(event);
    unsubscribe = api.store.subscribe(deliver);

    const timeout = options.timeoutSeconds ?? settings.defaultTimeoutSeconds;
    timers.push(setTimeout(end, timeout * 1000));
    if (options.allowWatchBookmarks) {
      const ticker = setInterval(() => bookmark(false), settings.bookmarkIntervalMs);
      timers.push(ticker);
    }
  });
}

function tooOld(rv: number, oldest: number): ApiError {
  return errors.gone(`too old resource version: ${rv} (${oldest})`);
}
