// The data plane's basic types, which every layer shares (readers, the Zarr layer, the ingest):
// dtypes, attribute values and typed arrays. No imports: anything may import this.

/** Numeric dtypes in Zarr v2 notation; data in memory is always little-endian (the host order). */
export type Dtype = "|i1" | "|u1" | "<i2" | "<u2" | "<i4" | "<u4" | "<i8" | "<u8" | "<f4" | "<f8";

/** What a Zarr array may hold: the numeric dtypes, or NetCDF `char` as single bytes (`|S1`). */
export type StoredDtype = Dtype | "|S1";

export type AttrValue = string | number | number[];
export type Attributes = Record<string, AttrValue>;

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
