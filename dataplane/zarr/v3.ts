// Zarr v3 metadata for the same hierarchy: one `zarr.json` per node, `dimension_names` instead
// of `_ARRAY_DIMENSIONS`, and the consolidated metadata inline in the root `zarr.json` (the
// layout zarr-python 3 writes), which is also our commit point. The ledger rides along as an
// extension field that readers may ignore (`must_understand: false`).
import type { AttrValue, Dtype, StoredDtype } from "../types.js";
import type { V2Compressor } from "./codecs.js";
import type { ArrayMetaV2, ArrayNode, Hierarchy } from "./types.js";

const DATA_TYPES: Record<Dtype, string> = {
  "|i1": "int8",
  "|u1": "uint8",
  "<i2": "int16",
  "<u2": "uint16",
  "<i4": "int32",
  "<u4": "uint32",
  "<i8": "int64",
  "<u8": "uint64",
  "<f4": "float32",
  "<f8": "float64",
};

type Json = Record<string, unknown>;

function dataTypeV3(dtype: StoredDtype): string {
  // Fixed-length bytes are not a core v3 data type, and readers disagree on the extensions.
  if (dtype === "|S1") throw new Error("storage.format zarr-v3: NetCDF char variables have no Zarr v3 core data type; use zarr-v2 for files with char variables");
  return DATA_TYPES[dtype];
}

function codecsV3(compressor: V2Compressor, itemsize: number): Json[] {
  const codecs: Json[] = [{ name: "bytes", configuration: { endian: "little" } }];
  if (compressor === null) return codecs;
  if (compressor.id === "gzip" || compressor.id === "zlib") codecs.push({ name: "gzip", configuration: { level: compressor.level } });
  else if (compressor.id === "zstd") codecs.push({ name: "zstd", configuration: { level: compressor.level, checksum: false } });
  else if (compressor.id === "blosc")
    codecs.push({ name: "blosc", configuration: { cname: compressor.cname, clevel: compressor.clevel, shuffle: compressor.shuffle === 1 ? "shuffle" : "noshuffle", typesize: itemsize, blocksize: 0 } });
  else throw new Error(`encoding: no Zarr v3 codec for ${compressor.id}`);
  return codecs;
}

function compressorV2(codecs: Json[]): V2Compressor {
  const c = codecs.find((x) => x.name !== "bytes");
  if (c === undefined) return null;
  const conf = (c.configuration ?? {}) as Record<string, string | number>;
  if (c.name === "gzip") return { id: "gzip", level: Number(conf.level ?? 1) };
  if (c.name === "zstd") return { id: "zstd", level: Number(conf.level ?? 3) };
  if (c.name === "blosc") return { id: "blosc", cname: String(conf.cname), clevel: Number(conf.clevel), shuffle: conf.shuffle === "shuffle" ? 1 : 0, blocksize: 0 };
  throw new Error(`zarr.json: unsupported codec ${String(c.name)}`);
}

function arrayJson(node: ArrayNode): Json {
  const { _ARRAY_DIMENSIONS: dims, ...attributes } = node.attrs;
  const m = node.meta;
  const fill = m.fill_value;
  // v3 requires a fill value; the netCDF _FillValue (if any) is kept as an attribute for CF decoding.
  const withFill: Record<string, AttrValue | string[]> = fill === null ? attributes : { ...attributes, _FillValue: typeof fill === "number" ? fill : fill };
  return {
    zarr_format: 3,
    node_type: "array",
    shape: m.shape,
    data_type: dataTypeV3(m.dtype),
    chunk_grid: { name: "regular", configuration: { chunk_shape: m.chunks } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: fill ?? 0,
    codecs: codecsV3(m.compressor, Number(m.dtype.slice(2))),
    attributes: withFill,
    dimension_names: Array.isArray(dims) ? dims : null,
  };
}

function arrayNode(json: Json): ArrayNode {
  const dtype = (Object.entries(DATA_TYPES).find(([, v]) => v === json.data_type)?.[0] ?? "<f8") as Dtype;
  const attributes = { ...((json.attributes ?? {}) as Record<string, AttrValue>) };
  const fill = attributes._FillValue;
  delete attributes._FillValue;
  const chunks = ((json.chunk_grid as Json).configuration as { chunk_shape: number[] }).chunk_shape;
  const meta: ArrayMetaV2 = {
    zarr_format: 2,
    shape: json.shape as number[],
    chunks,
    dtype,
    compressor: compressorV2(json.codecs as Json[]),
    fill_value: fill === undefined ? null : (fill as ArrayMetaV2["fill_value"]),
    order: "C",
    filters: null,
    dimension_separator: ".",
  };
  return { meta, attrs: { ...attributes, _ARRAY_DIMENSIONS: (json.dimension_names as string[] | null) ?? [] } };
}

/** Every node's `zarr.json`, keyed by path ("" is the root, without its consolidated block). */
export function nodesV3(h: Hierarchy): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [path, attrs] of Object.entries(h.groups)) out.set(path, { zarr_format: 3, node_type: "group", attributes: attrs });
  for (const [path, node] of Object.entries(h.arrays)) out.set(path, arrayJson(node));
  return out;
}

export function rootV3<L>(h: Hierarchy, ledger: L): Json {
  const nodes = nodesV3(h);
  const metadata: Json = {};
  for (const [path, json] of nodes) if (path !== "") metadata[path] = json;
  return { ...nodes.get(""), consolidated_metadata: { kind: "inline", must_understand: false, metadata }, "dmac:ledger": { must_understand: false, ...ledger } };
}

export function parseRootV3<L>(root: Json): { hierarchy: Hierarchy; ledger: L | undefined } {
  const hierarchy: Hierarchy = { groups: { "": (root.attributes ?? {}) as Hierarchy["groups"][string] }, arrays: {} };
  const metadata = ((root.consolidated_metadata as Json | undefined)?.metadata ?? {}) as Record<string, Json>;
  for (const [path, json] of Object.entries(metadata)) {
    if (json.node_type === "group") hierarchy.groups[path] = (json.attributes ?? {}) as Hierarchy["groups"][string];
    else hierarchy.arrays[path] = arrayNode(json);
  }
  const raw = root["dmac:ledger"] as (L & { must_understand?: boolean }) | undefined;
  if (raw === undefined) return { hierarchy, ledger: undefined };
  const { must_understand: _ignored, ...ledger } = raw;
  return { hierarchy, ledger: ledger as L };
}
