import type { Cql2Expr } from "../cql2/ast.js";
import type { Bbox, Geometry } from "../stac/types.js";

export interface SortKey {
  field: string;
  direction: "asc" | "desc";
}

export interface FieldsSpec {
  include: string[];
  exclude: string[];
}

/** A checked item search, as the store runs it. Times are ISO 8601 UTC; `null` is an open end. */
export interface ItemSearch {
  collections?: string[];
  ids?: string[];
  bbox?: Bbox;
  intersects?: Geometry;
  datetime?: { start: string | null; end: string | null };
  filter?: Cql2Expr;
  sortby?: SortKey[];
  limit: number;
  offset: number;
}

export interface CollectionSearch {
  /** Free-text terms; a collection matches when any term occurs in its title, description or keywords. */
  q?: string[];
  /** Collections whose overall spatial extent overlaps it. */
  bbox?: Bbox;
  /** Collections whose temporal extent overlaps it (open ends match everything on that side). */
  datetime?: { start: string | null; end: string | null };
  limit: number;
  offset: number;
}
