// The store's hierarchy (arrays, chunking, codec, attributes) for a dataset template and the
// lengths of its groups along the aggregation dimension. Pure.
import type { Attributes } from "../types.js";
import type { DatasetTemplate, TemplateVariable } from "../aggregate/template.js";
import { arrayPath, isAggregationCoordinate } from "../aggregate/tasks.js";
import { compressorConfig } from "../zarr/codecs.js";
import { fillValueJson, type ArrayMetaV2, type Hierarchy } from "../zarr/metadata.js";
import { defaultSpatialChunking } from "../multiscale/grids.js";
import type { IngestOptions } from "./types.js";

function shapeOf(v: TemplateVariable, t: DatasetTemplate, length: number): number[] {
  return v.dims.map((d) => (d === t.concatDim ? length : (t.dims[d] ?? 0)));
}

/**
 * `spatialChunk`: horizontal dimensions of regular and curvilinear grids longer than this that
 * `chunking` does not set are chunked by it (new stores: SPATIAL_CHUNK; stores made before it
 * have none in their ledger and keep whole horizontal chunks).
 */
export function buildHierarchy(t: DatasetTemplate, lengths: Record<string, number>, opts: Pick<IngestOptions, "chunking" | "encoding" | "attributes" | "format"> & { axisChunk?: number; spatialChunk?: number }): Hierarchy {
  const chunking = { ...(opts.spatialChunk !== undefined ? defaultSpatialChunking(t, opts.chunking ?? {}, opts.spatialChunk) : {}), ...opts.chunking };
  const compressor = compressorConfig(opts.encoding ?? { codec: "zlib", level: 1 }, opts.format === "zarr-v3" ? 3 : 2);
  const attrs: Attributes = { ...t.attrs };
  for (const [k, v] of Object.entries(opts.attributes ?? {})) {
    if (v === null) delete attrs[k];
    else attrs[k] = v;
  }
  const h: Hierarchy = { groups: { "": attrs }, arrays: {} };
  for (const [group, length] of Object.entries(lengths)) {
    if (group !== "") h.groups[group] = attrs;
    for (const v of t.variables) {
      const shape = shapeOf(v, t, length);
      const plannerWritten = isAggregationCoordinate(v, t.concatDim);
      const chunks = v.dims.map((d, i) => {
        const want = (plannerWritten ? opts.axisChunk : undefined) ?? chunking[d] ?? (d === t.concatDim ? 1 : (shape[i] ?? 1));
        if (!Number.isInteger(want) || want < 1) throw new Error(`chunking.${d}: must be a positive integer, got ${want}`);
        return d === t.concatDim ? want : Math.max(1, Math.min(want, shape[i] ?? 1));
      });
      const meta: ArrayMetaV2 = { zarr_format: 2, shape, chunks, dtype: v.dtype, compressor, fill_value: fillValueJson(v.fillValue), order: "C", filters: null, dimension_separator: "." };
      h.arrays[arrayPath(group, v.name)] = { meta, attrs: { ...v.attrs, _ARRAY_DIMENSIONS: v.dims } };
    }
    for (const c of t.chars ?? []) {
      const shape = c.dims.map((d) => (d === t.concatDim ? length : (t.dims[d] ?? 0)));
      // Strings stay whole in a chunk: only the time dimension follows the requested chunking.
      const chunks = c.dims.map((d, i) => (d === t.concatDim ? (opts.axisChunk ?? chunking[d] ?? 1) : Math.max(1, shape[i] ?? 1)));
      const meta: ArrayMetaV2 = { zarr_format: 2, shape, chunks, dtype: "|S1", compressor, fill_value: null, order: "C", filters: null, dimension_separator: "." };
      h.arrays[arrayPath(group, c.name)] = { meta, attrs: { ...c.attrs, _ARRAY_DIMENSIONS: c.dims } };
    }
  }
  return h;
}
