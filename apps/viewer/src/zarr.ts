// Reading a dataset's Zarr v2 store in the browser with zarrita, through the data API's
// passthrough (/datasets/{id}/zarr/{key}). The consolidated metadata is fetched once and answers
// every metadata key; only chunks go over the network.
import * as zarr from "zarrita";
import { arrayDims, decodeValues, type ArrayMeta, type Attrs } from "./decode.js";

type RawData = ArrayLike<number | bigint>;

export interface ZarrDataset {
  readonly url: string;
  has(name: string): boolean;
  names(): string[];
  meta(name: string): ArrayMeta;
  attrs(name: string): Attrs;
  dims(name: string): string[];
  /** Raw values of a selection (null = the whole dimension), in C order. */
  readRaw(name: string, selection: Array<number | null>): Promise<{ data: RawData; shape: number[] }>;
  /** CF-decoded values of a selection (NaN where missing). */
  read(name: string, selection?: Array<number | null>): Promise<{ data: Float32Array; shape: number[] }>;
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

export async function openZarr(url: string, fetchImpl: typeof fetch = fetch.bind(globalThis)): Promise<ZarrDataset> {
  const base = url.replace(/\/+$/, "");
  const response = await fetchImpl(`${base}/.zmetadata`);
  if (!response.ok) throw new Error(`${base}/.zmetadata: HTTP ${response.status} (the viewer needs a consolidated Zarr v2 store)`);
  const consolidated = (await response.json()) as { metadata?: Record<string, unknown> };
  const metadata = consolidated.metadata;
  if (metadata === undefined || typeof metadata !== "object") throw new Error(`${base}/.zmetadata: no "metadata" object`);
  const chunks = new zarr.FetchStore(base, { fetch: (request) => fetchImpl(request) });
  const store = {
    async get(key: `/${string}`): Promise<Uint8Array | undefined> {
      const doc = metadata[key.slice(1)];
      if (doc !== undefined) return encoder.encode(JSON.stringify(doc));
      if (/\/\.z(array|attrs|group)$/.test(key) || key === "/.zattrs" || key === "/.zgroup") return undefined;
      return chunks.get(key);
    },
  };
  const root = zarr.root(store);
  const opened = new Map<string, Promise<zarr.Array<zarr.DataType, typeof store>>>();
  const open = (name: string) => {
    let p = opened.get(name);
    if (p === undefined) {
      p = zarr.open.v2(root.resolve(name), { kind: "array" });
      opened.set(name, p);
    }
    return p;
  };
  const names = Object.keys(metadata)
    .filter((k) => k.endsWith("/.zarray"))
    .map((k) => k.slice(0, -"/.zarray".length));
  const ds: ZarrDataset = {
    url: base,
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
      const chunk = (await zarr.get(array, selection)) as unknown as { data: RawData; shape: number[]; stride: number[] } | number | bigint;
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
