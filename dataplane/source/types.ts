// What a reader tells about one source file: the netCDF data model (dimensions, variables,
// attributes) with the HDF5/netCDF internals removed, and slice reads for bounded memory.

export type { Dtype, StoredDtype, AttrValue, Attributes, TypedArray } from "../types.js";
import type { Attributes, Dtype, TypedArray } from "../types.js";

export interface SourceDimension {
  name: string;
  length: number;
  unlimited: boolean;
}

export interface SourceVariable {
  name: string;
  dtype: Dtype;
  dims: string[];
  shape: number[];
  /** Attributes without `_FillValue` (which moves to `fillValue`) and without format internals. */
  attrs: Attributes;
  /** The netCDF `_FillValue`, which becomes the Zarr `fill_value`; null when the file declares none. */
  fillValue: number | null;
}

/** A NetCDF `char` array (FVCOM `Times(time, DateStrLen)`): one byte per element, last dimension = string length. */
export interface SourceCharVariable {
  name: string;
  dims: string[];
  shape: number[];
  attrs: Attributes;
}


/**
 * One time step of a variable as the file stores it: `count` blocks of `blockBytes` bytes whose
 * concatenation (each block unshuffled when `shuffled`) is the step in C order. NetCDF-4 chunks
 * that span whole trailing dimensions tile a step this way, so a writer can move them without
 * assembling the step first.
 */
export interface StepBlocks {
  blockBytes: number;
  count: number;
  /**
   * Block `i`, inflated; `shuffled` = still in HDF5 shuffle byte order (what blosc's shuffle
   * makes too); `pooled` = the bytes belong to `bytePool` and the reader gives them back.
   */
  read(i: number): Promise<{ bytes: Uint8Array; shuffled: boolean; pooled?: boolean }>;
  /**
   * Decodes block `i` in plain byte order straight into `dst` (`blockBytes` long) and resolves
   * true, or resolves false having done nothing when it cannot (then use `read`).
   */
  readInto?(i: number, dst: Uint8Array): Promise<boolean>;
}

export interface SourceDataset {
  /** Where the file was read from (a local path). */
  readonly path: string;
  readonly format: "netcdf4" | "netcdf3-classic" | "netcdf3-64bit-offset";
  readonly dims: SourceDimension[];
  readonly variables: SourceVariable[];
  readonly attrs: Attributes;
  /** `char` variables, kept apart from the numeric ones (their values are bytes, not numbers). */
  readonly charVariables?: SourceCharVariable[];
  /** All bytes of a char variable, C order; NUL pads short strings. */
  readChars?(variable: string): Promise<Uint8Array>;
  /** Reads a hyperslab (C order) of a variable; `start`/`count` have one entry per dimension. */
  read(variable: string, start: number[], count: number[]): Promise<TypedArray>;
  /**
   * Step `step` (along the first dimension) of a variable as stored blocks, or undefined when the
   * storage does not tile steps (then use `read`). Optional: only the NetCDF-4 reader has it.
   */
  stepBlocks?(variable: string, step: number): Promise<StepBlocks | undefined>;
  /**
   * Step `step` of a variable decoded into `dst` (C order, exactly one step's bytes) from stored
   * chunks of one step that do not tile it contiguously (ROMS's (1, 10, 146, 166)), each chunk
   * inflated into a recycled buffer and copied into place; resolves false, when the storage or
   * the codecs do not allow it (then use `read`). Optional: only the NetCDF-4 reader has it.
   */
  readStepInto?(variable: string, step: number, dst: Uint8Array): Promise<boolean>;
  close(): void;
}

/** A file the pipeline will not take, with the reason; never thrown across the public API. */
export class SourceError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "SourceError";
  }
}
