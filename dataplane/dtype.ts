// Zarr v2 dtype strings and the typed arrays that hold them.
import type { Dtype, TypedArray } from "./types.js";

type Ctor = { new (n: number): TypedArray; new (buf: ArrayBufferLike, offset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

const ctors: Record<Dtype, Ctor> = {
  "|i1": Int8Array,
  "|u1": Uint8Array,
  "<i2": Int16Array,
  "<u2": Uint16Array,
  "<i4": Int32Array,
  "<u4": Uint32Array,
  "<i8": BigInt64Array,
  "<u8": BigUint64Array,
  "<f4": Float32Array,
  "<f8": Float64Array,
} as Record<Dtype, Ctor>;

export function typedArrayFor(dtype: Dtype): Ctor {
  return ctors[dtype];
}

export function bytesPerElement(dtype: Dtype): number {
  return ctors[dtype].BYTES_PER_ELEMENT;
}

export function allocate(dtype: Dtype, length: number): TypedArray {
  return new ctors[dtype](length);
}

/** Views the bytes (little-endian) as the dtype's typed array, copying only when misaligned. */
export function viewBytes(dtype: Dtype, bytes: Uint8Array): TypedArray {
  const size = bytesPerElement(dtype);
  if (bytes.byteOffset % size === 0) return new ctors[dtype](bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  const copy = bytes.slice();
  return new ctors[dtype](copy.buffer, 0, copy.byteLength / size);
}

export function asBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Fills a typed array with a Zarr fill value (null means zero, as zarr-python does). */
export function fillWith(data: TypedArray, value: number | null): void {
  if (value === null || value === 0) return;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) data.fill(BigInt(value));
  else data.fill(value);
}

const fromHdf5: Record<string, Dtype> = {
  b: "|i1",
  B: "|u1",
  h: "<i2",
  H: "<u2",
  i: "<i4",
  I: "<u4",
  q: "<i8",
  Q: "<u8",
  f: "<f4",
  d: "<f8",
};

/** Maps an h5wasm dtype string ("<f", ">h", "<d") to a Zarr dtype; undefined for non-numeric types. */
export function dtypeFromHdf5(h5dtype: string): Dtype | undefined {
  const code = h5dtype.replace(/^[<>|=]/, "");
  return fromHdf5[code];
}

const fromNc3: Record<string, Dtype> = { byte: "|i1", short: "<i2", int: "<i4", float: "<f4", double: "<f8" };

export function dtypeFromNetcdf3(type: string): Dtype | undefined {
  return fromNc3[type];
}
