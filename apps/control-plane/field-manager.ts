// Server-side apply and managedFields, simplified: field ownership is tracked per manager as a
// set of leaf paths; lists with `x-kubernetes-list-type: map` are merged and owned per item (by
// their map keys) and `set` lists per value, as in kube; other lists are atomic. What matches kube-apiserver: every write records its
// manager; an apply that changes a field another manager owns is a 409 Conflict unless
// force=true (which takes the field over); fields a manager stops applying are removed when no
// other manager owns them; updates take ownership of the fields they change.
import { hasOwn, ownValue, setOwn } from "../shared/own.js";
import { ApiError } from "./errors.js";
import { deepEqual, isPlainObject } from "./schema.js";
import { metaTime } from "./serialize.js";
import type { JsonObject, JSONSchemaProps, KObject, ManagedFieldsEntry } from "./types.js";

const SEP = "\u001f";
const TRACKED_METADATA = new Set(["labels", "annotations", "finalizers", "ownerReferences"]);
/** How kube merges metadata under apply: finalizers as a set, ownerReferences keyed by uid. */
const METADATA_SCHEMA: JSONSchemaProps = {
  type: "object",
  properties: {
    labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
    finalizers: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    ownerReferences: { type: "array", items: { type: "object" }, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"] },
  },
};
const withMetadata = (schema: JSONSchemaProps | undefined): JSONSchemaProps => ({ ...schema, properties: { ...schema?.properties, metadata: METADATA_SCHEMA } });

/** Leaf paths of an object, as tokens joined by SEP: field names, `k:{...}` (map-list items), `v:...` (set items). */
export function leaves(object: KObject | Record<string, unknown>, includeStatus: boolean, schema?: JSONSchemaProps): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "status" && !includeStatus) continue;
    if (key === "metadata") {
      if (!isPlainObject(value)) continue;
      for (const [field, fieldValue] of Object.entries(value)) {
        if (TRACKED_METADATA.has(field)) collect(fieldValue, `metadata${SEP}${field}`, out, METADATA_SCHEMA.properties![field]);
      }
      continue;
    }
    collect(value, key, out, ownValue(schema?.properties, key));
  }
  return out;
}

function childSchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  return ownValue(schema?.properties, key) ?? (typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined);
}

const mapKeys = (schema: JSONSchemaProps | undefined): string[] | undefined =>
  schema?.["x-kubernetes-list-type"] === "map" && schema["x-kubernetes-list-map-keys"]?.length ? schema["x-kubernetes-list-map-keys"] : undefined;

function itemToken(item: unknown, keys: string[]): string {
  const id: Record<string, unknown> = {};
  for (const k of keys) setOwn(id, k, isPlainObject(item) ? ownValue(item, k) : undefined);
  return `k:${JSON.stringify(id)}`;
}

function collect(value: unknown, path: string, out: Set<string>, schema: JSONSchemaProps | undefined): void {
  const keys = mapKeys(schema);
  if (Array.isArray(value) && keys) {
    for (const item of value) {
      const itemPath = `${path}${SEP}${itemToken(item, keys)}`;
      if (isPlainObject(item) && Object.keys(item).length > 0) for (const [k, sub] of Object.entries(item)) collect(sub, `${itemPath}${SEP}${k}`, out, childSchema(schema?.items, k));
      else out.add(itemPath);
    }
  } else if (Array.isArray(value) && schema?.["x-kubernetes-list-type"] === "set") {
    for (const item of value) out.add(`${path}${SEP}v:${JSON.stringify(item)}`);
  } else if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, sub] of Object.entries(value)) collect(sub, `${path}${SEP}${key}`, out, childSchema(schema, key));
  } else out.add(path);
}

function findItem(list: unknown[], token: string): number {
  if (token.startsWith("k:")) {
    const id = JSON.parse(token.slice(2)) as Record<string, unknown>;
    return list.findIndex((item) => isPlainObject(item) && Object.entries(id).every(([k, v]) => deepEqual(ownValue(item, k), v)));
  }
  const value = JSON.parse(token.slice(2)) as unknown;
  return list.findIndex((item) => deepEqual(item, value));
}

const isItemToken = (token: string): boolean => token.startsWith("k:") || token.startsWith("v:");

function valueAt(object: unknown, path: string): unknown {
  let current = object;
  for (const token of path.split(SEP)) {
    if (Array.isArray(current) && isItemToken(token)) current = current[findItem(current, token)];
    else if (isPlainObject(current)) current = ownValue(current, token);
    else return undefined;
  }
  return current;
}

function deleteAt(object: Record<string, unknown>, path: string): void {
  const tokens = path.split(SEP);
  const chain: unknown[] = [object];
  let current: unknown = object;
  for (const token of tokens.slice(0, -1)) {
    current = Array.isArray(current) && isItemToken(token) ? current[findItem(current, token)] : isPlainObject(current) ? ownValue(current, token) : undefined;
    if (current === undefined) return;
    chain.push(current);
  }
  const remove = (container: unknown, token: string): void => {
    if (Array.isArray(container) && isItemToken(token)) {
      const i = findItem(container, token);
      if (i >= 0) container.splice(i, 1);
    } else if (isPlainObject(container) && hasOwn(container, token)) delete container[token];
  };
  // A map-list item keeps its key fields while anything else of it remains (they identify it).
  const last = tokens[tokens.length - 1]!;
  const viaKey = tokens.length >= 2 && tokens[tokens.length - 2]!.startsWith("k:") ? (JSON.parse(tokens[tokens.length - 2]!.slice(2)) as Record<string, unknown>) : undefined;
  if (!viaKey || !hasOwn(viaKey, last)) remove(chain[chain.length - 1], last);
  // Drop maps, lists and map-list items the removal left empty, as kube does for fields only this manager had set.
  for (let i = chain.length - 1; i >= 1; i -= 1) {
    const node = chain[i];
    const token = tokens[i - 1]!;
    const onlyKeys = token.startsWith("k:") && isPlainObject(node) && Object.keys(node).every((k) => hasOwn(JSON.parse(token.slice(2)) as Record<string, unknown>, k));
    const empty = onlyKeys || (isPlainObject(node) && Object.keys(node).length === 0) || (Array.isArray(node) && node.length === 0);
    if (!empty) break;
    remove(chain[i - 1], token);
  }
}

/**
 * Whether an owned path still exists among `present` leaves: as a leaf or as an ancestor of one.
 * Ancestors are collected once (linear in the leaves), so a write replacing many fields of a large
 * object costs O(leaves), not O(owned x leaves).
 */
function stillPresent(present: Set<string>): (path: string) => boolean {
  const ancestors = new Set<string>();
  for (const leaf of present) {
    for (let at = leaf.indexOf(SEP); at >= 0; at = leaf.indexOf(SEP, at + 1)) ancestors.add(leaf.slice(0, at));
  }
  return (path) => present.has(path) || ancestors.has(path);
}

/**
 * A set of field paths that answers "which of them are this path, an ancestor of it or below it"
 * in O(depth + log n + matches), so apply's conflict and removal checks stay linear in the number
 * of fields instead of comparing every owned path with every applied one.
 */
function pathIndex(paths: Set<string>): { related(path: string): Generator<string> } {
  const sorted = [...paths].sort();
  return {
    *related(path: string) {
      if (paths.has(path)) yield path;
      for (let at = path.indexOf(SEP); at >= 0; at = path.indexOf(SEP, at + 1)) {
        const ancestor = path.slice(0, at);
        if (paths.has(ancestor)) yield ancestor;
      }
      const below = path + SEP;
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < below) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < sorted.length && sorted[i]!.startsWith(below); i += 1) yield sorted[i]!;
    },
  };
}

export function toFieldsV1(paths: Set<string>): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const token of path.split(SEP)) {
      const key = isItemToken(token) ? token : `f:${token}`;
      if (!hasOwn(node, key)) setOwn(node, key, {});
      node = node[key] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(tree: JsonObject, prefix = ""): Set<string> {
  const out = new Set<string>();
  const token = (key: string): string | undefined => (key.startsWith("f:") ? key.slice(2) : isItemToken(key) ? key : undefined);
  for (const [key, sub] of Object.entries(tree)) {
    const t = token(key);
    if (t === undefined) continue;
    const path = prefix ? `${prefix}${SEP}${t}` : t;
    const children = isPlainObject(sub) ? Object.keys(sub).filter((k) => token(k) !== undefined) : [];
    if (children.length === 0) out.add(path);
    else for (const p of fromFieldsV1(sub as JsonObject, path)) out.add(p);
  }
  return out;
}

interface Owner {
  entry: ManagedFieldsEntry;
  fields: Set<string>;
}

function owners(object: KObject | undefined): Owner[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1 ?? {}) }));
}

function serialize(list: Owner[]): ManagedFieldsEntry[] {
  return list.filter((o) => o.fields.size > 0).map((o) => ({ ...o.entry, fieldsV1: toFieldsV1(o.fields) }));
}

const sameOwner = (entry: ManagedFieldsEntry, manager: string, operation: string, subresource: string | undefined): boolean =>
  entry.manager === manager && entry.operation === operation && (entry.subresource ?? "") === (subresource ?? "");

/** Records an Update (create, PUT, merge/JSON patch) by `manager`: it owns what it changed. */
export function recordUpdate(previous: KObject | undefined, next: KObject, manager: string, subresource: string | undefined, includeStatus: boolean, schema?: JSONSchemaProps): ManagedFieldsEntry[] {
  const before = previous ? leaves(previous, includeStatus, schema) : new Set<string>();
  const after = leaves(next, includeStatus, schema);
  const changed = new Set([...after].filter((p) => !before.has(p) || !deepEqual(valueAt(previous, p), valueAt(next, p))));
  const list = owners(previous).map((o) => ({ entry: o.entry, fields: new Set([...o.fields].filter(stillPresent(after))) }));
  for (const o of list) if (!sameOwner(o.entry, manager, "Update", subresource)) for (const p of changed) o.fields.delete(p);
  let mine = list.find((o) => sameOwner(o.entry, manager, "Update", subresource));
  if (!mine) {
    mine = { entry: baseEntry(next, manager, "Update", subresource), fields: new Set() };
    list.push(mine);
  }
  if (changed.size > 0) mine.entry = { ...mine.entry, time: now() };
  for (const p of changed) mine.fields.add(p);
  return serialize(list);
}

function baseEntry(object: KObject, manager: string, operation: "Apply" | "Update", subresource: string | undefined): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion: object.apiVersion, time: now(), fieldsType: "FieldsV1", fieldsV1: {} };
  if (subresource) entry.subresource = subresource;
  return entry;
}

const now = (): string => metaTime();

const displayPath = (path: string): string => "." + path.split(SEP).join(".");

/**
 * Server-side apply of `applied` by `manager` onto `current` (undefined: create).
 * Returns the merged object with its managedFields; throws 409 on conflicts unless `force`.
 */
export function serverSideApply(current: KObject | undefined, applied: KObject, manager: string, force: boolean, subresource: string | undefined, includeStatus: boolean, schema?: JSONSchemaProps): KObject {
  const appliedFields = leaves(applied, includeStatus, schema);
  const list = owners(current);
  const conflicts: Array<{ manager: string; path: string; apiVersion: string }> = [];
  const appliedIndex = pathIndex(appliedFields);
  for (const o of list) {
    if (sameOwner(o.entry, manager, "Apply", subresource)) continue;
    for (const owned of o.fields) {
      for (const p of appliedIndex.related(owned)) {
        // Applying an object merges into what is there: it overrides nothing another manager owns below it.
        if (owned.startsWith(p + SEP) && isPlainObject(valueAt(applied, p))) continue;
        if (deepEqual(valueAt(current, owned.length >= p.length ? owned : p), valueAt(applied, owned.length >= p.length ? owned : p))) continue;
        if (force) o.fields.delete(owned);
        else conflicts.push({ manager: o.entry.manager, path: owned, apiVersion: o.entry.apiVersion });
        break;
      }
    }
  }
  if (conflicts.length > 0) {
    const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}"${c.manager.startsWith("kubectl") ? "" : ` using ${c.apiVersion}`}`, field: displayPath(c.path) }));
    const summary = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${displayPath(c.path)}`).join("\n- ");
    throw new ApiError(409, "Conflict", `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? "" : "s"}: ${conflicts.length === 1 ? summary : "\n- " + summary}`, { causes });
  }
  let mine = list.find((o) => sameOwner(o.entry, manager, "Apply", subresource));
  const base = structuredClone(current ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} }) as KObject;
  if (mine) {
    const others = pathIndex(new Set(list.filter((o) => o !== mine).flatMap((o) => [...o.fields])));
    for (const p of mine.fields) {
      if (appliedFields.has(p)) continue;
      if (!others.related(p).next().done) continue;
      deleteAt(base as unknown as Record<string, unknown>, p);
    }
  } else {
    mine = { entry: baseEntry(applied, manager, "Apply", subresource), fields: new Set() };
    list.push(mine);
  }
  mine.entry = { ...mine.entry, apiVersion: applied.apiVersion, time: now() };
  mine.fields = appliedFields;
  const merged = deepMerge(base, applied, withMetadata(schema)) as KObject;
  // Other managers keep only the fields that still exist.
  const present = leaves(merged, includeStatus, schema);
  const kept = stillPresent(present);
  for (const o of list) if (o !== mine) o.fields = new Set([...o.fields].filter(kept));
  merged.metadata = { ...merged.metadata, managedFields: serialize(list) };
  return merged;
}

/** Apply's merge: objects recursively, map-lists by key, sets as unions, everything else replaced. */
function deepMerge(base: unknown, patch: unknown, schema: JSONSchemaProps | undefined): unknown {
  const keys = mapKeys(schema);
  if (Array.isArray(base) && Array.isArray(patch) && keys) {
    const out = [...base];
    for (const item of patch) {
      const i = findItem(out, itemToken(item, keys));
      if (i >= 0) out[i] = deepMerge(out[i], item, schema?.items);
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && schema?.["x-kubernetes-list-type"] === "set") {
    return [...base, ...patch.filter((item) => !base.some((b) => deepEqual(b, item)))];
  }
  if (!isPlainObject(patch) || !isPlainObject(base)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) setOwn(out, key, hasOwn(out, key) ? deepMerge(out[key], value, childSchema(schema, key)) : structuredClone(value));
  return out;
}
