// The kerchunk reference format (version 1) and what we know about how one variable of one
// source file is stored: enough for a Zarr reader to decode its chunks in place.

/** A reference: inline data (a JSON string or "base64:..."), a whole file, or a byte range of one. */
export type Reference = string | [url: string] | [url: string, offset: number, length: number];

/** kerchunk's JSON reference document, version 1 (what fsspec's `reference://` file system reads). */
export interface ReferenceDocument {
  version: 1;
  refs: Record<string, Reference>;
}

/** A numcodecs configuration, as Zarr v2 `.zarray` `compressor` and `filters` hold them. */
export type CodecConfig = { id: string; [key: string]: string | number };

/** Where one chunk's bytes are, in the file the variable came from. */
export interface ChunkLocation {
  /** Chunk grid index, one entry per dimension (none for a scalar). */
  index: number[];
  offset: number;
  length: number;
}

/** A variable whose chunks a Zarr reader can decode in place. */
export interface StoredVariable {
  kind: "stored";
  /** Zarr v2 dtype with the file's byte order: NetCDF-3 is big-endian (">f4"). */
  dtype: string;
  chunks: number[];
  compressor: CodecConfig | null;
  filters: CodecConfig[] | null;
  /** Chunks not listed were never written: Zarr reads them as the fill value, as netCDF does. */
  locations: ChunkLocation[];
}

/** A variable no reference can describe (its bytes need a decoder Zarr does not have). */
export interface UnreferenceableVariable {
  kind: "unreferenceable";
  reason: string;
}

export type VariableStorage = StoredVariable | UnreferenceableVariable;

/** Storage of every variable the reader reported, and the file's variables the reader did not report. */
export interface FileStorage {
  variables: Map<string, VariableStorage>;
  /** References built without these would silently drop them (e.g. NetCDF-4 subgroups). */
  omitted: Array<{ name: string; type: string }>;
}

/** The chunk layout and codecs, without the locations: what must agree across files of one array. */
export function layoutSignature(s: StoredVariable): string {
  return JSON.stringify({ dtype: s.dtype, chunks: s.chunks, compressor: s.compressor, filters: s.filters });
}

export function describeLayout(s: StoredVariable): string {
  const codecs = [...(s.filters ?? []), ...(s.compressor ? [s.compressor] : [])].map((c) => c.id);
  return `${s.dtype} in chunks of [${s.chunks.join(", ")}]${codecs.length > 0 ? ` with ${codecs.join("+")}` : " uncompressed"}`;
}
