// The HDF5 filter pipeline of a NetCDF-4 variable as Zarr v2 codecs. HDF5 applies its filters in
// pipeline order when writing (shuffle, then deflate, as netCDF sets them up); Zarr applies
// `filters` in order and then the `compressor`, and undoes them in reverse, so the pipeline maps
// one to one. numcodecs `zlib` reads HDF5 deflate streams (both are zlib-wrapped deflate).
import type { CodecConfig } from "./types.js";

export interface Hdf5Filter {
  id: number;
  name: string;
  cd_values: number[];
}

/** HDF5's registered filter ids (H5Zpublic.h) for the messages we give. */
const KNOWN: Record<number, string> = { 3: "fletcher32 checksum", 4: "szip", 5: "nbit", 6: "scaleoffset", 307: "bzip2", 32001: "blosc", 32004: "lz4", 32015: "zstd" };

export type PipelineCodecs = { compressor: CodecConfig | null; filters: CodecConfig[] | null } | { unsupported: string };

export function zarrCodecsFor(pipeline: readonly Hdf5Filter[], itemsize: number): PipelineCodecs {
  const codecs: CodecConfig[] = [];
  for (const f of pipeline) {
    if (f.id === 1) codecs.push({ id: "zlib", level: f.cd_values[0] ?? 1 });
    else if (f.id === 2) codecs.push({ id: "shuffle", elementsize: f.cd_values[0] ?? itemsize });
    else {
      const what = KNOWN[f.id] ?? (f.name === "" ? "unnamed" : f.name);
      // numcodecs (0.11 here) has no decoder that reads HDF5's framing of these filters.
      return { unsupported: `its HDF5 filter ${f.id} (${what}) has no Zarr (numcodecs) codec that reads HDF5's encoding` };
    }
  }
  const last = codecs[codecs.length - 1];
  const compressor = last?.id === "zlib" ? (codecs.pop() ?? null) : null;
  return { compressor, filters: codecs.length > 0 ? codecs : null };
}
