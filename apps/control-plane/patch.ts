// JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the subset of strategic merge patch
// kubectl sends for built-in kinds. All pure: they return a new document. Keys and pointer
// tokens come from the request: every lookup is by own property and every write defines an own
// data property (apps/shared/own.ts), so no patch type can reach Object.prototype.
import { ApiError, errors } from "./errors.js";
import { hasOwn, ownValue, setOwn } from "../shared/own.js";
import { MAX_JSON_PATCH_OPERATIONS, MAX_PATCH_COPY_BYTES } from "./limits.js";
import { deepEqual, isPlainObject } from "./schema.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergePatch(ownValue(result, key), value));
  }
  return result;
}

/**
 * Strategic merge patch, simplified: merge-patch semantics plus the `$patch: delete|replace`
 * and `$retainKeys` directives; `$setElementOrder/...` and `$deleteFromPrimitiveList/...` keys are
 * dropped. Lists are replaced as a whole rather than merged by their patch merge key. Only
 * served for built-in kinds (kube-apiserver answers 415 for custom resources, and so do we).
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const directive = ownValue(patch, "$patch");
  if (directive === "delete") return undefined;
  const base: Record<string, unknown> = directive === "replace" || !isPlainObject(target) ? {} : { ...target };
  const retainKeys = ownValue(patch, "$retainKeys");
  const retain = Array.isArray(retainKeys) ? new Set(retainKeys as string[]) : undefined;
  if (retain) for (const key of Object.keys(base)) if (!retain.has(key)) delete base[key];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete base[key];
    else {
      const merged = strategicMergePatch(ownValue(base, key), value);
      if (merged === undefined) delete base[key];
      else setOwn(base, key, Array.isArray(merged) ? merged.filter((item) => !(isPlainObject(item) && ownValue(item, "$patch") === "delete")) : merged);
    }
  }
  return base;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export interface JsonPatchLimits {
  /** Operations in one patch (413 beyond). */
  maxOperations?: number;
  /** Bytes `copy` may add to the document in total, counted as the patch is applied (413 beyond). */
  copyBudgetBytes?: number;
}

const prefix = "the server rejected our request due to an error in our request";

function pointer(path: string, index: number): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw errors.badRequest(`${prefix}: json patch operation ${index}: invalid path "${path}"`);
  return path.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * JSON patch (RFC 6902) on a copy of `document`. Hardened against hostile patches: every pointer
 * token resolves own properties only (`/__proto__/x` or `/constructor/prototype/x` is "path does
 * not exist", never a prototype), writes define own data properties, the number of operations is
 * capped and the bytes `copy` adds are counted against a budget as the document grows, as
 * kube-apiserver's json-patch library does with its accumulated copy size limit.
 */
export function jsonPatch(document: unknown, operations: unknown, limits: JsonPatchLimits = {}): unknown {
  const maxOperations = limits.maxOperations ?? MAX_JSON_PATCH_OPERATIONS;
  const copyBudget = limits.copyBudgetBytes ?? MAX_PATCH_COPY_BYTES;
  if (!Array.isArray(operations)) throw errors.badRequest(`${prefix}: json patch must be an array of operations`);
  if (operations.length > maxOperations) throw errors.tooLarge(`The allowed maximum operations in a JSON patch is ${maxOperations}, got ${operations.length}`);
  let doc = structuredClone(document);
  let copied = 0;
  operations.forEach((raw, index) => {
    if (!isPlainObject(raw) || typeof ownValue(raw, "op") !== "string" || typeof ownValue(raw, "path") !== "string") {
      throw errors.badRequest(`${prefix}: json patch operation ${index} needs "op" and "path"`);
    }
    const op: Operation = { op: raw.op as string, path: raw.path as string, from: ownValue(raw, "from") as string | undefined, value: ownValue(raw, "value") };
    const fail = (why: string): ApiError => new ApiError(422, "Invalid", `${prefix}: json patch operation ${index} (${op.op} ${op.path}): ${why}`, {});
    const tokens = pointer(op.path, index);
    // As for every body (http.ts decodeDocument): "__proto__" never becomes a field name.
    if (op.op !== "test" && op.op !== "remove" && tokens.includes("__proto__")) throw fail(`the field name "__proto__" is not accepted`);
    const from = (): string[] => {
      if (typeof op.from !== "string") throw fail(`missing "from"`);
      return pointer(op.from, index);
    };
    switch (op.op) {
      case "add":
        if (!hasOwn(raw, "value")) throw fail(`missing "value"`);
        doc = setAt(doc, tokens, structuredClone(op.value), "add", fail);
        break;
      case "replace":
        if (!hasOwn(raw, "value")) throw fail(`missing "value"`);
        getAt(doc, tokens, fail);
        doc = setAt(doc, tokens, structuredClone(op.value), "replace", fail);
        break;
      case "remove":
        doc = removeAt(doc, tokens, fail);
        break;
      case "move": {
        const source = from();
        if (tokens.length > source.length && source.every((t, i) => tokens[i] === t)) throw fail("cannot move a value into one of its own children");
        const value = getAt(doc, source, fail);
        doc = setAt(removeAt(doc, source, fail), tokens, value, "add", fail);
        break;
      }
      case "copy": {
        const value = getAt(doc, from(), fail);
        copied += jsonBytes(value, copyBudget - copied);
        if (copied > copyBudget) {
          throw errors.tooLarge(`Unable to complete the copy, the accumulated size increase of copy exceeds the limit ${copyBudget} (json patch operation ${index})`);
        }
        doc = setAt(doc, tokens, structuredClone(value), "add", fail);
        break;
      }
      case "test":
        if (!deepEqual(getAt(doc, tokens, fail), op.value)) throw fail("testing value failed");
        break;
      default:
        throw errors.badRequest(`${prefix}: unexpected json patch operation "${String(op.op).slice(0, 40)}"`);
    }
  });
  return doc;
}

/** JSON byte length of `value`, or more than `budget` as soon as the walk passes it (no full serialisation of a huge value). */
function jsonBytes(value: unknown, budget: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      total += 2 + Math.max(0, current.length - 1);
      for (const item of current) stack.push(item);
    } else if (isPlainObject(current)) {
      const keys = Object.keys(current);
      total += 2 + Math.max(0, keys.length - 1);
      for (const key of keys) {
        total += Buffer.byteLength(key) + 3;
        stack.push(current[key]);
      }
    } else total += current === undefined ? 0 : Buffer.byteLength(JSON.stringify(current));
    if (total > budget) return total;
  }
  return total;
}

type Fail = (why: string) => ApiError;

const INDEX = /^(0|[1-9]\d*)$/;

function getAt(doc: unknown, tokens: string[], fail: Fail): unknown {
  let current = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      const i = Number(token);
      if (!INDEX.test(token) || i >= current.length) throw fail(`index ${token} out of range`);
      current = current[i];
    } else if (isPlainObject(current) && hasOwn(current, token)) current = current[token];
    else throw fail(`path does not exist`);
  }
  return current;
}

function setAt(doc: unknown, tokens: string[], value: unknown, mode: "add" | "replace", fail: Fail): unknown {
  if (tokens.length === 0) return value;
  const parent = getAt(doc, tokens.slice(0, -1), fail);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!(last === "-" || INDEX.test(last)) || i > parent.length || (mode === "replace" && i >= parent.length)) throw fail(`index ${last} out of range`);
    if (mode === "add") parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isPlainObject(parent)) setOwn(parent, last, value);
  else throw fail("parent is not an object or array");
  return doc;
}

function removeAt(doc: unknown, tokens: string[], fail: Fail): unknown {
  if (tokens.length === 0) throw fail("cannot remove the whole document");
  const parent = getAt(doc, tokens.slice(0, -1), fail);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!INDEX.test(last) || i >= parent.length) throw fail(`index ${last} out of range`);
    parent.splice(i, 1);
  } else if (isPlainObject(parent) && hasOwn(parent, last)) delete parent[last];
  else throw fail("path does not exist");
  return doc;
}
