// NetCDF-4 (HDF5) reader over h5wasm. h5wasm keeps its heap under 2 GiB, so data is read by
// hyperslab and the caller decides how much to hold at once.
import { loadH5wasm } from "./h5wasm.js";
import type { Dataset as H5Dataset } from "h5wasm";
import { cleanAttributes, normaliseAttr } from "./attrs.js";
import { open as openFile, type FileHandle } from "node:fs/promises";
import { allocate, bytesPerElement, dtypeFromHdf5, fillWith, viewBytes } from "../dtype.js";
import { copyBox, product } from "../ndarray.js";
import { bytePool } from "../buffer-pool.js";
import { inLanes } from "../lanes.js";
import { nativeCodecs } from "../native-codecs.js";
import { readChunk, readChunkInto, storageLayout, type ChunkRef, type Hdf5Filter, type StorageLayout } from "./hdf5-chunks.js";
import { SourceError, type SourceCharVariable, type SourceDataset, type StepBlocks, type SourceDimension, type SourceVariable, type TypedArray } from "./types.js";

type ChunkRefs = Array<ChunkRef | undefined>;

const PURE_DIMENSION = "This is a netCDF dimension but not a netCDF variable";
const UNLIMITED = 2 ** 63;

/** What a copy task needs of the attributes: dimension scales, pure dimensions and fill values. */
const STRUCTURAL_ATTRS = new Set(["CLASS", "NAME", "_FillValue"]);

function rawAttrs(ds: { attrs: Record<string, { value: unknown }> }, skipRefs: boolean, only?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // h5wasm builds an attribute (reading its metadata) on each property access, so the
  // reference lists are skipped by name before they are touched: theirs is the costliest.
  const attrs = ds.attrs;
  for (const name of Object.keys(attrs)) {
    if (skipRefs && (name === "DIMENSION_LIST" || name === "REFERENCE_LIST")) continue;
    if (only !== undefined && !only.has(name)) continue;
    try {
      out[name] = attrs[name]?.value;
    } catch {
      // Attributes of types JSON cannot hold (references, compounds) are not part of the data model we carry.
    }
  }
  return out;
}

export interface OpenOptions {
  /**
   * false: read only the attributes the structure needs (dimension scales, `_FillValue`), as a
   * copy task does; variables' `attrs` and the global attributes are then empty. Default true.
   */
  attributes?: boolean;
}

export async function openNetcdf4(path: string, opts: OpenOptions = {}): Promise<SourceDataset> {
  const only = opts.attributes === false ? STRUCTURAL_ATTRS : undefined;
  const h5wasm = await loadH5wasm();
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, "r");
  } catch (err) {
    throw new SourceError(path, `not a readable NetCDF-4/HDF5 file (${(err as Error).message})`);
  }
  try {
    const dims = new Map<string, SourceDimension>();
    const variables: SourceVariable[] = [];
    const charVariables: SourceCharVariable[] = [];
    const datasets = new Map<string, H5Dataset>();
    for (const key of file.keys()) {
      const entity = file.get(key);
      if (!(entity instanceof h5wasm.Dataset)) continue;
      const attrs = rawAttrs(entity, true, only);
      // Each metadata getter of h5wasm goes back into WebAssembly: read it once.
      const meta = entity.metadata;
      const shape = meta.shape ?? [];
      const maxshape = meta.maxshape ?? shape;
      const isDimScale = attrs.CLASS === "DIMENSION_SCALE";
      if (isDimScale) dims.set(key, { name: key, length: shape[0] ?? 0, unlimited: (maxshape[0] ?? 0) >= UNLIMITED });
      if (typeof attrs.NAME === "string" && attrs.NAME.startsWith(PURE_DIMENSION)) continue;
      const dimNames = shape.map((_, i) => {
        const scales = isDimScale && i === 0 ? [`/${key}`] : entity.get_attached_scales(i);
        return (scales[0] ?? `phony_dim_${i}`).replace(/^\//, "");
      });
      // NetCDF-4 `char` is an HDF5 fixed-length string of one byte; `string` (variable length) is not supported.
      if (meta.type === 3 && meta.size === 1 && meta.vlen !== true) {
        charVariables.push({ name: key, dims: dimNames, shape, attrs: cleanAttributes(attrs) });
        datasets.set(key, entity);
        continue;
      }
      const dtype = dtypeFromHdf5(String(entity.dtype));
      if (dtype === undefined) throw new SourceError(path, `variable ${key}: unsupported data type ${meta.type === 3 ? "string" : JSON.stringify(entity.dtype)}`);
      const fill = normaliseAttr(attrs._FillValue);
      variables.push({ name: key, dtype, dims: dimNames, shape, attrs: cleanAttributes(attrs), fillValue: typeof fill === "number" ? fill : null });
      datasets.set(key, entity);
    }
    for (const v of [...variables, ...charVariables])
      v.dims.forEach((d, i) => {
        if (!dims.has(d)) dims.set(d, { name: d, length: v.shape[i] ?? 0, unlimited: false });
      });
    const globalAttrs = only === undefined ? cleanAttributes(rawAttrs(file, true)) : {};
    let handle: Promise<FileHandle> | undefined;
    const layouts = new Map<string, Promise<{ layout: StorageLayout; filters: Hdf5Filter[] } | undefined>>();
    const layoutOf = (v: SourceVariable, ds: H5Dataset) => {
      let p = layouts.get(v.name);
      if (p === undefined) {
        p = (async () => {
          const filters = ds.filters.map((f) => (f.id === 1 ? "deflate" : f.id === 2 ? "shuffle" : undefined));
          if (filters.some((f) => f === undefined) || !String(ds.dtype).startsWith("<")) return undefined;
          // An old-style object reference is the object header's address (8 bytes, little-endian).
          const ref = Array.from(ds.create_reference().ref_data as ArrayLike<number>);
          if (ref.length !== 8) return undefined;
          const address = Number(Buffer.from(ref).readBigUInt64LE(0));
          handle ??= openFile(path, "r");
          const layout = await storageLayout(await handle, address, v.shape.length);
          return layout === undefined ? undefined : { layout, filters: filters as Hdf5Filter[] };
        })().catch(() => undefined);
        layouts.set(v.name, p);
      }
      return p;
    };
    const nativeRead = async (v: SourceVariable, ds: H5Dataset, start: number[], count: number[]): Promise<TypedArray | undefined> => {
      const found = await layoutOf(v, ds);
      if (found === undefined) return undefined;
      const fh = await (handle ??= openFile(path, "r"));
      const size = bytesPerElement(v.dtype);
      const { layout, filters } = found;
      if (layout.kind === "contiguous") {
        if (layout.address < 0) return undefined;
        const all = new Uint8Array(product(v.shape) * size);
        await fh.read(all, 0, all.length, layout.address);
        const out = allocate(v.dtype, product(count));
        copyBox(viewBytes(v.dtype, all), v.shape, start, out, count, count.map(() => 0), count);
        return out;
      }
      const out = allocate(v.dtype, product(count));
      const { chunkShape } = layout;
      const hits = layout.chunks.filter((c) => c.offset.every((o, i) => o < (start[i] ?? 0) + (count[i] ?? 0) && o + (chunkShape[i] ?? 1) > (start[i] ?? 0)));
      // Unallocated chunks read as the fill value; when every chunk exists, skip the fill pass.
      const expected = start.reduce((n, s, i) => n * (Math.floor((s + (count[i] ?? 0) - 1) / (chunkShape[i] ?? 1)) - Math.floor(s / (chunkShape[i] ?? 1)) + 1), 1);
      if (hits.length < expected) fillWith(out, v.fillValue);
      const place = async (c: (typeof hits)[number]): Promise<void> => {
        // One pass into one recycled buffer (inflate and unshuffle together) when the codecs allow.
        let got: { bytes: Uint8Array; pooled: boolean } = { bytes: bytePool.take(product(chunkShape) * size), pooled: true };
        const into = await readChunkInto(fh, c, filters, size, got.bytes).catch((err: unknown) => {
          bytePool.give(got.bytes);
          throw new SourceError(path, `variable ${v.name}: ${(err as Error).message}`);
        });
        if (!into) {
          bytePool.give(got.bytes);
          got = await readChunk(fh, c, filters, size, product(chunkShape) * size);
        }
        const { bytes, pooled } = got;
        try {
          if (bytes.byteLength !== product(chunkShape) * size) throw new SourceError(path, `variable ${v.name}: chunk at ${c.offset.join(",")} decodes to ${bytes.byteLength} bytes, expected ${product(chunkShape) * size}`);
          const lo = c.offset.map((o, i) => Math.max(o, start[i] ?? 0));
          const hi = c.offset.map((o, i) => Math.min(o + (chunkShape[i] ?? 1), (start[i] ?? 0) + (count[i] ?? 0), v.shape[i] ?? 0));
          copyBox(viewBytes(v.dtype, bytes), chunkShape, lo.map((l, i) => l - (c.offset[i] ?? 0)), out, count, lo.map((l, i) => l - (start[i] ?? 0)), lo.map((l, i) => (hi[i] ?? 0) - l));
        } finally {
          if (pooled) bytePool.give(bytes);
        }
      };
      // Inflate several chunks at once: the codecs run them on libuv's thread pool.
      await inLanes(0, hits.length, 4, (i) => place(hits[i] as (typeof hits)[number]));
      return out;
    };
    // Chunks (1, 1.., c, whole trailing dims) tile a step contiguously; their B-tree order is arbitrary.
    const tiles = new Map<string, Promise<{ blockBytes: number; byStep: Map<number, ChunkRefs> } | undefined>>();
    const tilingOf = (v: SourceVariable, ds: H5Dataset) => {
      let p = tiles.get(v.name);
      if (p === undefined) {
        p = (async () => {
          const found = await layoutOf(v, ds);
          if (found === undefined || found.layout.kind !== "chunked" || v.shape.length < 2) return undefined;
          const { chunkShape, chunks } = found.layout;
          if (chunkShape[0] !== 1) return undefined;
          let j = 1;
          while (j < v.shape.length - 1 && chunkShape[j] === 1) j++;
          for (let i = j + 1; i < v.shape.length; i++) if (chunkShape[i] !== v.shape[i]) return undefined;
          if ((v.shape[j] ?? 0) % (chunkShape[j] ?? 1) !== 0) return undefined;
          const perStep = product(v.shape.slice(1)) / product(chunkShape.slice(1));
          const stepStrides = v.shape.slice(1).map((_, i) => product(v.shape.slice(i + 2)));
          const byStep = new Map<number, ChunkRefs>();
          for (const c of chunks) {
            const list = byStep.get(c.offset[0] ?? 0) ?? new Array<ChunkRef | undefined>(perStep).fill(undefined);
            // Position of this chunk within its step, in C order of its first element.
            const flat = c.offset.slice(1).reduce((n, o, i) => n + o * (stepStrides[i] ?? 0), 0);
            list[Math.round(flat / product(chunkShape.slice(1)))] = c;
            byStep.set(c.offset[0] ?? 0, list);
          }
          return { blockBytes: product(chunkShape) * bytesPerElement(v.dtype), byStep };
        })().catch(() => undefined);
        tiles.set(v.name, p);
      }
      return p;
    };
    // The chunks of each step, for chunkings of one step that do not tile it contiguously.
    const stepChunks = new Map<string, Promise<Map<number, ChunkRef[]> | undefined>>();
    const stepChunksOf = (v: SourceVariable, ds: H5Dataset) => {
      let p = stepChunks.get(v.name);
      if (p === undefined) {
        p = (async () => {
          const found = await layoutOf(v, ds);
          if (found === undefined || found.layout.kind !== "chunked" || found.layout.chunkShape[0] !== 1) return undefined;
          const byStep = new Map<number, ChunkRef[]>();
          for (const c of found.layout.chunks) {
            const list = byStep.get(c.offset[0] ?? 0) ?? [];
            list.push(c);
            byStep.set(c.offset[0] ?? 0, list);
          }
          return byStep;
        })().catch(() => undefined);
        stepChunks.set(v.name, p);
      }
      return p;
    };
    return {
      path,
      format: "netcdf4",
      dims: [...dims.values()],
      variables,
      attrs: globalAttrs,
      charVariables,
      async readChars(name): Promise<Uint8Array> {
        const ds = datasets.get(name);
        if (ds === undefined || !charVariables.some((c) => c.name === name)) throw new SourceError(path, `no char variable ${name}`);
        // h5wasm gives one JS string per element ("" for NUL); char data is bytes, so latin1 keeps each one.
        const value = ds.value;
        const items = Array.isArray(value) ? (value as unknown[]) : [value];
        return Uint8Array.from(items, (x) => (typeof x === "string" && x.length > 0 ? x.charCodeAt(0) & 0xff : 0));
      },
      async read(name, start, count): Promise<TypedArray> {
        const ds = datasets.get(name);
        if (ds === undefined) throw new SourceError(path, `no variable ${name}`);
        const v = variables.find((x) => x.name === name);
        if (v !== undefined && start.length > 0) {
          const fast = await nativeRead(v, ds, start, count);
          if (fast !== undefined) return fast;
        }
        const ranges = start.map((s, i) => [s, s + (count[i] ?? 0)] as [number, number]);
        const out = ranges.length === 0 ? ds.value : ds.slice(ranges);
        if (typeof out === "number" || typeof out === "bigint") {
          const one = allocate(variables.find((v) => v.name === name)?.dtype ?? "<f8", 1);
          one[0] = out as never;
          return one;
        }
        if (!ArrayBuffer.isView(out)) throw new SourceError(path, `variable ${name}: not numeric data`);
        return out as TypedArray;
      },
      async stepBlocks(name, step): Promise<StepBlocks | undefined> {
        const ds = datasets.get(name);
        const v = variables.find((x) => x.name === name);
        if (ds === undefined || v === undefined) throw new SourceError(path, `no variable ${name}`);
        const tiling = await tilingOf(v, ds);
        const refs = tiling?.byStep.get(step);
        const found = await layoutOf(v, ds);
        // A missing chunk reads as the fill value: the general path handles that.
        if (tiling === undefined || found === undefined || refs === undefined || refs.some((r) => r === undefined)) return undefined;
        const fh = await (handle ??= openFile(path, "r"));
        const size = bytesPerElement(v.dtype);
        return {
          blockBytes: tiling.blockBytes,
          count: refs.length,
          read: async (i) => {
            const ref = refs[i];
            if (ref === undefined) throw new RangeError(`block ${i} of ${refs.length}`);
            const got = await readChunk(fh, ref, found.filters, size, tiling.blockBytes, true);
            if (got.bytes.byteLength !== tiling.blockBytes) {
              if (got.pooled) bytePool.give(got.bytes);
              throw new SourceError(path, `variable ${name}: chunk at ${ref.offset.join(",")} decodes to ${got.bytes.byteLength} bytes, expected ${tiling.blockBytes}`);
            }
            return got;
          },
          readInto: async (i, dst) => {
            const ref = refs[i];
            if (ref === undefined) throw new RangeError(`block ${i} of ${refs.length}`);
            try {
              return await readChunkInto(fh, ref, found.filters, size, dst);
            } catch (err) {
              throw new SourceError(path, `variable ${name}: ${(err as Error).message}`);
            }
          },
        };
      },
      async readStepInto(name, step, dst): Promise<boolean> {
        const ds = datasets.get(name);
        const v = variables.find((x) => x.name === name);
        if (ds === undefined || v === undefined) throw new SourceError(path, `no variable ${name}`);
        const found = await layoutOf(v, ds);
        const refs = (await stepChunksOf(v, ds))?.get(step);
        if (nativeCodecs === undefined || found === undefined || found.layout.kind !== "chunked" || refs === undefined) return false;
        const size = bytesPerElement(v.dtype);
        const inner = v.shape.slice(1);
        const chunkInner = found.layout.chunkShape.slice(1);
        // A missing chunk reads as the fill value: the general path handles that.
        if (refs.length !== product(inner.map((n, i) => Math.ceil(n / (chunkInner[i] ?? 1)))) || dst.byteLength !== product(inner) * size) return false;
        const fh = await (handle ??= openFile(path, "r"));
        // Copied as bytes: the innermost dimension counts bytes, so one copy serves every dtype.
        const bytesShape = (shape: readonly number[]) => shape.map((n, i) => (i === shape.length - 1 ? n * size : n));
        const chunkBytesShape = bytesShape(chunkInner);
        const stepBytesShape = bytesShape(inner);
        const chunkBytes = product(chunkInner) * size;
        let decoded = true;
        await inLanes(0, refs.length, 4, async (i) => {
          const ref = refs[i] as ChunkRef;
          const buf = bytePool.take(chunkBytes);
          try {
            // HDF5 stores edge chunks whole, so every chunk decodes to chunkBytes.
            if (!(await readChunkInto(fh, ref, found.filters, size, buf))) {
              decoded = false;
              return;
            }
            const lo = ref.offset.slice(1);
            const count = bytesShape(lo.map((o, k) => Math.min(chunkInner[k] ?? 1, (inner[k] ?? 0) - o)));
            copyBox(buf, chunkBytesShape, lo.map(() => 0), dst, stepBytesShape, bytesShape(lo), count);
          } catch (err) {
            throw new SourceError(path, `variable ${name}: ${(err as Error).message}`);
          } finally {
            bytePool.give(buf);
          }
        });
        return decoded;
      },
      close() {
        file.close();
        void handle?.then((fh) => fh.close()).catch(() => undefined);
      },
    };
  } catch (err) {
    file.close();
    throw err;
  }
}
