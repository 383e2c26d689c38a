// The per-item ledger of an IngestJob, kept beside the data (objects in the API are limited to
// 1.5 MiB; a job over a NODD prefix can see tens of thousands of files). Status holds only counts
// and the latest failures. Pure state transitions here; reading and writing at the bottom.
import type { StoreKey, WritableStore } from "../../dataplane/index.js";
import { parseNoddKey } from "../dataplane.js";
import type { WorkItem } from "./source.js";

export type ItemState = "pending" | "running" | "succeeded" | "failed";

export interface LedgerEntry {
  url: string;
  state: ItemState;
  attempts: number;
  reason?: string;
  message?: string;
  timeSteps?: number;
  /** Why a succeeded item wrote nothing (another cycle or run type, already ingested, superseded). */
  skipped?: string;
  updatedAt: string;
}

export interface ItemLedger {
  version: 1;
  ingestJob: string;
  items: Record<string, LedgerEntry>;
}

export function emptyLedger(ingestJob: string): ItemLedger {
  return { version: 1, ingestJob, items: {} };
}

/** Adds items the source lists now and the ledger has not seen; existing entries are untouched. */
export function mergeItems(ledger: ItemLedger, items: readonly WorkItem[], now: Date): ItemLedger {
  const next: ItemLedger = { ...ledger, items: { ...ledger.items } };
  for (const item of items) {
    if (!next.items[item.id]) next.items[item.id] = { url: item.url, state: "pending", attempts: 0, updatedAt: now.toISOString() };
  }
  return next;
}

/**
 * Items to run now: pending ones, and failed ones with retries left. An item left "running" by a
 * crashed operator is pending again: the aggregation is idempotent, so re-running it is safe.
 */
export function runnableItems(ledger: ItemLedger, retryLimit: number): string[] {
  return Object.entries(ledger.items)
    .filter(([, e]) => e.state === "pending" || e.state === "running" || (e.state === "failed" && e.attempts <= retryLimit && e.reason !== "Refused"))
    .sort(([, a], [, b]) => compareByModelTime(a.url, b.url))
    .map(([id]) => id);
}

/**
 * Files in model-time order (cycle, then nowcast before forecast, then hour) when their keys follow
 * the NODD naming, else by URL. Only the order of batches depends on it: within a batch the data
 * plane orders time steps by the files' own time coordinates.
 */
export function compareByModelTime(a: string, b: string): number {
  const ka = parseNoddKey(a);
  const kb = parseNoddKey(b);
  if (ka && kb) {
    const order = ka.cycleMs - kb.cycleMs || (ka.kind === kb.kind ? 0 : ka.kind === "nowcast" ? -1 : 1) || ka.hour - kb.hour;
    if (order !== 0) return order;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function markRunning(ledger: ItemLedger, ids: readonly string[], now: Date): ItemLedger {
  const next: ItemLedger = { ...ledger, items: { ...ledger.items } };
  for (const id of ids) {
    const entry = next.items[id];
    if (entry) next.items[id] = { ...entry, state: "running", attempts: entry.attempts + 1, updatedAt: now.toISOString() };
  }
  return next;
}

export type ItemOutcome = { ok: true; timeSteps: number; skipped?: string } | { ok: false; reason: string; message: string };

export function markOutcome(ledger: ItemLedger, id: string, outcome: ItemOutcome, now: Date): ItemLedger {
  const entry = ledger.items[id];
  if (!entry) return ledger;
  const updated: LedgerEntry = outcome.ok
    ? { url: entry.url, state: "succeeded", attempts: entry.attempts, timeSteps: outcome.timeSteps, ...(outcome.skipped !== undefined ? { skipped: outcome.skipped } : {}), updatedAt: now.toISOString() }
    : { url: entry.url, state: "failed", attempts: entry.attempts, reason: outcome.reason, message: outcome.message, updatedAt: now.toISOString() };
  return { ...ledger, items: { ...ledger.items, [id]: updated } };
}

export interface LedgerCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  /** Of the succeeded, those the data plane skipped (another cycle or run type, already ingested). */
  skipped: number;
}

/** Counts for status. A failed item with retries left counts as pending: it will run again. */
export function countItems(ledger: ItemLedger, retryLimit: number): LedgerCounts {
  const counts: LedgerCounts = { total: 0, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
  for (const entry of Object.values(ledger.items)) {
    counts.total += 1;
    if (entry.state === "succeeded" && entry.skipped !== undefined) counts.skipped += 1;
    if (entry.state === "failed" && entry.attempts <= retryLimit && entry.reason !== "Refused") counts.pending += 1;
    else counts[entry.state] += 1;
  }
  return counts;
}

export function recentFailures(ledger: ItemLedger, retryLimit: number, limit = 10) {
  return Object.values(ledger.items)
    .filter((e) => e.state === "failed" && (e.attempts > retryLimit || e.reason === "Refused"))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
    .slice(0, limit)
    .map((e) => ({ url: e.url, reason: e.reason ?? "Failed", message: e.message ?? "", attempts: e.attempts, time: e.updatedAt.replace(/\.\d{3}Z$/, "Z") }));
}

export function ledgerKey(namespace: string, name: string): StoreKey {
  return `/.dmac/ingestjobs/${namespace}/${name}.json`;
}

export async function readLedger(store: WritableStore, namespace: string, name: string): Promise<ItemLedger> {
  const bytes = await store.get(ledgerKey(namespace, name));
  if (!bytes) return emptyLedger(`${namespace}/${name}`);
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as ItemLedger;
  if (parsed.version !== 1) throw new Error(`${store.url}${ledgerKey(namespace, name)}: unsupported ledger version ${String(parsed.version)}`);
  return parsed;
}

export async function writeLedger(store: WritableStore, namespace: string, name: string, ledger: ItemLedger): Promise<void> {
  await store.set(ledgerKey(namespace, name), new TextEncoder().encode(JSON.stringify(ledger)));
}

/** One read-modify-write of a ledger at a time per ledger, in this process (the leader's). */
const ledgerLocks = new Map<string, Promise<unknown>>();

/**
 * Reads the ledger, applies `change` and writes the result (unless it returned the same object),
 * with every other update of the same ledger waiting its turn: the source scan, the event handoff
 * and a running batch all change one ledger, and none may overwrite what another added meanwhile.
 */
export async function updateLedger(store: WritableStore, namespace: string, name: string, change: (ledger: ItemLedger) => ItemLedger): Promise<ItemLedger> {
  const lockKey = `${store.url}${ledgerKey(namespace, name)}`;
  const previous = ledgerLocks.get(lockKey) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const current = await readLedger(store, namespace, name);
    const next = change(current);
    if (next !== current) await writeLedger(store, namespace, name, next);
    return next;
  });
  ledgerLocks.set(lockKey, run);
  try {
    return await run;
  } finally {
    if (ledgerLocks.get(lockKey) === run) ledgerLocks.delete(lockKey);
  }
}
