// The kerchunk version 1 document for a hierarchy: every metadata key as a JSON string, chunk
// references by key, and `.zmetadata` so xarray's consolidated open needs one read.
import type { RefHierarchy } from "./combine.js";
import type { Reference, ReferenceDocument } from "./types.js";

/** Zarr v2 JSON spells non-finite numbers as strings (as our stores do). */
function json(value: unknown): string {
  return JSON.stringify(value, (_k, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? (Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity") : x));
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}/${name}`;
}

export function referenceDocument(h: RefHierarchy): ReferenceDocument {
  const metadata: Record<string, unknown> = {};
  for (const [path, attrs] of Object.entries(h.groups)) {
    metadata[join(path, ".zgroup")] = { zarr_format: 2 };
    metadata[join(path, ".zattrs")] = attrs;
  }
  for (const [path, array] of Object.entries(h.arrays)) {
    metadata[join(path, ".zarray")] = array.meta;
    metadata[join(path, ".zattrs")] = array.attrs;
  }
  const refs: Record<string, Reference> = { ".zmetadata": json({ zarr_consolidated_format: 1, metadata }) };
  for (const [key, value] of Object.entries(metadata)) refs[key] = json(value);
  for (const [path, array] of Object.entries(h.arrays)) for (const [key, ref] of Object.entries(array.chunks)) refs[join(path, key)] = ref;
  return { version: 1, refs };
}
