// GeoJSON geometry validation and the planar shapes the store tests them with.
//
// Both backends answer spatial queries with PostgreSQL's built-in `polygon` type and its exact
// `&&` (overlap) operator, which PGlite has too; PostGIS is not available in PGlite, so we do
// not use it. A geometry becomes a list of polygons: a Polygon its outer ring (holes are
// ignored, so a query may match an item that lies wholly inside a hole), a Point a one-vertex
// polygon, a LineString one two-vertex polygon per segment. Coordinates are planar lon/lat.
import { CatalogInputError } from "../stac/errors.js";
import type { Bbox, Geometry, Position } from "../stac/types.js";

const MAX_VERTICES = 10_000;

export function bboxPolygon(bbox: Bbox): Geometry {
  const half = bbox.length / 2;
  const [w, s, e, n] = [bbox[0], bbox[1], bbox[half] as number, bbox[half + 1] as number];
  return { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

/** Checks an untrusted value is a GeoJSON geometry with finite coordinates; names `field` on failure. */
export function parseGeometry(value: unknown, field: string): Geometry {
  let vertices = 0;
  const position = (p: unknown, where: string): Position => {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((n) => typeof n === "number" && Number.isFinite(n))) {
      throw new CatalogInputError(where, "a position must be 2 or 3 finite numbers");
    }
    if (++vertices > MAX_VERTICES) throw new CatalogInputError(field, `more than ${MAX_VERTICES} vertices`);
    return p as Position;
  };
  const list = <T>(v: unknown, where: string, min: number, each: (x: unknown, w: string) => T): T[] => {
    if (!Array.isArray(v) || v.length < min) throw new CatalogInputError(where, `must be an array of at least ${min}`);
    return v.map((x, i) => each(x, `${where}[${i}]`));
  };
  const ring = (v: unknown, where: string): Position[] => {
    const r = list(v, where, 4, position);
    const [a, b] = [r[0] as Position, r[r.length - 1] as Position];
    if (a[0] !== b[0] || a[1] !== b[1]) throw new CatalogInputError(where, "a linear ring must be closed");
    return r;
  };
  const geometry = (g: unknown, where: string, depth: number): Geometry => {
    if (typeof g !== "object" || g === null || Array.isArray(g)) throw new CatalogInputError(where, "must be a GeoJSON geometry object");
    const o = g as Record<string, unknown>;
    const c = `${where}.coordinates`;
    switch (o.type) {
      case "Point": return { type: "Point", coordinates: position(o.coordinates, c) };
      case "MultiPoint": return { type: "MultiPoint", coordinates: list(o.coordinates, c, 1, position) };
      case "LineString": return { type: "LineString", coordinates: list(o.coordinates, c, 2, position) };
      case "MultiLineString": return { type: "MultiLineString", coordinates: list(o.coordinates, c, 1, (l, w) => list(l, w, 2, position)) };
      case "Polygon": return { type: "Polygon", coordinates: list(o.coordinates, c, 1, ring) };
      case "MultiPolygon": return { type: "MultiPolygon", coordinates: list(o.coordinates, c, 1, (p, w) => list(p, w, 1, ring)) };
      case "GeometryCollection":
        if (depth > 2) throw new CatalogInputError(where, "geometry collections nest too deeply");
        return { type: "GeometryCollection", geometries: list(o.geometries, `${where}.geometries`, 1, (x, w) => geometry(x, w, depth + 1)) };
      default:
        throw new CatalogInputError(`${where}.type`, `"${String(o.type)}" is not a GeoJSON geometry type`);
    }
  };
  return geometry(value, field, 0);
}

/**
 * The geometry as PostgreSQL polygon literals, e.g. "((0,0),(0,1),(1,1))". With `wrapLongitudes`
 * (for queries) each shape also appears shifted by 360 degrees, so a query in -180..180 finds
 * items stored in 0..360 (global models such as RTOFS) and the other way round.
 */
export function geometryToPolygons(g: Geometry, wrapLongitudes = false): string[] {
  const shapes = geometryShapes(g);
  return (wrapLongitudes ? shapes.flatMap(withLongitudeWraps) : shapes).map(polygonLiteral);
}

/** A bbox as polygons; one that crosses the antimeridian (west > east) becomes two. */
export function bboxToPolygons(bbox: Bbox, wrapLongitudes = false): string[] {
  const half = bbox.length / 2;
  const [w, s, e, n] = [bbox[0], bbox[1], bbox[half] as number, bbox[half + 1] as number];
  const box = (a: number, b: number): Position[] => [[a, s], [b, s], [b, n], [a, n]];
  const shapes = w <= e ? [box(w, e)] : [box(w, 180), box(-180, e)];
  return (wrapLongitudes ? shapes.flatMap(withLongitudeWraps) : shapes).map(polygonLiteral);
}

function geometryShapes(g: Geometry): Position[][] {
  switch (g.type) {
    case "Point": return [[g.coordinates]];
    case "MultiPoint": return g.coordinates.map((p) => [p]);
    case "LineString": return segments(g.coordinates);
    case "MultiLineString": return g.coordinates.flatMap(segments);
    case "Polygon": return g.coordinates[0] ? [openRing(g.coordinates[0])] : [];
    case "MultiPolygon": return g.coordinates.flatMap((p) => (p[0] ? [openRing(p[0])] : []));
    case "GeometryCollection": return g.geometries.flatMap(geometryShapes);
  }
}

function withLongitudeWraps(shape: Position[]): Position[][] {
  const xs = shape.map((p) => p[0] as number);
  const out = [shape];
  const shift = (dx: number) => shape.map((p) => [(p[0] as number) + dx, p[1] as number]);
  if (Math.min(...xs) < 0) out.push(shift(360));
  if (Math.max(...xs) > 180) out.push(shift(-360));
  return out;
}

/** [minx, miny, maxx, maxy] of a geometry. */
export function geometryBbox(g: Geometry): [number, number, number, number] {
  const b = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
  const visit = (p: Position) => {
    const [x, y] = [p[0] as number, p[1] as number];
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  };
  const walk = (geom: Geometry): void => {
    switch (geom.type) {
      case "Point": visit(geom.coordinates); break;
      case "MultiPoint": case "LineString": geom.coordinates.forEach(visit); break;
      case "MultiLineString": case "Polygon": geom.coordinates.forEach((l) => l.forEach(visit)); break;
      case "MultiPolygon": geom.coordinates.forEach((p) => p.forEach((l) => l.forEach(visit))); break;
      case "GeometryCollection": geom.geometries.forEach(walk); break;
    }
  };
  walk(g);
  return b;
}

function segments(line: Position[]): Position[][] {
  const out: Position[][] = [];
  for (let i = 1; i < line.length; i++) out.push([line[i - 1] as Position, line[i] as Position]);
  return out;
}

function openRing(ring: Position[]): Position[] {
  return ring.length > 1 ? ring.slice(0, -1) : ring;
}

function polygonLiteral(points: Position[]): string {
  return `(${points.map((p) => `(${p[0]},${p[1]})`).join(",")})`;
}
