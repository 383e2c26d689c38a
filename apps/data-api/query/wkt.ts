// The WKT geometries EDR queries take in `coords`: POINT, MULTIPOINT and POLYGON, 2-D, in
// lon/lat order. A small strict parser: anything else is an error that names the parameter.
import { invalidParameter } from "../errors.js";
import type { Polygon, Position } from "../geometry.js";

export type WktGeometry = { type: "Point"; coordinates: Position } | { type: "MultiPoint"; coordinates: Position[] } | { type: "Polygon"; coordinates: Polygon };

export const MAX_WKT_LENGTH = 200_000;
export const MAX_WKT_POSITIONS = 10_000;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function position(text: string, parameter: string): Position {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 && parts.length !== 3) throw invalidParameter(parameter, `expected "lon lat" in a position, got ${JSON.stringify(text.trim().slice(0, 60))}`);
  const [x, y] = parts.slice(0, 2).map((p) => {
    if (!NUMBER.test(p)) throw invalidParameter(parameter, `${JSON.stringify(p.slice(0, 40))} is not a number`);
    return Number(p);
  }) as [number, number];
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw invalidParameter(parameter, "coordinates must be finite numbers");
  if (y < -90 || y > 90) throw invalidParameter(parameter, `latitude ${y} is outside -90..90 (positions are "lon lat")`);
  if (x < -360 || x > 360) throw invalidParameter(parameter, `longitude ${x} is outside -360..360`);
  return [x, y];
}

/** "(a b, c d)" → the text between the outer parentheses, checking they are there. */
function inner(text: string, parameter: string, what: string): string {
  const t = text.trim();
  if (!t.startsWith("(") || !t.endsWith(")")) throw invalidParameter(parameter, `${what} must be enclosed in parentheses`);
  return t.slice(1, -1);
}

/** Splits "(..), (..)" at top-level commas. */
function splitGroups(text: string, parameter: string): string[] {
  const groups: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") {
      depth--;
      if (depth < 0) throw invalidParameter(parameter, "unbalanced parentheses");
    } else if (c === "," && depth === 0) {
      groups.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw invalidParameter(parameter, "unbalanced parentheses");
  groups.push(text.slice(start));
  return groups;
}

function ring(text: string, parameter: string): Position[] {
  const positions = inner(text, parameter, "a polygon ring")
    .split(",")
    .map((p) => position(p, parameter));
  if (positions.length < 4) throw invalidParameter(parameter, `a polygon ring needs at least 4 positions, got ${positions.length}`);
  const [fx, fy] = positions[0] ?? [0, 0];
  const [lx, ly] = positions[positions.length - 1] ?? [0, 0];
  if (fx !== lx || fy !== ly) throw invalidParameter(parameter, "a polygon ring must end at its first position");
  return positions;
}

export function parseWkt(text: string, parameter = "coords"): WktGeometry {
  if (text.length > MAX_WKT_LENGTH) throw invalidParameter(parameter, `longer than ${MAX_WKT_LENGTH} characters`);
  const m = /^\s*(POINT|MULTIPOINT|POLYGON)\s*(?:Z\s*)?(\(.*\))\s*$/is.exec(text);
  if (m === null) {
    const kind = /^\s*([A-Za-z]+)/.exec(text)?.[1];
    if (kind !== undefined && /^(LINESTRING|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)$/i.test(kind)) throw invalidParameter(parameter, `${kind.toUpperCase()} is not supported here (POINT, MULTIPOINT or POLYGON)`);
    throw invalidParameter(parameter, `not a WKT POINT, MULTIPOINT or POLYGON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const kind = (m[1] ?? "").toUpperCase();
  const body = inner(m[2] ?? "", parameter, kind);
  const commas = (body.match(/,/g) ?? []).length;
  if (commas >= MAX_WKT_POSITIONS) throw invalidParameter(parameter, `more than ${MAX_WKT_POSITIONS} positions`);
  if (kind === "POINT") {
    if (/[(),]/.test(body)) throw invalidParameter(parameter, "a POINT has one position");
    return { type: "Point", coordinates: position(body, parameter) };
  }
  if (kind === "MULTIPOINT") {
    // Both MULTIPOINT((1 2), (3 4)) and MULTIPOINT(1 2, 3 4) are in use.
    const groups = splitGroups(body, parameter);
    const coordinates = groups.map((g) => (g.trim().startsWith("(") ? position(inner(g, parameter, "a MULTIPOINT position"), parameter) : position(g, parameter)));
    return { type: "MultiPoint", coordinates };
  }
  const rings = splitGroups(body, parameter).map((r) => ring(r, parameter));
  return { type: "Polygon", coordinates: rings };
}
