// What quality control needs to know about one file: the netCDF data model without the data.
// The shapes are those of the data-plane readers (dataplane/source/types.ts) so a SourceDataset's
// variables can be passed as they are; values arrive separately, one time slice at a time.
import type { TypedArray } from "../types.js";

/** Numeric dtypes in Zarr v2 notation (the readers' notation); values are in host byte order. */
export type QcDtype = "|i1" | "|u1" | "<i2" | "<u2" | "<i4" | "<u4" | "<i8" | "<u8" | "<f4" | "<f8";

/** An attribute value as readers return it: strings, numbers, or numeric vectors. */
export type QcAttrValue = string | number | readonly number[];
export type QcAttributes = Readonly<Record<string, QcAttrValue>>;

/** The netCDF type an attribute was declared with, when the reader knows it ("char"/"string" for text). */
export type QcAttrType = QcDtype | "char" | "string";

export interface QcVariable {
  readonly name: string;
  /** Storage (packed) dtype. */
  readonly dtype: QcDtype;
  readonly dims: readonly string[];
  readonly shape: readonly number[];
  /** All attributes. `_FillValue` may be here or in `fillValue`; scale_factor/add_offset are applied by QC. */
  readonly attrs: QcAttributes;
  /** The netCDF `_FillValue` in packed units, as the readers report it (null: none declared). */
  readonly fillValue?: number | null;
  /** Declared attribute types, when known; lets the CF checks compare `_FillValue` and valid_* types exactly. */
  readonly attrTypes?: Readonly<Record<string, QcAttrType>>;
}

export interface QcFile {
  /** Where the file came from (path or URL); used in reports and error messages. */
  readonly source: string;
  readonly attrs: QcAttributes;
  readonly variables: readonly QcVariable[];
}

/** Values of one slab of a variable in packed form, C order, as a reader's `read(start, count)` returns them. */
export type QcValues = TypedArray | readonly number[];

/** QARTOD flag values (IOOS QARTOD manuals; ioos_qc `QartodFlags`). */
export const Flag = {
  pass: 1,
  notEvaluated: 2,
  suspect: 3,
  fail: 4,
  missing: 9,
} as const;
export type FlagValue = (typeof Flag)[keyof typeof Flag];
