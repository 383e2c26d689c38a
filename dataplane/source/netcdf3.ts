// NetCDF-3 reader (classic and 64-bit offset). netcdfjs parses the header; data is read by
// byte offset straight from the file, one record at a time, so memory stays bounded.
// (netcdfjs itself wants the whole file in memory, which does not scale to real model output.)
import { open, stat } from "node:fs/promises";
import { NetCDFReader } from "netcdfjs";
import { cleanAttributes, normaliseAttr } from "./attrs.js";
import { allocate, bytesPerElement, dtypeFromNetcdf3, typedArrayFor } from "../dtype.js";
import { copyBox, product } from "../ndarray.js";
import { SourceError, type SourceCharVariable, type Dtype, type SourceDataset, type SourceVariable, type TypedArray } from "./types.js";

interface Layout {
  offset: number;
  record: boolean;
  /** Bytes of one record (record variables) or of the whole variable. */
  slabBytes: number;
}

/** Parses the header only (reading more of the file until it parses); also used for kerchunk references. */
export async function readHeader(path: string, size: number): Promise<NetCDFReader> {
  const fh = await open(path, "r");
  try {
    for (let length = Math.min(size, 1 << 16); ; length = Math.min(size, length * 4)) {
      const buf = new Uint8Array(length);
      await fh.read(buf, 0, length, 0);
      try {
        return new NetCDFReader(buf);
      } catch (err) {
        if (length >= size) throw new SourceError(path, `unreadable NetCDF-3 header (${(err as Error).message})`);
      }
    }
  } finally {
    await fh.close();
  }
}

function swapToHost(bytes: Buffer, size: number): void {
  if (size === 2) bytes.swap16();
  else if (size === 4) bytes.swap32();
  else if (size === 8) bytes.swap64();
}

export async function openNetcdf3(path: string): Promise<SourceDataset> {
  const { size } = await stat(path);
  const reader = await readHeader(path, size);
  const header = reader.header;
  const numRecords = header.recordDimension.length;
  const recordId = header.recordDimension.id;
  const dims = header.dimensions.map((d, i) => ({ name: d.name, length: i === recordId ? numRecords : d.size, unlimited: i === recordId }));
  const recordVars = header.variables.filter((v) => v.record);
  const variables: SourceVariable[] = [];
  const charVariables: SourceCharVariable[] = [];
  const layouts = new Map<string, Layout>();
  let expectedEnd = 0;
  for (const v of header.variables) {
    const dtype = v.type === "char" ? "|S1" : dtypeFromNetcdf3(v.type);
    if (dtype === undefined) throw new SourceError(path, `variable ${v.name}: type ${v.type} is not supported`);
    const vdims = v.dimensions.map((id) => dims[id]);
    if (vdims.some((d) => d === undefined)) throw new SourceError(path, `variable ${v.name}: bad dimension id`);
    const shape = vdims.map((d) => d?.length ?? 0);
    const rawAttrs: Record<string, unknown> = {};
    for (const a of v.attributes as Array<{ name: string; value: unknown }>) rawAttrs[a.name] = a.value;
    const fill = normaliseAttr(rawAttrs._FillValue);
    const names = vdims.map((d) => d?.name ?? "");
    if (dtype === "|S1") charVariables.push({ name: v.name, dims: names, shape, attrs: cleanAttributes(rawAttrs) });
    else variables.push({ name: v.name, dtype, dims: names, shape, attrs: cleanAttributes(rawAttrs), fillValue: typeof fill === "number" ? fill : null });
    const inner = v.record ? shape.slice(1) : shape;
    // Variables are padded to 4 bytes in the file, but a slab's data is its elements only.
    const slabBytes = product(inner) * (dtype === "|S1" ? 1 : bytesPerElement(dtype));
    layouts.set(v.name, { offset: v.offset, record: v.record, slabBytes });
    if (!v.record) expectedEnd = Math.max(expectedEnd, v.offset + slabBytes);
  }
  // A lone record variable is stored without padding between records (netCDF classic format spec).
  const recordStep = recordVars.length === 1 ? (layouts.get(recordVars[0]?.name ?? "")?.slabBytes ?? 0) : header.recordDimension.recordStep ?? 0;
  if (recordVars.length > 0 && numRecords > 0) {
    const first = Math.min(...recordVars.map((v) => v.offset));
    expectedEnd = Math.max(expectedEnd, first + (numRecords - 1) * recordStep + Math.max(...recordVars.map((v) => v.offset - first + (layouts.get(v.name)?.slabBytes ?? 0))));
  }
  if (size < expectedEnd) throw new SourceError(path, `truncated: the header describes ${expectedEnd} bytes of data but the file has ${size}`);
  const attrsRaw: Record<string, unknown> = {};
  for (const a of header.globalAttributes) attrsRaw[a.name] = a.value;

  const fhPromise = open(path, "r");
  async function readBytes(offset: number, length: number): Promise<Buffer> {
    const fh = await fhPromise;
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, offset);
    return buf;
  }
  function decode(buf: Buffer, dtype: Dtype): TypedArray {
    const size = bytesPerElement(dtype);
    swapToHost(buf, size);
    const Ctor = typedArrayFor(dtype);
    return new Ctor(buf.buffer, buf.byteOffset, buf.byteLength / size);
  }

  return {
    path,
    format: header.version === 2 ? "netcdf3-64bit-offset" : "netcdf3-classic",
    dims,
    variables,
    attrs: cleanAttributes(attrsRaw),
    charVariables,
    async readChars(name): Promise<Uint8Array> {
      const v = charVariables.find((x) => x.name === name);
      const layout = layouts.get(name);
      if (v === undefined || layout === undefined) throw new SourceError(path, `no char variable ${name}`);
      if (!layout.record) return readBytes(layout.offset, layout.slabBytes);
      const out = new Uint8Array(layout.slabBytes * numRecords);
      for (let r = 0; r < numRecords; r++) out.set(await readBytes(layout.offset + r * recordStep, layout.slabBytes), r * layout.slabBytes);
      return out;
    },
    async read(name, start, count): Promise<TypedArray> {
      const v = variables.find((x) => x.name === name);
      const layout = layouts.get(name);
      if (v === undefined || layout === undefined) throw new SourceError(path, `no variable ${name}`);
      const out = allocate(v.dtype, product(count));
      if (!layout.record) {
        const all = decode(await readBytes(layout.offset, layout.slabBytes), v.dtype);
        copyBox(all, v.shape, start, out, count, count.map(() => 0), count);
        return out;
      }
      const inner = v.shape.slice(1);
      const outInner = count.slice(1);
      for (let r = 0; r < (count[0] ?? 0); r++) {
        const rec = (start[0] ?? 0) + r;
        const slab = decode(await readBytes(layout.offset + rec * recordStep, layout.slabBytes), v.dtype);
        copyBox(slab, [1, ...inner], [0, ...start.slice(1)], out, count, [r, ...outInner.map(() => 0)], [1, ...outInner]);
      }
      return out;
    },
    close() {
      void fhPromise.then((fh) => fh.close()).catch(() => undefined);
    },
  };
}
