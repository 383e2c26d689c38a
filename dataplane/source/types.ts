// What a reader tells about one source file: the netCDF data model (dimensions, variables,
// attributes) with the HDF5/netCDF internals removed, and slice reads for bounded memory.

/** Numeric dtypes in Zarr v2 notation; data in memory is always little-endian (the host order). */
export type Dtype = "|i1" | "|u1" | "<i2" | "<u2" | "<i4" | "<u4" | "<i8" | "<u8" | "<f4" | "<f8";

export type AttrValue = string | number | number[];
export type Attributes = Record<string, AttrValue>;

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

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export interface SourceDataset {
  /** Where the file was read from (a local path). */
  readonly path: string;
  readonly format: "netcdf4" | "netcdf3-classic" | "netcdf3-64bit-offset";
  readonly dims: SourceDimension[];
  readonly variables: SourceVariable[];
  readonly attrs: Attributes;
  /** Reads a hyperslab (C order) of a variable; `start`/`count` have one entry per dimension. */
  read(variable: string, start: number[], count: number[]): Promise<TypedArray>;
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
