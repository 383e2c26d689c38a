// The STAC fields extension: trims item documents to the requested paths after the query.
import { setOwn } from "../../apps/shared/own.js";
import type { FieldsSpec } from "./types.js";

/** Always kept when `include` is used, so a result is still recognisably a STAC item. */
const ALWAYS = ["type", "stac_version", "id", "collection", "links"];

export function applyFields<T extends Record<string, unknown>>(doc: T, spec: FieldsSpec): Record<string, unknown> {
  let out: Record<string, unknown> = doc;
  if (spec.include.length) {
    out = {};
    for (const path of [...ALWAYS, ...spec.include]) copyPath(doc, out, path.split("."));
  } else {
    out = structuredClone(doc);
  }
  for (const path of spec.exclude) {
    if (spec.include.includes(path)) continue;
    deletePath(out, path.split("."));
  }
  return out;
}

function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(from, head)) return;
  const value = from[head];
  if (rest.length === 0) {
    setOwn(to, head, structuredClone(value));
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const existing = Object.hasOwn(to, head) ? to[head] : undefined;
  const target = (typeof existing === "object" && existing !== null ? existing : {}) as Record<string, unknown>;
  setOwn(to, head, target);
  copyPath(value as Record<string, unknown>, target, rest);
}

function deletePath(obj: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(obj, head)) return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const value = obj[head];
  if (typeof value === "object" && value !== null && !Array.isArray(value)) deletePath(value as Record<string, unknown>, rest);
}
