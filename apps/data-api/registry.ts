// The datasets the API serves, opened on demand and kept, with their decoded chunks, in the one
// memory budget every cache of the data API shares (cache-budget.ts). `invalidate(id)` (called
// by the Dataset operator when an aggregation changes, e.g. every forecast cycle for a best
// forecast) drops the dataset and its chunks; between calls a cheap freshness check of
// `.zmetadata` (file mtime/size/inode, or a digest for remote stores) catches commits the
// operator did not announce.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStore, openStore, readConsolidated, type ReadableStore, type ZarrFormat } from "../../dataplane/index.js";
import { ChunkCache } from "./chunk-cache.js";
import { openDataset, type OpenedDataset } from "./dataset.js";
import { describeHierarchy, type DatasetModel } from "./model.js";
import { CacheBudget, DEFAULT_CACHE_MIB, type BudgetRegion } from "./cache-budget.js";

export interface DatasetSource {
  id: string;
  /** Zarr v2 store: local path, file://, s3:// or https:// URL. */
  url: string;
}

export interface RegistryOptions {
  datasets: DatasetSource[];
  /**
   * Bytes every cache together may hold (default 512 MiB): decoded chunks, opened datasets with
   * their coordinates, k-d trees and station tables, encoded station documents.
   */
  cacheBytes?: number;
  /** Told when something is too large to keep within the budget at all (it is rebuilt per request). */
  warn?: (message: string) => void;
  /** Minimum milliseconds between two freshness checks of one dataset (default 1000; 0 = every request). */
  revalidateMs?: number;
  /** How a URL becomes a store (tests wrap it to watch every key read). */
  openStore?: (url: string) => Promise<ReadableStore>;
}

/**
 * What the Zarr passthrough needs of a dataset: its store and the model of its consolidated
 * metadata, without the coordinates, time axes and k-d trees an opened dataset holds. A 4500 x 3298
 * curvilinear grid's opened form is larger than the default budget; its chunks are still served.
 */
export interface DatasetMetadata {
  readonly store: ReadableStore;
  readonly format: ZarrFormat;
  readonly model: DatasetModel;
}

interface DescribedDataset extends DatasetMetadata {
  readonly generation: number;
  readonly signature: string;
  checkedAt: number;
}

export const DATASET_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export async function storeSignature(store: ReadableStore): Promise<string> {
  // The commit point: v2 `.zmetadata`, else a v3 root `zarr.json` (consolidated metadata inline).
  if (store instanceof FileStore) {
    for (const name of [".zmetadata", "zarr.json"]) {
      try {
        const s = await stat(join(store.root, name));
        return `file:${name}:${s.ino}:${s.size}:${s.mtimeMs}`;
      } catch {
        // not this format
      }
    }
    return "file:missing";
  }
  const bytes = (await store.get("/.zmetadata")) ?? (await store.get("/zarr.json"));
  return bytes === undefined ? "missing" : `sha1:${createHash("sha1").update(bytes).digest("hex")}`;
}

function sameStore(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  if (trimmed.startsWith("file://")) return resolve(fileURLToPath(trimmed));
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return resolve(trimmed);
  return trimmed;
}

export class DatasetRegistry {
  private readonly sources = new Map<string, DatasetSource>();
  private readonly opened: BudgetRegion<string, OpenedDataset>;
  private readonly opening = new Map<string, Promise<OpenedDataset>>();
  /** Metadata only, one entry per configured dataset at most (small: the consolidated metadata's model). */
  private readonly described = new Map<string, DescribedDataset>();
  private readonly generations = new Map<string, number>();
  /** The one memory budget of every cache below (and of stations.ts' documents). */
  readonly cache: CacheBudget;
  readonly chunks: ChunkCache;
  private readonly revalidateMs: number;
  private readonly open: (url: string) => Promise<ReadableStore>;
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();

  constructor(options: RegistryOptions) {
    this.cache = new CacheBudget(options.cacheBytes ?? DEFAULT_CACHE_MIB * 1024 * 1024);
    this.opened = this.cache.region<OpenedDataset>("datasets");
    this.chunks = new ChunkCache(this.cache);
    this.warn = options.warn ?? (() => undefined);
    this.revalidateMs = options.revalidateMs ?? 1000;
    this.open = options.openStore ?? openStore;
    for (const d of options.datasets) this.add(d);
  }

  ids(): string[] {
    return [...this.sources.keys()].sort();
  }

  /** Ids of the datasets read from `url` (file:// URLs and plain paths compare as the same file). */
  idsForUrl(url: string): string[] {
    const want = sameStore(url);
    return [...this.sources.values()].filter((s) => sameStore(s.url) === want).map((s) => s.id);
  }

  /** Whether two store URLs name the same store (file:// URLs and plain paths compare as the same file). */
  sameStoreUrl(a: string, b: string): boolean {
    return a !== "" && b !== "" && sameStore(a) === sameStore(b);
  }

  /**
   * False when dataset `id` cannot be a layout of the store at `sourceUrl`: it is that store
   * itself, or it was opened and its attributes name no such source (layouts.ts). Unopened
   * datasets may be; the caller opens them to know.
   */
  mayBeLayoutOf(id: string, sourceUrl: string): boolean {
    const source = this.sources.get(id);
    if (source === undefined || this.sameStoreUrl(source.url, sourceUrl)) return false;
    const held = this.opened.get(id);
    return held === undefined || (held.model.attrs["dmac_layout"] === "time-series" && this.sameStoreUrl(String(held.model.attrs["dmac_source_store"] ?? ""), sourceUrl));
  }

  has(id: string): boolean {
    return this.sources.has(id);
  }

  add(source: DatasetSource): void {
    if (!DATASET_ID.test(source.id)) throw new Error(`dataset id ${JSON.stringify(source.id)}: use letters, digits, "_", "-", "." (max 64)`);
    if (source.url.trim() === "") throw new Error(`dataset ${source.id}: empty store url`);
    const before = this.sources.get(source.id);
    this.sources.set(source.id, source);
    if (before !== undefined && before.url !== source.url) this.invalidate(source.id);
  }

  remove(id: string): void {
    this.sources.delete(id);
    this.invalidate(id);
  }

  /** Forgets the opened dataset and its decoded chunks; the next request reopens the store. */
  invalidate(id: string): void {
    this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
    this.opened.delete(id);
    this.opening.delete(id);
    this.described.delete(id);
    this.chunks.dropScope(`${id}#`);
    this.cache.region("documents").deleteWhere((key) => key.startsWith(`${id}#`));
  }

  /** Whether what was read from a store is still its last commit (checked at most every revalidateMs). */
  private async stillCurrent(held: { readonly store: ReadableStore; readonly signature: string; checkedAt: number }): Promise<boolean> {
    const now = Date.now();
    if (now - held.checkedAt < this.revalidateMs) return true;
    if ((await storeSignature(held.store)) !== held.signature) return false;
    held.checkedAt = now;
    return true;
  }

  /** The opened dataset, or undefined when no such id is configured. */
  async get(id: string): Promise<OpenedDataset | undefined> {
    const source = this.sources.get(id);
    if (source === undefined) return undefined;
    const held = this.opened.get(id);
    if (held !== undefined) {
      if (await this.stillCurrent(held)) return held;
      // Another request may have reopened it while we were checking.
      if (this.opened.get(id) === held) this.invalidate(id);
    }
    let p = this.opening.get(id);
    if (p === undefined) {
      const generation = this.generations.get(id) ?? 0;
      p = (async () => {
        const store = await this.open(source.url);
        const signature = await storeSignature(store);
        const ds = await openDataset(id, store, `${id}#${generation}`, signature, Date.now());
        if ((this.generations.get(id) ?? 0) === generation && this.sources.get(id) === source && !this.opened.set(id, ds, ds.heldBytes) && !this.warned.has(id)) {
          this.warned.add(id);
          this.warn(`dataset ${id}: its coordinates and indexes need about ${Math.ceil(ds.heldBytes / 2 ** 20)} MiB, more than the whole cache budget (${Math.floor(this.cache.maxBytes / 2 ** 20)} MiB, --cache-mb): it is reopened for every request`);
        }
        return ds;
      })().finally(() => {
        if (this.opening.get(id) === p) this.opening.delete(id);
      });
      this.opening.set(id, p);
    }
    return p;
  }

  /**
   * The dataset's store and metadata model, without opening it: the opened dataset when it is held,
   * else the consolidated metadata alone (kept per dataset, checked for freshness as `get` does).
   */
  async metadata(id: string): Promise<DatasetMetadata | undefined> {
    const source = this.sources.get(id);
    if (source === undefined) return undefined;
    if (this.opened.get(id) !== undefined) return this.get(id);
    const generation = this.generations.get(id) ?? 0;
    const held = this.described.get(id);
    if (held !== undefined && held.generation === generation && (await this.stillCurrent(held))) return held;
    const store = await this.open(source.url);
    const signature = await storeSignature(store);
    const consolidated = await readConsolidated(store);
    if (consolidated === undefined) return undefined;
    const described: DescribedDataset = { store, format: consolidated.format, model: describeHierarchy(consolidated.hierarchy), generation, signature, checkedAt: Date.now() };
    if ((this.generations.get(id) ?? 0) === generation && this.sources.get(id) === source) this.described.set(id, described);
    return described;
  }

}
