// Zarr v2 metadata as xarray reads it: `.zgroup`, `.zarray`, `.zattrs` with
// `_ARRAY_DIMENSIONS`, and the consolidated `.zmetadata` that is our commit point.
import type { Attributes } from "../types.js";
import { getJson, jsonBytes, type ReadableStore, type StoreKey, type WritableStore } from "./store.js";
import { nodesV3, parseRootV3, rootV3 } from "./v3.js";

export type { ArrayMetaV2, ArrayNode, Consolidated, Hierarchy, ZarrFormat } from "./types.js";
import type { ArrayMetaV2, ArrayNode, Consolidated, Hierarchy, ZarrFormat } from "./types.js";

export function fillValueJson(value: number | null): ArrayMetaV2["fill_value"] {
  if (value === null) return null;
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return value;
}

export function fillValueNumber(value: ArrayMetaV2["fill_value"]): number | null {
  if (value === null) return null;
  if (typeof value === "number") return value;
  return value === "NaN" ? NaN : value === "Infinity" ? Infinity : -Infinity;
}

function key(path: string, name: string): StoreKey {
  return (path === "" ? `/${name}` : `/${path}/${name}`) as StoreKey;
}

function metaKey(path: string, name: string): string {
  return path === "" ? name : `${path}/${name}`;
}

export interface StoreState<L> {
  format: ZarrFormat;
  hierarchy: Hierarchy;
  ledger: L | undefined;
}

/** The committed state of a store: v2 `.zmetadata`, or a v3 root `zarr.json` with inline consolidated metadata. */
export async function readConsolidated<L>(store: ReadableStore): Promise<StoreState<L> | undefined> {
  const doc = await getJson<Consolidated<L>>(store, "/.zmetadata");
  if (doc === undefined) {
    const root = await getJson<Record<string, unknown>>(store, "/zarr.json");
    if (root === undefined) return undefined;
    if (root.consolidated_metadata === undefined) throw new Error(`${store.url}/zarr.json: no consolidated metadata (not a store dmac wrote)`);
    return { format: 3, ...parseRootV3<L>(root) };
  }
  const hierarchy: Hierarchy = { groups: {}, arrays: {} };
  const m = doc.metadata;
  for (const [k, v] of Object.entries(m)) {
    const at = k.lastIndexOf("/");
    const path = at < 0 ? "" : k.slice(0, at);
    const name = at < 0 ? k : k.slice(at + 1);
    if (name === ".zgroup") hierarchy.groups[path] = (m[metaKey(path, ".zattrs")] as Attributes | undefined) ?? {};
    if (name === ".zarray") hierarchy.arrays[path] = { meta: v as ArrayMetaV2, attrs: (m[metaKey(path, ".zattrs")] as ArrayNode["attrs"] | undefined) ?? {} };
  }
  return { format: 2, hierarchy, ledger: doc["dmac:ledger"] };
}

export function consolidate<L>(h: Hierarchy, ledger: L): Consolidated<L> {
  const metadata: Record<string, unknown> = {};
  for (const [path, attrs] of Object.entries(h.groups)) {
    metadata[metaKey(path, ".zgroup")] = { zarr_format: 2 };
    metadata[metaKey(path, ".zattrs")] = attrs;
  }
  for (const [path, node] of Object.entries(h.arrays)) {
    metadata[metaKey(path, ".zarray")] = node.meta;
    metadata[metaKey(path, ".zattrs")] = node.attrs;
  }
  return { zarr_consolidated_format: 1, metadata, "dmac:ledger": ledger };
}

/**
 * Publishes a hierarchy: per-node metadata first (for readers that do not use consolidated
 * metadata, each `.zarray` only ever grows over chunks already written), then `.zmetadata`
 * in one atomic replace. That last write is the commit.
 */
export async function commitHierarchy<L>(store: WritableStore, h: Hierarchy, ledger: L, previous: Hierarchy | undefined, format: ZarrFormat): Promise<void> {
  const writes: Array<Promise<void>> = [];
  if (format === 3) {
    const before = previous === undefined ? undefined : nodesV3(previous);
    for (const [path, json] of nodesV3(h)) {
      if (path === "" || JSON.stringify(before?.get(path)) === JSON.stringify(json)) continue;
      writes.push(store.set(key(path, "zarr.json"), jsonBytes(json)));
    }
    await Promise.all(writes);
    await store.set("/zarr.json", jsonBytes(rootV3(h, ledger)));
    return;
  }
  for (const [path, attrs] of Object.entries(h.groups)) {
    if (previous?.groups[path] !== undefined && JSON.stringify(previous.groups[path]) === JSON.stringify(attrs)) continue;
    writes.push(store.set(key(path, ".zgroup"), jsonBytes({ zarr_format: 2 })), store.set(key(path, ".zattrs"), jsonBytes(attrs)));
  }
  for (const [path, node] of Object.entries(h.arrays)) {
    const before = previous?.arrays[path];
    if (before !== undefined && JSON.stringify(before) === JSON.stringify(node)) continue;
    writes.push(store.set(key(path, ".zarray"), jsonBytes(node.meta)), store.set(key(path, ".zattrs"), jsonBytes(node.attrs)));
  }
  await Promise.all(writes);
  await store.set("/.zmetadata", jsonBytes(consolidate(h, ledger)));
}

/** Chunk keys: v2 `0.1.2` (dimension_separator "."), v3 default encoding `c/0/1/2`. */
export function chunkKey(path: string, index: readonly number[], format: ZarrFormat): StoreKey {
  if (format === 3) return key(path, ["c", ...index].join("/"));
  return key(path, index.length === 0 ? "0" : index.join("."));
}
