// Whether two unit strings name the same unit, convertible units or incompatible ones, by UDUNITS-2
// and not by spelling: "m", "meter" and "metres" are one unit; "degF" converts to "degree_Celsius";
// "m" and "s" never meet. A Quantity maps a value v to base units as scale * (v + offset).
import type { Lookup } from "./expression.js";
import { parseUnit } from "./expression.js";
import { convertible, type Quantity } from "./quantity.js";

export type UnitRelation =
  | { readonly kind: "same" }
  | { readonly kind: "convertible"; readonly convert: (value: number) => number }
  | { readonly kind: "incompatible" }
  /** One of them is not a unit UDUNITS-2 knows, or no database is at hand: only equal strings are known equal. */
  | { readonly kind: "unknown"; readonly reason: string };

const RELATIVE = 1e-12;

function near(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= RELATIVE * Math.max(Math.abs(a), Math.abs(b));
}

function parsed(text: string, lookup: Lookup): Quantity | string {
  try {
    const unit = parseUnit(text, lookup);
    if (unit.reference !== undefined) return `${JSON.stringify(text)} is a time with an origin, not a unit of a value`;
    return unit.quantity;
  } catch (error) {
    return `${JSON.stringify(text)} is not a UDUNITS-2 unit: ${(error as Error).message}`;
  }
}

/** How values in `from` relate to values in `to`; `convert` maps a value in `from` into `to`. */
export function relateUnits(from: string, to: string, lookup: Lookup | undefined): UnitRelation {
  if (from.trim() === to.trim()) return { kind: "same" };
  if (lookup === undefined) return { kind: "unknown", reason: "the UDUNITS-2 database is not available" };
  const a = parsed(from, lookup);
  const b = parsed(to, lookup);
  if (typeof a === "string") return { kind: "unknown", reason: a };
  if (typeof b === "string") return { kind: "unknown", reason: b };
  if (!convertible(a, b)) return { kind: "incompatible" };
  if (near(a.scale, b.scale) && near(a.offset, b.offset)) return { kind: "same" };
  return { kind: "convertible", convert: (value) => (a.scale * (value + a.offset)) / b.scale - b.offset };
}
