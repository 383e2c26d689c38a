// Where each NetCDF-4 variable's chunks lie in the file. h5wasm gives each dataset's filter
// pipeline and its object-header address; the header's layout message and the v1 chunk B-tree
// (source/hdf5-chunks.ts, shared with the fast reader) give every chunk's byte range.
import { open } from "node:fs/promises";
import { loadH5wasm } from "../source/h5wasm.js";
import type { Dataset as H5Dataset } from "h5wasm";
import { dtypeFromHdf5 } from "../dtype.js";
import { storageLayout } from "../source/hdf5-chunks.js";
import type { SourceVariable } from "../source/types.js";
import { zarrCodecsFor } from "./hdf5-codecs.js";
import type { ChunkLocation, FileStorage, VariableStorage } from "./types.js";

/** Zarr v2 dtype keeping HDF5's byte order (h5wasm spells it "<f", ">d", "|b"...). */
function zarrDtype(h5dtype: string): string | undefined {
  const dtype = dtypeFromHdf5(h5dtype);
  if (dtype === undefined) return undefined;
  return h5dtype.startsWith(">") && dtype.startsWith("<") ? `>${dtype.slice(1)}` : dtype;
}

async function variableStorage(ds: H5Dataset, v: SourceVariable, fh: Awaited<ReturnType<typeof open>>): Promise<VariableStorage> {
  const dtype = zarrDtype(String(ds.dtype));
  if (dtype === undefined) return { kind: "unreferenceable", reason: `its HDF5 type ${JSON.stringify(ds.dtype)} has no Zarr dtype` };
  const itemsize = Number(dtype.slice(2));
  const codecs = zarrCodecsFor(ds.filters, itemsize);
  if ("unsupported" in codecs) return { kind: "unreferenceable", reason: codecs.unsupported };
  // An old-style object reference is the object header's address (8 bytes, little-endian).
  const ref = Array.from(ds.create_reference().ref_data as ArrayLike<number>);
  if (ref.length !== 8) return { kind: "unreferenceable", reason: "h5wasm gave no object header address for it" };
  const layout = await storageLayout(fh, Number(Buffer.from(ref).readBigUInt64LE(0)), v.shape.length);
  if (layout === undefined) return { kind: "unreferenceable", reason: "its HDF5 storage layout is not one we index (compact storage, or a version 4 chunk index from a file written with HDF5 1.10+ library bounds)" };
  if (layout.kind === "contiguous") {
    const chunks = v.shape.map((n) => Math.max(1, n));
    const locations: ChunkLocation[] = layout.address < 0 || layout.size === 0 ? [] : [{ index: v.shape.map(() => 0), offset: layout.address, length: layout.size }];
    return { kind: "stored", dtype, chunks, compressor: null, filters: null, locations };
  }
  const locations: ChunkLocation[] = [];
  for (const c of layout.chunks) {
    if (c.offset.some((o, i) => o >= (v.shape[i] ?? 0))) continue;
    if (c.filterMask !== 0) return { kind: "unreferenceable", reason: `its chunk at [${c.offset.join(", ")}] was stored with some filters skipped (filter mask ${c.filterMask}), which one Zarr codec list cannot say` };
    locations.push({ index: c.offset.map((o, i) => Math.floor(o / (layout.chunkShape[i] ?? 1))), offset: c.address, length: c.size });
  }
  return { kind: "stored", dtype, chunks: layout.chunkShape, compressor: codecs.compressor, filters: codecs.filters, locations };
}

const PURE_DIMENSION = "This is a netCDF dimension but not a netCDF variable";

/** The storage of every variable the reader reported, by name, and the datasets it did not report. */
export async function hdf5Storage(path: string, variables: readonly SourceVariable[]): Promise<FileStorage> {
  const h5wasm = await loadH5wasm();
  const file = new h5wasm.File(path, "r");
  const fh = await open(path, "r");
  try {
    const out = new Map<string, VariableStorage>();
    for (const v of variables) {
      const ds = file.get(v.name);
      if (!(ds instanceof h5wasm.Dataset)) throw new Error(`${path}: variable ${v.name} is not an HDF5 dataset`);
      out.set(v.name, await variableStorage(ds, v, fh));
    }
    const omitted: FileStorage["omitted"] = [];
    for (const key of file.keys()) {
      const ds = file.get(key);
      if (ds instanceof h5wasm.Group) omitted.push({ name: `${key}/`, type: "group" });
      if (!(ds instanceof h5wasm.Dataset) || out.has(key)) continue;
      // Dimensions without a coordinate variable are HDF5 datasets too; netCDF hides them.
      const name = "NAME" in ds.attrs ? ds.attrs.NAME?.value : undefined;
      if (!(typeof name === "string" && name.startsWith(PURE_DIMENSION))) omitted.push({ name: key, type: String(ds.dtype) });
    }
    return { variables: out, omitted };
  } finally {
    file.close();
    await fh.close();
  }
}
