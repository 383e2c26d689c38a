// Longitude arithmetic and point-in-shape tests that work for -180..180 and 0..360 grids alike.

export type Position = [number, number];

/** Longitude in [-180, 180). */
export function wrapLon(lon: number): number {
  // In range already: returned as is (the arithmetic below would turn -76.4816 into -76.48160000000001).
  if (lon >= -180 && lon < 180) return lon;
  const w = ((((lon + 180) % 360) + 360) % 360) - 180;
  return w === -180 && lon > 0 ? 180 : w;
}

/** `lon` shifted by whole turns into [ref - 180, ref + 180). */
export function lonNear(lon: number, ref: number): number {
  return ref + wrapLon(lon - ref);
}

export interface BBox {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
  minz?: number;
  maxz?: number;
}

/** True when (lon, lat) lies in the box; a box with minx > maxx crosses the antimeridian. */
export function inBBox(lon: number, lat: number, box: BBox): boolean {
  if (!(lat >= box.miny && lat <= box.maxy)) return false;
  const width = box.maxx >= box.minx ? box.maxx - box.minx : box.maxx - box.minx + 360;
  if (width >= 360) return true;
  const offset = (((lon - box.minx) % 360) + 360) % 360;
  return offset <= width;
}

/** A polygon as GeoJSON rings (outer first, then holes), positions [lon, lat]. */
export type Polygon = Position[][];

export function polygonBBox(polygon: Polygon): BBox {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (const [x, y] of polygon[0] ?? []) {
    minx = Math.min(minx, x);
    maxx = Math.max(maxx, x);
    miny = Math.min(miny, y);
    maxy = Math.max(maxy, y);
  }
  return { minx, miny, maxx, maxy };
}

function inRing(x: number, y: number, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] ?? [0, 0];
    const [xj, yj] = ring[j] ?? [0, 0];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Even-odd point-in-polygon in lon/lat. The point's longitude is first moved by whole turns
 * next to the polygon's, so a 0..360 grid cell and a -180..180 polygon compare correctly.
 */
export function inPolygon(lon: number, lat: number, polygon: Polygon, box: BBox = polygonBBox(polygon)): boolean {
  if (lat < box.miny || lat > box.maxy) return false;
  const x = lonNear(lon, (box.minx + box.maxx) / 2);
  if (x < box.minx || x > box.maxx) return false;
  const [outer, ...holes] = polygon;
  if (outer === undefined || !inRing(x, lat, outer)) return false;
  return !holes.some((h) => inRing(x, lat, h));
}
