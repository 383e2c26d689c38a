// The Zarr hierarchy as the data plane holds it, whatever the format on disk (v2 documents, or v3
// zarr.json translated by v3.ts): array metadata in v2 terms, nodes, the consolidated document.
import type { AttrValue, Attributes, StoredDtype } from "../types.js";
import type { V2Compressor } from "./codecs.js";

export type ZarrFormat = 2 | 3;

export interface ArrayMetaV2 {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  /** `|S1` holds NetCDF char arrays, which xarray joins along their last dimension as netCDF4 does. */
  dtype: StoredDtype;
  compressor: V2Compressor;
  fill_value: number | "NaN" | "Infinity" | "-Infinity" | null;
  order: "C";
  filters: null;
  dimension_separator: ".";
}

export interface ArrayNode {
  meta: ArrayMetaV2;
  /** Attributes including `_ARRAY_DIMENSIONS`. */
  attrs: Record<string, AttrValue | string[]>;
}

/** A whole hierarchy as held in consolidated metadata; paths have no leading slash ("" is the root). */
export interface Hierarchy {
  groups: Record<string, Attributes>;
  arrays: Record<string, ArrayNode>;
}

/** The consolidated document, plus our aggregation ledger kept beside it (zarr readers ignore extra keys). */
export interface Consolidated<L> {
  zarr_consolidated_format: 1;
  metadata: Record<string, unknown>;
  "dmac:ledger"?: L;
}

