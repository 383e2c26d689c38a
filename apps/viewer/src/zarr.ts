// Reading a dataset's Zarr store (v2, or v3 with consolidated metadata inline in the root
// zarr.json) in the browser with zarrita, through the data API's passthrough
// (/datasets/{id}/zarr/{key}). The consolidated metadata is fetched once and answers every
// metadata key; only chunks go over the network. A v3 store's arrays are described to the rest of
// the viewer in the v2 terms it reads (dtype, fill_value, _ARRAY_DIMENSIONS), so nothing past
// this module knows which format it is.
import * as zarr from "zarrita";
import { arrayDims, decodeValues, type ArrayMeta, type Attrs } from "./decode.js";

type RawData = ArrayLike<number | bigint>;

/** Per dimension: one index, null for the whole dimension, or [start, stop) (a window of it). */
export type Selection = Array<number | null | [number, number]>;

export interface ZarrDataset {
  readonly url: string;
  /** The root group's attributes (where the `multiscales` layout is). */
  rootAttrs(): Attrs;
  has(name: string): boolean;
  names(): string[];
  meta(name: string): ArrayMeta;
  attrs(name: string): Attrs;
  dims(name: string): string[];
  /** Raw values of a selection, in C order. */
  readRaw(name: string, selection: Selection): Promise<{ data: RawData; shape: number[] }>;
  /** CF-decoded values of a selection (NaN where missing). */
  read(name: string, selection?: Selection): Promise<{ data: Float32Array; shape: number[] }>;
}

const encoder = new TextEncoder();

/** Copies a strided zarrita result into C order (zarrita keeps the chunk's own order, e.g. "F"). */
function cOrder(chunk: { data: RawData; shape: number[]; stride: number[] }): RawData {
  const { data, shape, stride } = chunk;
  let expected = 1;
  let contiguous = true;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] ?? 1) > 1 && stride[d] !== expected) contiguous = false;
    expected *= shape[d] ?? 1;
  }
  if (contiguous) return data;
  const n = expected;
  const out = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += (idx[d] ?? 0) * (stride[d] ?? 0);
    out[k] = Number(data[off]);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] ?? 0) + 1;
      if ((idx[d] ?? 0) < (shape[d] ?? 1)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** v3 core data types in the v2 notation the decoder reads. */
const V2_DTYPE: Record<string, string> = {
  int8: "|i1", uint8: "|u1", int16: "<i2", uint16: "<u2", int32: "<i4", uint32: "<u4", int64: "<i8", uint64: "<u8", float32: "<f4", float64: "<f8",
};

/**
 * The metadata keys a v2 reader asks for (`name/.zarray`, `name/.zattrs`) made from a v3 root's
 * inline consolidated metadata, plus each node's own `zarr.json` for zarrita. The NetCDF fill value
 * is the `_FillValue` attribute (v3's required fill_value is only the value of unwritten chunks).
 */
function fromV3(root: Record<string, unknown>): Record<string, unknown> {
  const nodes = ((root.consolidated_metadata as { metadata?: Record<string, Record<string, unknown>> } | undefined)?.metadata ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = { "zarr.json": root };
  for (const [name, node] of Object.entries(nodes)) {
    out[`${name}/zarr.json`] = node;
    if (node.node_type !== "array") continue;
    const attrs: Record<string, unknown> = { ...((node.attributes ?? {}) as Record<string, unknown>), _ARRAY_DIMENSIONS: node.dimension_names ?? [] };
    const chunks = ((node.chunk_grid as { configuration?: { chunk_shape?: number[] } } | undefined)?.configuration?.chunk_shape ?? []) as number[];
    out[`${name}/.zarray`] = { shape: node.shape, chunks, dtype: V2_DTYPE[String(node.data_type)] ?? String(node.data_type), fill_value: attrs._FillValue ?? null };
    out[`${name}/.zattrs`] = attrs;
  }
  return out;
}

/**
 * The consolidated metadata of a v2 (`.zmetadata`) or v3 (root `zarr.json`) store, with its
 * format; `format` (the data API says it) saves asking for the other document first.
 */
async function consolidatedMetadata(base: string, fetchImpl: typeof fetch, format?: 2 | 3): Promise<{ format: 2 | 3; metadata: Record<string, unknown> }> {
  const v2 = format === 3 ? undefined : await fetchImpl(`${base}/.zmetadata`);
  if (v2?.ok) {
    const metadata = ((await v2.json()) as { metadata?: Record<string, unknown> }).metadata;
    if (metadata === undefined || typeof metadata !== "object") throw new Error(`${base}/.zmetadata: no "metadata" object`);
    return { format: 2, metadata };
  }
  const v3 = await fetchImpl(`${base}/zarr.json`);
  if (!v3.ok) throw new Error(`${v2 !== undefined ? `${base}/.zmetadata: HTTP ${v2.status}, ` : ""}${base}/zarr.json: HTTP ${v3.status} (the viewer needs a consolidated Zarr v2 or v3 store)`);
  const root = (await v3.json()) as Record<string, unknown>;
  if (root.consolidated_metadata === undefined) throw new Error(`${base}/zarr.json: no consolidated metadata`);
  return { format: 3, metadata: fromV3(root) };
}

export async function openZarr(url: string, fetchImpl: typeof fetch = fetch.bind(globalThis), knownFormat?: 2 | 3): Promise<ZarrDataset> {
  const base = url.replace(/\/+$/, "");
  const { format, metadata } = await consolidatedMetadata(base, fetchImpl, knownFormat);
  const chunks = new zarr.FetchStore(base, { fetch: (request) => fetchImpl(request) });
  const store = {
    async get(key: `/${string}`): Promise<Uint8Array | undefined> {
      const doc = metadata[key.slice(1)];
      if (doc !== undefined) return encoder.encode(JSON.stringify(doc));
      if (/\/\.z(array|attrs|group)$/.test(key) || key === "/.zattrs" || key === "/.zgroup" || key.endsWith("/zarr.json")) return undefined;
      return chunks.get(key);
    },
  };
  const root = zarr.root(store);
  const opened = new Map<string, Promise<zarr.Array<zarr.DataType, typeof store>>>();
  const open = (name: string) => {
    let p = opened.get(name);
    if (p === undefined) {
      p = format === 3 ? zarr.open.v3(root.resolve(name), { kind: "array" }) : zarr.open.v2(root.resolve(name), { kind: "array" });
      opened.set(name, p);
    }
    return p;
  };
  const names = Object.keys(metadata)
    .filter((k) => k.endsWith("/.zarray"))
    .map((k) => k.slice(0, -"/.zarray".length));
  const ds: ZarrDataset = {
    url: base,
    rootAttrs: () => ((format === 3 ? (metadata["zarr.json"] as { attributes?: Attrs } | undefined)?.attributes : (metadata[".zattrs"] as Attrs | undefined)) ?? {}),
    has: (name) => metadata[`${name}/.zarray`] !== undefined,
    names: () => names,
    meta(name) {
      const m = metadata[`${name}/.zarray`] as ArrayMeta | undefined;
      if (m === undefined) throw new Error(`${base}: no array ${JSON.stringify(name)} in .zmetadata`);
      return m;
    },
    attrs: (name) => (metadata[`${name}/.zattrs`] as Attrs | undefined) ?? {},
    dims: (name) => arrayDims(name, ds.attrs(name)),
    async readRaw(name, selection) {
      const array = await open(name);
      const chunk = (await zarr.get(array, selection.map((s) => (Array.isArray(s) ? zarr.slice(s[0], s[1]) : s)))) as unknown as { data: RawData; shape: number[]; stride: number[] } | number | bigint;
      if (typeof chunk !== "object") return { data: [chunk], shape: [] };
      return { data: cOrder(chunk), shape: chunk.shape };
    },
    async read(name, selection) {
      const meta = ds.meta(name);
      const raw = await ds.readRaw(name, selection ?? meta.shape.map(() => null));
      return { data: decodeValues(raw.data, meta, ds.attrs(name)), shape: raw.shape };
    },
  };
  return ds;
}
