// CQL2-JSON: checks an untrusted JSON value and returns it as a typed expression tree.
import { parseGeometry } from "../geometry/geojson.js";
import { isCatalogInputError } from "../stac/errors.js";
import { CQL2_LIMITS, Cql2Error } from "./ast.js";
import type { Cql2Expr, ScalarOperand, SpatialOperand, TemporalOperand } from "./ast.js";

const COMPARISON = new Set(["=", "<>", "<", "<=", ">", ">="]);
const GEOMETRY_TYPES = new Set(["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]);

export function parseCql2Json(value: unknown): Cql2Expr {
  let nodes = 0;
  const expr = (v: unknown, depth: number): Cql2Expr => {
    if (++nodes > CQL2_LIMITS.maxNodes) throw new Cql2Error(`more than ${CQL2_LIMITS.maxNodes} nodes`);
    if (depth > CQL2_LIMITS.maxDepth) throw new Cql2Error(`nested deeper than ${CQL2_LIMITS.maxDepth}`);
    if (typeof v === "boolean") return v;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Cql2Error("expected a boolean expression object {op, args}");
    const { op: rawOp, args } = v as { op?: unknown; args?: unknown };
    if (typeof rawOp !== "string") throw new Cql2Error('an expression needs a string "op"');
    if (!Array.isArray(args)) throw new Cql2Error(`"${rawOp}" needs an "args" array`);
    const op = rawOp.toLowerCase();
    const arity = (n: number) => {
      if (args.length !== n) throw new Cql2Error(`"${rawOp}" takes ${n} arguments, got ${args.length}`);
    };
    switch (op) {
      case "and":
      case "or":
        if (args.length < 2) throw new Cql2Error(`"${op}" takes at least 2 arguments`);
        return { op, args: args.map((a) => expr(a, depth + 1)) };
      case "not":
        arity(1);
        return { op, args: [expr(args[0], depth + 1)] };
      case "like":
        arity(2);
        return { op, args: [scalar(args[0]), scalar(args[1])] };
      case "between":
        arity(3);
        return { op, args: [scalar(args[0]), scalar(args[1]), scalar(args[2])] };
      case "in": {
        arity(2);
        const list = args[1];
        if (!Array.isArray(list) || list.length === 0) throw new Cql2Error('"in" needs a non-empty list as its second argument');
        if (list.length > 1000) throw new Cql2Error('"in" list longer than 1000');
        return { op, args: [scalar(args[0]), list.map(scalar)] };
      }
      case "isnull":
        arity(1);
        return { op: "isNull", args: [scalar(args[0])] };
      case "s_intersects":
        arity(2);
        return { op, args: [spatial(args[0]), spatial(args[1])] };
      case "t_intersects":
        arity(2);
        return { op, args: [temporal(args[0]), temporal(args[1])] };
      default:
        if (COMPARISON.has(op)) {
          arity(2);
          return { op: op as "=", args: [scalar(args[0]), scalar(args[1])] };
        }
        throw new Cql2Error(`unsupported operator "${rawOp}"`);
    }
  };
  return expr(value, 0);
}

function scalar(v: unknown): ScalarOperand {
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Cql2Error("numbers must be finite");
    return v;
  }
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.property === "string") return { property: propertyName(o.property) };
    if (typeof o.timestamp === "string") return { timestamp: o.timestamp };
    if (typeof o.date === "string") return { date: o.date };
  }
  throw new Cql2Error(`expected a property, string, number, boolean, timestamp or date, got ${short(v)}`);
}

function spatial(v: unknown): SpatialOperand {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.property === "string") return { property: propertyName(o.property) };
    if (Array.isArray(o.bbox)) {
      if ((o.bbox.length !== 4 && o.bbox.length !== 6) || !o.bbox.every((n) => typeof n === "number" && Number.isFinite(n))) {
        throw new Cql2Error("a bbox literal is 4 or 6 finite numbers");
      }
      return { bbox: o.bbox as number[] };
    }
    if (typeof o.type === "string" && GEOMETRY_TYPES.has(o.type)) {
      try {
        return parseGeometry(o, "geometry");
      } catch (err) {
        if (isCatalogInputError(err)) throw new Cql2Error(err.message);
        throw err;
      }
    }
  }
  throw new Cql2Error(`expected a property, GeoJSON geometry or bbox, got ${short(v)}`);
}

function temporal(v: unknown): TemporalOperand {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.property === "string") return { property: propertyName(o.property) };
    if (typeof o.timestamp === "string") return { timestamp: o.timestamp };
    if (typeof o.date === "string") return { date: o.date };
    if (Array.isArray(o.interval) && o.interval.length === 2) {
      const [a, b] = o.interval as unknown[];
      const end = (x: unknown): string => {
        if (typeof x === "string") return x;
        if (typeof x === "object" && x !== null) {
          const e = x as Record<string, unknown>;
          if (typeof e.timestamp === "string") return e.timestamp;
          if (typeof e.date === "string") return e.date;
        }
        throw new Cql2Error("interval ends are strings, timestamps, dates or '..'");
      };
      return { interval: [end(a), end(b)] };
    }
  }
  throw new Cql2Error(`expected a property, timestamp, date or interval, got ${short(v)}`);
}

export function propertyName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_:.\-]{0,127}$/.test(name)) throw new Cql2Error(`"${name.slice(0, 64)}" is not a valid property name`);
  return name;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}
