// Attribute cleaning: the netCDF data model only. HDF5 dimension-scale bookkeeping and
// netCDF-4 internals are implementation details that xarray hides, so we drop them too.
import type { AttrValue, Attributes } from "./types.js";

const INTERNAL = new Set([
  "CLASS",
  "NAME",
  "DIMENSION_LIST",
  "REFERENCE_LIST",
  "_Netcdf4Dimid",
  "_Netcdf4Coordinates",
  "_NCProperties",
  "_nc3_strict",
  "_IsNetcdf4",
  "_SuperblockVersion",
  "_FillValue",
]);

export function isInternalAttribute(name: string): boolean {
  return INTERNAL.has(name);
}

/** Turns a reader's raw attribute value into JSON-safe data: length-1 arrays become scalars. */
export function normaliseAttr(value: unknown): AttrValue | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number | bigint>, Number);
    return items.length === 1 ? (items[0] as number) : items;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) return value.join("");
    const items = value.map(Number);
    if (items.some((n) => Number.isNaN(n) && !value.some((v) => typeof v === "number"))) return undefined;
    return items.length === 1 ? (items[0] as number) : items;
  }
  return undefined;
}

export function cleanAttributes(raw: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(raw)) {
    if (isInternalAttribute(name)) continue;
    const v = normaliseAttr(value);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
