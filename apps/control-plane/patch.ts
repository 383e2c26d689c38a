// JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the subset of strategic merge patch
// kubectl sends for built-in kinds. All pure: they return a new document.
import { ApiError, errors } from "./errors.js";
import { deepEqual, isPlainObject } from "./schema.js";

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
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
  if (patch.$patch === "delete") return undefined;
  const base: Record<string, unknown> = patch.$patch === "replace" || !isPlainObject(target) ? {} : { ...target };
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  if (retain) for (const key of Object.keys(base)) if (!retain.has(key)) delete base[key];
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (key.startsWith("$setElementOrder/") || key.startsWith("$deleteFromPrimitiveList/")) continue;
    if (value === null) delete base[key];
    else {
      const merged = strategicMergePatch(base[key], value);
      if (merged === undefined) delete base[key];
      else base[key] = Array.isArray(merged) ? merged.filter((item) => !(isPlainObject(item) && item.$patch === "delete")) : merged;
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

function pointer(path: string, index: number): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw errors.badRequest(`the server rejected our request due to an error in our request: json patch operation ${index}: invalid path "${path}"`);
  return path.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function jsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw errors.badRequest("the server rejected our request due to an error in our request: json patch must be an array of operations");
  let doc = structuredClone(document);
  operations.forEach((raw, index) => {
    if (!isPlainObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw errors.badRequest(`the server rejected our request due to an error in our request: json patch operation ${index} needs "op" and "path"`);
    }
    const op = raw as unknown as Operation;
    const fail = (why: string): ApiError => new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: json patch operation ${index} (${op.op} ${op.path}): ${why}`, {});
    const tokens = pointer(op.path, index);
    switch (op.op) {
      case "add":
        doc = setAt(doc, tokens, structuredClone(op.value), "add", fail);
        break;
      case "replace":
        getAt(doc, tokens, fail);
        doc = setAt(doc, tokens, structuredClone(op.value), "replace", fail);
        break;
      case "remove":
        doc = removeAt(doc, tokens, fail);
        break;
      case "move": {
        if (op.from === undefined) throw fail(`missing "from"`);
        const from = pointer(op.from, index);
        const value = getAt(doc, from, fail);
        doc = setAt(removeAt(doc, from, fail), tokens, value, "add", fail);
        break;
      }
      case "copy": {
        if (op.from === undefined) throw fail(`missing "from"`);
        doc = setAt(doc, tokens, structuredClone(getAt(doc, pointer(op.from, index), fail)), "add", fail);
        break;
      }
      case "test":
        if (!deepEqual(getAt(doc, tokens, fail), op.value)) throw fail("testing value failed");
        break;
      default:
        throw errors.badRequest(`the server rejected our request due to an error in our request: unexpected json patch operation "${op.op}"`);
    }
  });
  return doc;
}

type Fail = (why: string) => ApiError;

function getAt(doc: unknown, tokens: string[], fail: Fail): unknown {
  let current = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      const i = Number(token);
      if (!/^\d+$/.test(token) || i >= current.length) throw fail(`index ${token} out of range`);
      current = current[i];
    } else if (isPlainObject(current) && token in current) current = current[token];
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
    if (!(last === "-" || /^\d+$/.test(last)) || i > parent.length || (mode === "replace" && i >= parent.length)) throw fail(`index ${last} out of range`);
    if (mode === "add") parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isPlainObject(parent)) parent[last] = value;
  else throw fail("parent is not an object or array");
  return doc;
}

function removeAt(doc: unknown, tokens: string[], fail: Fail): unknown {
  if (tokens.length === 0) throw fail("cannot remove the whole document");
  const parent = getAt(doc, tokens.slice(0, -1), fail);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= parent.length) throw fail(`index ${last} out of range`);
    parent.splice(i, 1);
  } else if (isPlainObject(parent) && last in parent) delete parent[last];
  else throw fail("path does not exist");
  return doc;
}
