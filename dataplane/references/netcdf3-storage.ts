// Where each NetCDF-3 variable's bytes lie (classic and 64-bit offset formats). Data is raw
// big-endian. A fixed-size variable is one contiguous block, so one chunk. A record variable
// is interleaved with the other record variables, record by record, so each record is one
// chunk of shape [1, ...] at `begin + r * recordStep`.
import { stat } from "node:fs/promises";
import { bytesPerElement } from "../dtype.js";
import { product } from "../ndarray.js";
import { readHeader } from "../source/netcdf3.js";
import type { SourceVariable } from "../source/types.js";
import type { ChunkLocation, FileStorage, VariableStorage } from "./types.js";

export async function netcdf3Storage(path: string, variables: readonly SourceVariable[]): Promise<FileStorage> {
  const header = (await readHeader(path, (await stat(path)).size)).header;
  const records = header.recordDimension.length;
  const recordVars = header.variables.filter((v) => v.record);
  const byName = new Map(variables.map((v) => [v.name, v]));
  const slabBytes = (v: SourceVariable, record: boolean): number => product(record ? v.shape.slice(1) : v.shape) * bytesPerElement(v.dtype);
  // A lone record variable is stored without padding between records (netCDF classic format spec).
  const lone = recordVars.length === 1 ? byName.get(recordVars[0]?.name ?? "") : undefined;
  const recordStep = lone !== undefined ? slabBytes(lone, true) : (header.recordDimension.recordStep ?? 0);
  const out = new Map<string, VariableStorage>();
  const omitted: FileStorage["omitted"] = [];
  for (const hv of header.variables) {
    const v = byName.get(hv.name);
    if (v === undefined) {
      omitted.push({ name: hv.name, type: hv.type });
      continue;
    }
    // NetCDF-3 stores every type big-endian; one-byte types have no byte order.
    const dtype = v.dtype.startsWith("<") ? `>${v.dtype.slice(1)}` : v.dtype;
    const bytes = slabBytes(v, hv.record);
    const locations: ChunkLocation[] = [];
    if (hv.record) {
      if (bytes > 0) for (let r = 0; r < records; r++) locations.push({ index: [r, ...v.shape.slice(1).map(() => 0)], offset: hv.offset + r * recordStep, length: bytes });
      out.set(v.name, { kind: "stored", dtype, chunks: [1, ...v.shape.slice(1).map((n) => Math.max(1, n))], compressor: null, filters: null, locations });
    } else {
      if (bytes > 0) locations.push({ index: v.shape.map(() => 0), offset: hv.offset, length: bytes });
      out.set(v.name, { kind: "stored", dtype, chunks: v.shape.map((n) => Math.max(1, n)), compressor: null, filters: null, locations });
    }
  }
  return { variables: out, omitted };
}
