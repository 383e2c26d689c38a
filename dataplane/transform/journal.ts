// The derived store's commit: an update rewrites chunks readers already see (a provisional period,
// a best-forecast step replaced), which the ingest's "new indices past the committed shape" rule
// cannot hide. So every chunk is first written under a staging prefix, then a journal naming the
// staged keys and the new metadata is written in one atomic replace (the commit point), then the
// staged chunks are copied into place and the metadata committed. A crash before the journal
// leaves the store as before; after it, the next run (`recoverJournal`) finishes the copy: the
// store ends as after. Never a mix of the two once a run has started.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { commitHierarchy, readConsolidated, type Hierarchy, type ZarrFormat } from "../zarr/metadata.js";
import { FileStore, getJson, jsonBytes, type StoreKey, type WritableStore } from "../zarr/store.js";

const JOURNAL: StoreKey = "/.dmac/derive/journal.json";
const STAGING = "/.dmac/derive/staging";

interface Journal {
  readonly state: "pending" | "applied";
  readonly keys?: StoreKey[];
  readonly hierarchy?: Hierarchy;
  readonly ledger?: unknown;
  readonly format?: ZarrFormat;
}

/** A view of the target that sends writes to the staging prefix and reads staged keys back from there. */
export class StagingStore implements WritableStore {
  readonly staged = new Set<StoreKey>();
  constructor(private readonly target: WritableStore) {}
  get url(): string {
    return this.target.url;
  }
  private stagingKey(key: StoreKey): StoreKey {
    return `${STAGING}${key}` as StoreKey;
  }
  async get(key: StoreKey): Promise<Uint8Array | undefined> {
    return this.target.get(this.staged.has(key) ? this.stagingKey(key) : key);
  }
  async set(key: StoreKey, value: Uint8Array): Promise<void> {
    await this.target.set(this.stagingKey(key), value);
    this.staged.add(key);
  }
  /** A key another process (the Dask payload) wrote under the staging prefix. */
  adopt(key: StoreKey): void {
    this.staged.add(key);
  }
}

/** Hooks between the steps, for crash tests (a step may kill the process). */
export interface CommitHooks {
  readonly afterJournal?: () => Promise<void> | void;
  readonly afterChunk?: (done: number, total: number) => Promise<void> | void;
}

async function apply(store: WritableStore, journal: Journal, previous: Hierarchy | undefined, hooks: CommitHooks = {}): Promise<void> {
  const keys = journal.keys ?? [];
  let done = 0;
  for (const key of keys) {
    const bytes = await store.get(`${STAGING}${key}` as StoreKey);
    // Copied in a previous, interrupted apply (staging is removed only after the journal is marked applied).
    if (bytes === undefined) throw new Error(`${store.url}${STAGING}${key}: staged chunk missing; the journal cannot be applied`);
    await store.set(key, bytes);
    await hooks.afterChunk?.(++done, keys.length);
  }
  if (journal.hierarchy !== undefined) await commitHierarchy(store, journal.hierarchy, journal.ledger, previous, journal.format ?? 2);
  await store.set(JOURNAL, jsonBytes({ state: "applied" } satisfies Journal));
  if (store instanceof FileStore) await rm(join(store.root, STAGING), { recursive: true, force: true });
}

/** Commits the staged chunks and the new metadata through the journal. */
export async function commitStaged(store: WritableStore, staging: StagingStore, hierarchy: Hierarchy, ledger: unknown, format: ZarrFormat, previous: Hierarchy | undefined, hooks: CommitHooks = {}): Promise<void> {
  const journal: Journal = { state: "pending", keys: [...staging.staged].sort(), hierarchy, ledger, format };
  await store.set(JOURNAL, jsonBytes(journal));
  await hooks.afterJournal?.();
  await apply(store, journal, previous, hooks);
}

/** Finishes an update a crash interrupted after its journal was written; true when there was one. */
export async function recoverJournal(store: WritableStore): Promise<boolean> {
  const journal = await getJson<Journal>(store, JOURNAL);
  if (journal?.state !== "pending") {
    // Staging left by a run that crashed before its journal: not part of the store.
    if (store instanceof FileStore) await rm(join(store.root, STAGING), { recursive: true, force: true });
    return false;
  }
  const previous = (await readConsolidated(store))?.hierarchy;
  await apply(store, journal, previous);
  return true;
}
