// Server-side apply and managedFields, simplified: field ownership is tracked per manager as a
// set of leaf paths (lists are atomic, as with `x-kubernetes-list-type: atomic`; kube merges
// map- and set-typed lists per item). What matches kube-apiserver: every write records its
// manager; an apply that changes a field another manager owns is a 409 Conflict unless
// force=true (which takes the field over); fields a manager stops applying are removed when no
// other manager owns them; updates take ownership of the fields they change.
import { ApiError } from "./errors.js";
import { deepEqual, isPlainObject } from "./schema.js";
import type { JsonObject, KObject, ManagedFieldsEntry } from "./types.js";

const SEP = "\u001f";
const TRACKED_METADATA = new Set(["labels", "annotations", "finalizers", "ownerReferences"]);

/** Leaf paths of an object, as "f:"-free tokens joined by SEP. */
export function leaves(object: KObject | Record<string, unknown>, includeStatus: boolean): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "status" && !includeStatus) continue;
    if (key === "metadata") {
      if (!isPlainObject(value)) continue;
      for (const [field, fieldValue] of Object.entries(value)) {
        if (TRACKED_METADATA.has(field)) collect(fieldValue, `metadata${SEP}${field}`, out);
      }
      continue;
    }
    collect(value, key, out);
  }
  return out;
}

function collect(value: unknown, path: string, out: Set<string>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, sub] of Object.entries(value)) collect(sub, `${path}${SEP}${key}`, out);
  } else out.add(path);
}

function valueAt(object: unknown, path: string): unknown {
  let current = object;
  for (const token of path.split(SEP)) {
    if (!isPlainObject(current)) return undefined;
    current = current[token];
  }
  return current;
}

function deleteAt(object: Record<string, unknown>, path: string): void {
  const tokens = path.split(SEP);
  const parents: Array<Record<string, unknown>> = [];
  let current: unknown = object;
  for (const token of tokens.slice(0, -1)) {
    if (!isPlainObject(current)) return;
    parents.push(current);
    current = current[token];
  }
  if (!isPlainObject(current)) return;
  delete current[tokens[tokens.length - 1]!];
  // Drop maps the removal left empty, as kube does for fields that existed only through this manager.
  for (let i = parents.length - 1; i >= 0; i -= 1) {
    const child = parents[i]![tokens[i]!];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parents[i]![tokens[i]!];
    else break;
  }
}

const related = (a: string, b: string): boolean => a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);

export function toFieldsV1(paths: Set<string>): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const token of path.split(SEP)) {
      const key = `f:${token}`;
      node[key] ??= {};
      node = node[key] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(tree: JsonObject, prefix = ""): Set<string> {
  const out = new Set<string>();
  for (const [key, sub] of Object.entries(tree)) {
    if (!key.startsWith("f:")) continue;
    const path = prefix ? `${prefix}${SEP}${key.slice(2)}` : key.slice(2);
    const children = isPlainObject(sub) ? Object.keys(sub).filter((k) => k.startsWith("f:")) : [];
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
export function recordUpdate(previous: KObject | undefined, next: KObject, manager: string, subresource: string | undefined, includeStatus: boolean): ManagedFieldsEntry[] {
  const before = previous ? leaves(previous, includeStatus) : new Set<string>();
  const after = leaves(next, includeStatus);
  const changed = new Set([...after].filter((p) => !before.has(p) || !deepEqual(valueAt(previous, p), valueAt(next, p))));
  const list = owners(previous).map((o) => ({ entry: o.entry, fields: new Set([...o.fields].filter((p) => after.has(p) || [...after].some((a) => a.startsWith(p + SEP)))) }));
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

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

const displayPath = (path: string): string => "." + path.split(SEP).join(".");

/**
 * Server-side apply of `applied` by `manager` onto `current` (undefined: create).
 * Returns the merged object with its managedFields; throws 409 on conflicts unless `force`.
 */
export function serverSideApply(current: KObject | undefined, applied: KObject, manager: string, force: boolean, subresource: string | undefined, includeStatus: boolean): KObject {
  const appliedFields = leaves(applied, includeStatus);
  const list = owners(current);
  const conflicts: Array<{ manager: string; path: string; apiVersion: string }> = [];
  for (const o of list) {
    if (sameOwner(o.entry, manager, "Apply", subresource)) continue;
    for (const owned of o.fields) {
      for (const p of appliedFields) {
        if (!related(owned, p)) continue;
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
    for (const p of mine.fields) {
      if (appliedFields.has(p)) continue;
      if (list.some((o) => o !== mine && [...o.fields].some((f) => related(f, p)))) continue;
      deleteAt(base as unknown as Record<string, unknown>, p);
    }
  } else {
    mine = { entry: baseEntry(applied, manager, "Apply", subresource), fields: new Set() };
    list.push(mine);
  }
  mine.entry = { ...mine.entry, apiVersion: applied.apiVersion, time: now() };
  mine.fields = appliedFields;
  const merged = deepMerge(base, applied) as KObject;
  // Other managers keep only the fields that still exist.
  const present = leaves(merged, includeStatus);
  for (const o of list) if (o !== mine) o.fields = new Set([...o.fields].filter((p) => present.has(p) || [...present].some((a) => a.startsWith(p + SEP))));
  merged.metadata = { ...merged.metadata, managedFields: serialize(list) };
  return merged;
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(base)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = key in out ? deepMerge(out[key], value) : structuredClone(value);
  return out;
}
