// CQL2-text (OGC 21-065) for the operators we support, parsed by recursive descent into the
// same tree as CQL2-JSON. Precedence: NOT > AND > OR; keywords are case-insensitive.
import { CQL2_LIMITS, Cql2Error } from "./ast.js";
import { propertyName } from "./json.js";
import type { ComparisonOp, Cql2Expr, ScalarOperand, SpatialOperand, TemporalOperand } from "./ast.js";
import type { Geometry, Position } from "../stac/types.js";

type Token =
  | { kind: "word"; text: string; upper: string; at: number }
  | { kind: "quoted"; text: string; at: number }
  | { kind: "string"; text: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "punct"; text: string; at: number }
  | { kind: "end"; at: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const at = i;
    if (c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= src.length) throw new Cql2Error(`unterminated string starting at ${at}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") { text += "'"; i += 2; continue; }
          i++;
          break;
        }
        text += src[i++];
      }
      tokens.push({ kind: "string", text, at });
    } else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new Cql2Error(`unterminated quoted name starting at ${at}`);
      tokens.push({ kind: "quoted", text: src.slice(i + 1, end), at });
      i = end + 1;
    } else if (/[0-9.+-]/.test(c) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.test(src.slice(i, i + 40))) {
      const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i, i + 400)) as RegExpExecArray;
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw new Cql2Error(`number out of range at ${at}`);
      tokens.push({ kind: "number", value, at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_:.\-]*/.exec(src.slice(i, i + 200)) as RegExpExecArray;
      tokens.push({ kind: "word", text: m[0], upper: m[0].toUpperCase(), at });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (two === "<>" || two === "<=" || two === ">=" || two === "!=") {
        tokens.push({ kind: "punct", text: two === "!=" ? "<>" : two, at });
        i += 2;
      } else if ("(),=<>".includes(c)) {
        tokens.push({ kind: "punct", text: c, at });
        i++;
      } else {
        throw new Cql2Error(`unexpected character '${c}' at ${at}`);
      }
    }
  }
  tokens.push({ kind: "end", at: src.length });
  return tokens;
}

const COMPARISONS = new Set(["=", "<>", "<", "<=", ">", ">="]);

export function parseCql2Text(src: string): Cql2Expr {
  if (src.length > CQL2_LIMITS.maxTextLength) throw new Cql2Error(`longer than ${CQL2_LIMITS.maxTextLength} characters`);
  const tokens = tokenize(src);
  let pos = 0;
  let depth = 0;
  let nodes = 0;
  const peek = (k = 0): Token => tokens[Math.min(pos + k, tokens.length - 1)] as Token;
  const next = (): Token => tokens[Math.min(pos++, tokens.length - 1)] as Token;
  const describe = (t: Token): string => (t.kind === "end" ? "end of filter" : `'${"text" in t ? t.text : t.value}' at ${t.at}`);
  const isWord = (t: Token, ...words: string[]) => t.kind === "word" && words.includes(t.upper);
  const isPunct = (t: Token, p: string) => t.kind === "punct" && t.text === p;
  const expectPunct = (p: string) => {
    const t = next();
    if (!isPunct(t, p)) throw new Cql2Error(`expected '${p}' but found ${describe(t)}`);
  };
  const expectWord = (w: string) => {
    const t = next();
    if (!isWord(t, w)) throw new Cql2Error(`expected ${w} but found ${describe(t)}`);
  };
  const enter = () => {
    if (++depth > CQL2_LIMITS.maxDepth) throw new Cql2Error(`nested deeper than ${CQL2_LIMITS.maxDepth}`);
    if (++nodes > CQL2_LIMITS.maxNodes) throw new Cql2Error(`more than ${CQL2_LIMITS.maxNodes} nodes`);
  };

  const orExpr = (): Cql2Expr => {
    enter();
    const args = [andExpr()];
    while (isWord(peek(), "OR")) { next(); args.push(andExpr()); }
    depth--;
    return args.length === 1 ? (args[0] as Cql2Expr) : { op: "or", args };
  };
  const andExpr = (): Cql2Expr => {
    enter();
    const args = [notExpr()];
    while (isWord(peek(), "AND")) { next(); args.push(notExpr()); }
    depth--;
    return args.length === 1 ? (args[0] as Cql2Expr) : { op: "and", args };
  };
  const notExpr = (): Cql2Expr => {
    enter();
    let result: Cql2Expr;
    if (isWord(peek(), "NOT")) { next(); result = { op: "not", args: [notExpr()] }; }
    else result = primary();
    depth--;
    return result;
  };
  const primary = (): Cql2Expr => {
    const t = peek();
    if (isPunct(t, "(")) {
      next();
      const e = orExpr();
      expectPunct(")");
      return e;
    }
    if (isWord(t, "S_INTERSECTS")) {
      next(); expectPunct("(");
      const a = spatialOperand(); expectPunct(",");
      const b = spatialOperand(); expectPunct(")");
      return { op: "s_intersects", args: [a, b] };
    }
    if (isWord(t, "T_INTERSECTS")) {
      next(); expectPunct("(");
      const a = temporalOperand(); expectPunct(",");
      const b = temporalOperand(); expectPunct(")");
      return { op: "t_intersects", args: [a, b] };
    }
    if (isWord(t, "TRUE", "FALSE")) {
      const after = peek(1);
      const continues = after.kind === "punct" ? COMPARISONS.has(after.text) : isWord(after, "LIKE", "BETWEEN", "IN", "IS") || (isWord(after, "NOT") && isWord(peek(2), "LIKE", "BETWEEN", "IN"));
      if (!continues) { next(); return t.kind === "word" && t.upper === "TRUE"; }
    }
    return predicate();
  };
  const predicate = (): Cql2Expr => {
    const left = scalar();
    const t = next();
    if (t.kind === "punct" && COMPARISONS.has(t.text)) return { op: t.text as ComparisonOp, args: [left, scalar()] };
    let negate = false;
    let op = t;
    if (isWord(t, "NOT")) { negate = true; op = next(); }
    let e: Cql2Expr;
    if (isWord(op, "LIKE")) e = { op: "like", args: [left, scalar()] };
    else if (isWord(op, "BETWEEN")) {
      const low = scalar(); expectWord("AND");
      e = { op: "between", args: [left, low, scalar()] };
    } else if (isWord(op, "IN")) {
      expectPunct("(");
      const list = [scalar()];
      while (isPunct(peek(), ",")) {
        next();
        list.push(scalar());
        if (list.length > 1000) throw new Cql2Error("IN list longer than 1000");
      }
      expectPunct(")");
      e = { op: "in", args: [left, list] };
    } else if (!negate && isWord(op, "IS")) {
      const not = isWord(peek(), "NOT");
      if (not) next();
      expectWord("NULL");
      e = { op: "isNull", args: [left] };
      return not ? { op: "not", args: [e] } : e;
    } else throw new Cql2Error(`expected a comparison, LIKE, BETWEEN, IN or IS NULL but found ${describe(op)}`);
    return negate ? { op: "not", args: [e] } : e;
  };
  const stringArg = (fn: string): string => {
    expectPunct("(");
    const s = next();
    if (s.kind !== "string") throw new Cql2Error(`${fn}() takes a quoted string, found ${describe(s)}`);
    expectPunct(")");
    return s.text;
  };
  const scalar = (): ScalarOperand => {
    const t = next();
    switch (t.kind) {
      case "string": return t.text;
      case "number": return t.value;
      case "quoted": return { property: propertyName(t.text) };
      case "word":
        if (t.upper === "TRUE") return true;
        if (t.upper === "FALSE") return false;
        if (t.upper === "TIMESTAMP" && isPunct(peek(), "(")) return { timestamp: stringArg("TIMESTAMP") };
        if (t.upper === "DATE" && isPunct(peek(), "(")) return { date: stringArg("DATE") };
        if (isPunct(peek(), "(")) throw new Cql2Error(`unsupported function ${t.text}() at ${t.at}`);
        return { property: propertyName(t.text) };
      default:
        throw new Cql2Error(`expected a value or property but found ${describe(t)}`);
    }
  };
  const temporalOperand = (): TemporalOperand => {
    const t = peek();
    if (isWord(t, "INTERVAL")) {
      next(); expectPunct("(");
      const a = intervalEnd(); expectPunct(",");
      const b = intervalEnd(); expectPunct(")");
      return { interval: [a, b] };
    }
    const s = scalar();
    if (typeof s === "object" && ("property" in s || "timestamp" in s || "date" in s)) return s;
    throw new Cql2Error(`T_INTERSECTS takes properties, TIMESTAMP(), DATE() or INTERVAL() at ${t.at}`);
  };
  const intervalEnd = (): string => {
    const t = next();
    if (t.kind === "string") return t.text;
    if (isWord(t, "TIMESTAMP", "DATE")) return stringArg(t.kind === "word" ? t.upper : "");
    throw new Cql2Error(`expected an interval end but found ${describe(t)}`);
  };
  const spatialOperand = (): SpatialOperand => {
    const t = next();
    if (t.kind === "quoted") return { property: propertyName(t.text) };
    if (t.kind !== "word") throw new Cql2Error(`expected a geometry or property but found ${describe(t)}`);
    switch (t.upper) {
      case "BBOX": {
        expectPunct("(");
        const nums = [number()];
        while (isPunct(peek(), ",")) { next(); nums.push(number()); }
        expectPunct(")");
        if (nums.length !== 4 && nums.length !== 6) throw new Cql2Error("BBOX() takes 4 or 6 numbers");
        return { bbox: nums };
      }
      case "POINT": case "LINESTRING": case "POLYGON": case "MULTIPOINT": case "MULTILINESTRING": case "MULTIPOLYGON": case "GEOMETRYCOLLECTION":
        pos--;
        return wkt(0);
      default:
        return { property: propertyName(t.text) };
    }
  };
  const number = (): number => {
    const t = next();
    if (t.kind !== "number") throw new Cql2Error(`expected a number but found ${describe(t)}`);
    return t.value;
  };
  let vertices = 0;
  const position = (): Position => {
    if (++vertices > 10_000) throw new Cql2Error("geometry has more than 10000 vertices");
    const p = [number(), number()];
    if (peek().kind === "number") p.push(number());
    return p;
  };
  const group = <T>(each: () => T): T[] => {
    expectPunct("(");
    const out = [each()];
    while (isPunct(peek(), ",")) { next(); out.push(each()); }
    expectPunct(")");
    return out;
  };
  const ring = (): Position[] => {
    const r = group(position);
    const [a, b] = [r[0] as Position, r[r.length - 1] as Position];
    if (r.length < 4 || a[0] !== b[0] || a[1] !== b[1]) throw new Cql2Error("a polygon ring needs at least 4 positions and must be closed");
    return r;
  };
  const line = (): Position[] => {
    const l = group(position);
    if (l.length < 2) throw new Cql2Error("a linestring needs at least 2 positions");
    return l;
  };
  const wkt = (nesting: number): Geometry => {
    const t = next();
    if (t.kind !== "word") throw new Cql2Error(`expected a WKT geometry but found ${describe(t)}`);
    if (isWord(peek(), "Z")) next();
    switch (t.upper) {
      case "POINT": { expectPunct("("); const p = position(); expectPunct(")"); return { type: "Point", coordinates: p }; }
      case "LINESTRING": return { type: "LineString", coordinates: line() };
      case "POLYGON": return { type: "Polygon", coordinates: group(ring) };
      case "MULTIPOINT": return { type: "MultiPoint", coordinates: group(() => (isPunct(peek(), "(") ? (() => { next(); const p = position(); expectPunct(")"); return p; })() : position())) };
      case "MULTILINESTRING": return { type: "MultiLineString", coordinates: group(line) };
      case "MULTIPOLYGON": return { type: "MultiPolygon", coordinates: group(() => group(ring)) };
      case "GEOMETRYCOLLECTION":
        if (nesting > 2) throw new Cql2Error("geometry collections nest too deeply");
        return { type: "GeometryCollection", geometries: group(() => wkt(nesting + 1)) };
      default: throw new Cql2Error(`unsupported WKT geometry ${t.text}`);
    }
  };

  const result = orExpr();
  const rest = peek();
  if (rest.kind !== "end") throw new Cql2Error(`unexpected ${describe(rest)}`);
  return result;
}
