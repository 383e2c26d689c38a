// Translates a CQL2 tree into a SQL condition over the items table (alias `i`), with every
// literal passed as a bind parameter. Identical SQL runs on PGlite and PostgreSQL.
//
// Property mapping: id, collection, datetime, start_datetime, end_datetime and geometry are
// columns; any other name is looked up in the item's properties (jsonb). A JSON property is
// compared only when its JSON type matches the literal's type (a string "5" never equals 5).
// T_INTERSECTS on datetime uses the item's whole time range [start_datetime, end_datetime].
import { ownValue } from "../../apps/shared/own.js";
import { geometryToPolygons, bboxToPolygons } from "../geometry/geojson.js";
import { parseInstant } from "../stac/checks.js";
import { isCatalogInputError } from "../stac/errors.js";
import { Cql2Error, isProperty } from "./ast.js";
import type { Cql2Expr, ScalarOperand, SpatialOperand, TemporalOperand } from "./ast.js";
import type { SqlParams } from "../store/params.js";
import type { Bbox } from "../stac/types.js";

type ValueType = "text" | "number" | "boolean" | "timestamp" | "json";

const COLUMNS: Record<string, { sql: string; type: ValueType }> = {
  id: { sql: "i.id", type: "text" },
  collection: { sql: "i.collection", type: "text" },
  datetime: { sql: "i.datetime", type: "timestamp" },
  start_datetime: { sql: "i.t_start", type: "timestamp" },
  end_datetime: { sql: "i.t_end", type: "timestamp" },
};

const TEMPORAL_RANGES: Record<string, [string, string]> = {
  datetime: ["i.t_start", "i.t_end"],
  start_datetime: ["i.t_start", "i.t_start"],
  end_datetime: ["i.t_end", "i.t_end"],
};


export function cql2ToSql(expr: Cql2Expr, params: SqlParams): string {
  if (typeof expr === "boolean") return expr ? "TRUE" : "FALSE";
  switch (expr.op) {
    case "and":
    case "or":
      return `(${expr.args.map((a) => cql2ToSql(a, params)).join(expr.op === "and" ? " AND " : " OR ")})`;
    case "not":
      return `(NOT COALESCE(${cql2ToSql(expr.args[0], params)}, FALSE))`;
    case "like": {
      const [value, pattern] = expr.args;
      if (typeof pattern !== "string") throw new Cql2Error("LIKE needs a string pattern");
      const left = operand(value, "text", params, "LIKE");
      return `(${left} LIKE ${params.add(pattern)})`;
    }
    case "between": {
      const type = literalType(expr.args, "BETWEEN");
      const [v, lo, hi] = expr.args.map((a) => operand(a, type, params, "BETWEEN")) as [string, string, string];
      return `(${v} BETWEEN ${lo} AND ${hi})`;
    }
    case "in": {
      const [value, list] = expr.args;
      const type = literalType([value, ...list], "IN");
      return `(${operand(value, type, params, "IN")} IN (${list.map((x) => operand(x, type, params, "IN")).join(", ")}))`;
    }
    case "isNull": {
      const [value] = expr.args;
      if (!isProperty(value)) throw new Cql2Error("IS NULL applies to a property");
      const column = ownValue(COLUMNS, value.property);
      if (column) return `(${column.sql} IS NULL)`;
      const path = jsonPath(value.property, params);
      return `(${path} IS NULL OR jsonb_typeof(${path}) = 'null')`;
    }
    case "s_intersects":
      return spatialSql(expr.args, params);
    case "t_intersects":
      return temporalSql(expr.args, params);
    default: {
      const type = literalType(expr.args, expr.op);
      const [a, b] = expr.args.map((x) => operand(x, type, params, expr.op)) as [string, string];
      return `(${a} ${expr.op} ${b})`;
    }
  }
}

/** The type both sides are compared as: a literal's type, else a column's type, else raw JSON. */
function literalType(args: ScalarOperand[], op: string): ValueType {
  let found: ValueType | undefined;
  for (const a of args) {
    const t = isProperty(a) ? undefined : typeOfLiteral(a);
    if (t && found && t !== found && !(isTimeLike(t) && isTimeLike(found))) throw new Cql2Error(`${op} mixes ${found} and ${t} values`);
    found = found ?? t;
  }
  if (found) return found;
  for (const a of args) {
    const column = isProperty(a) ? ownValue(COLUMNS, a.property) : undefined;
    if (column) return column.type;
  }
  return "json";
}

function isTimeLike(t: ValueType): boolean {
  return t === "timestamp";
}

function typeOfLiteral(a: Exclude<ScalarOperand, { property: string }>): ValueType {
  if (typeof a === "string") return "text";
  if (typeof a === "number") return "number";
  if (typeof a === "boolean") return "boolean";
  return "timestamp";
}

function operand(a: ScalarOperand, type: ValueType, params: SqlParams, op: string): string {
  if (isProperty(a)) {
    if (a.property === "geometry") throw new Cql2Error(`${op} cannot compare geometry; use S_INTERSECTS`);
    const column = ownValue(COLUMNS, a.property);
    if (column) {
      if (column.type === type || type === "json") return column.sql;
      // A string literal compared with a timestamp column is read as a timestamp.
      throw new Cql2Error(`${op}: property "${a.property}" is a ${column.type}, compared with a ${type}`);
    }
    const path = jsonPath(a.property, params);
    const key = path;
    switch (type) {
      case "text": return `(CASE WHEN jsonb_typeof(${key}) = 'string' THEN ${key} #>> '{}' END)`;
      case "number": return `(CASE WHEN jsonb_typeof(${key}) = 'number' THEN (${key} #>> '{}')::float8 END)`;
      case "boolean": return `(CASE WHEN jsonb_typeof(${key}) = 'boolean' THEN (${key} #>> '{}')::boolean END)`;
      case "timestamp": return `dmac_timestamptz(CASE WHEN jsonb_typeof(${key}) = 'string' THEN ${key} #>> '{}' END)`;
      case "json": return key;
    }
  }
  if (typeof a === "string") return type === "timestamp" ? `${params.add(instant(a))}::timestamptz` : `${params.add(a)}::text`;
  if (typeof a === "number") return `${params.add(a)}::float8`;
  if (typeof a === "boolean") return `${params.add(a)}::boolean`;
  return `${params.add(instant("timestamp" in a ? a.timestamp : a.date))}::timestamptz`;
}

function jsonPath(property: string, params: SqlParams): string {
  const name = property.startsWith("properties.") ? property.slice("properties.".length) : property;
  return `(i.properties -> ${params.add(name)}::text)`;
}

function instant(value: string): string {
  try {
    return new Date(parseInstant(value, "timestamp")).toISOString();
  } catch (err) {
    if (isCatalogInputError(err)) throw new Cql2Error(`"${value.slice(0, 40)}" is not an RFC 3339 timestamp or date`);
    throw err;
  }
}

function spatialSql(args: [SpatialOperand, SpatialOperand], params: SqlParams): string {
  const [a, b] = args;
  const literal = isProperty(a) ? b : a;
  const property = isProperty(a) ? a : b;
  if (!isProperty(property) || property.property !== "geometry") throw new Cql2Error("S_INTERSECTS needs the geometry property as one argument");
  if (isProperty(literal)) throw new Cql2Error("S_INTERSECTS needs a geometry or bbox literal as one argument");
  return intersectsPolygons("bbox" in literal ? bboxToPolygons(literal.bbox as Bbox, true) : geometryToPolygons(literal, true), params);
}

/** An item matches when its footprint overlaps any of the polygons. */
export function intersectsPolygons(polygons: string[], params: SqlParams): string {
  if (polygons.length === 0) return "FALSE";
  return `(${polygons.map((p) => `i.footprint && ${params.add(p)}::polygon`).join(" OR ")})`;
}

function temporalSql(args: [TemporalOperand, TemporalOperand], params: SqlParams): string {
  const [a, b] = args;
  const literal = isProperty(a) ? b : a;
  const property = isProperty(a) ? a : b;
  if (!isProperty(property)) throw new Cql2Error("T_INTERSECTS needs a temporal property as one argument");
  const range = ownValue(TEMPORAL_RANGES, property.property);
  if (!range) throw new Cql2Error(`T_INTERSECTS: "${property.property}" is not a temporal property (datetime, start_datetime, end_datetime)`);
  if (isProperty(literal)) throw new Cql2Error("T_INTERSECTS needs a timestamp, date or interval literal as one argument");
  let start: string | null;
  let end: string | null;
  if ("interval" in literal) {
    const open = (s: string) => s === ".." || s === "";
    start = open(literal.interval[0]) ? null : instant(literal.interval[0]);
    end = open(literal.interval[1]) ? null : instant(literal.interval[1]);
  } else if ("date" in literal) {
    start = instant(literal.date);
    end = new Date(Date.parse(start) + 86_400_000 - 1).toISOString();
  } else {
    start = end = instant(literal.timestamp);
  }
  if (start !== null && end !== null && start > end) throw new Cql2Error("T_INTERSECTS interval starts after it ends");
  return temporalOverlap(range, start, end, params);
}

export function temporalOverlap(range: [string, string], start: string | null, end: string | null, params: SqlParams): string {
  const parts: string[] = [];
  if (end !== null) parts.push(`${range[0]} <= ${params.add(end)}::timestamptz`);
  if (start !== null) parts.push(`${range[1]} >= ${params.add(start)}::timestamptz`);
  if (parts.length === 0) return `(${range[0]} IS NOT NULL)`;
  return `(${parts.join(" AND ")})`;
}
