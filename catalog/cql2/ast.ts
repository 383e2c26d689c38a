// The CQL2 subset we support, in the shape of CQL2-JSON (OGC 21-065): both encodings parse
// into this tree and only this tree is translated to SQL.
import type { Geometry } from "../stac/types.js";

export type ComparisonOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

export interface PropertyRef { property: string }
export interface TimestampLiteral { timestamp: string }
export interface DateLiteral { date: string }
export interface IntervalLiteral { interval: [string, string] }
export interface BboxLiteral { bbox: number[] }

export type ScalarOperand = PropertyRef | string | number | boolean | TimestampLiteral | DateLiteral;
export type SpatialOperand = PropertyRef | Geometry | BboxLiteral;
export type TemporalOperand = PropertyRef | TimestampLiteral | DateLiteral | IntervalLiteral;

export type Cql2Expr =
  | boolean
  | { op: "and" | "or"; args: Cql2Expr[] }
  | { op: "not"; args: [Cql2Expr] }
  | { op: ComparisonOp; args: [ScalarOperand, ScalarOperand] }
  | { op: "like"; args: [ScalarOperand, ScalarOperand] }
  | { op: "between"; args: [ScalarOperand, ScalarOperand, ScalarOperand] }
  | { op: "in"; args: [ScalarOperand, ScalarOperand[]] }
  | { op: "isNull"; args: [ScalarOperand] }
  | { op: "s_intersects"; args: [SpatialOperand, SpatialOperand] }
  | { op: "t_intersects"; args: [TemporalOperand, TemporalOperand] };

/** Limits that keep hostile filters from exhausting the stack or the planner. */
export const CQL2_LIMITS = { maxDepth: 40, maxNodes: 2000, maxTextLength: 20_000 } as const;

export class Cql2Error extends Error {
  override readonly name = "Cql2Error";
}

export function isProperty(x: unknown): x is PropertyRef {
  return typeof x === "object" && x !== null && "property" in x;
}
