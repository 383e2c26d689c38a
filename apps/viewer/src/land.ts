// Natural Earth land (the `world-atlas` package's TopoJSON, 1:50m and 1:10m) as plain rings of
// lon/lat pairs, and a point-on-land test over them. Pure (no DOM, no I/O): the viewer's base map
// draws these rings, and samples/make-samples.ts derives the CBOFS sample's mask_rho from the same
// rings, so the mask and the coastline the viewer draws agree.
import { feature } from "topojson-client";

/** A TopoJSON topology (the type @types/topojson-client takes; topojson-specification is types-only). */
export type LandTopology = Parameters<typeof feature>[0];

export type LandResolution = "50m" | "10m";

export interface Land {
  resolution: LandResolution;
  /** Every ring (outer boundaries and holes alike) as [lon0, lat0, lon1, lat1, ...], closed (last = first). */
  rings: Float64Array[];
  /** Per ring: lonMin, latMin, lonMax, latMax. */
  boxes: Float64Array;
}

/** The `land` object of a world-atlas land-*.json topology as rings (fill them even-odd: holes are lakes). */
export function landFromTopology(topology: LandTopology, resolution: LandResolution): Land {
  const object = topology.objects["land"];
  if (object === undefined) throw new Error(`land-${resolution}.json: no "land" object in the topology`);
  const collection = feature(topology, object);
  const rings: Float64Array[] = [];
  for (const f of "features" in collection ? collection.features : [collection]) {
    const g = f.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const polygon of polygons) for (const ring of polygon) rings.push(Float64Array.from(ring.flatMap((p) => [p[0] ?? 0, p[1] ?? 0])));
  }
  const boxes = new Float64Array(rings.length * 4);
  rings.forEach((r, k) => {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < r.length; i += 2) {
      const x = r[i] as number;
      const y = r[i + 1] as number;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    boxes.set([x0, y0, x1, y1], k * 4);
  });
  return { resolution, rings, boxes };
}

/**
 * A point-on-land test for points inside `bbox` ([lonMin, latMin, lonMax, latMax], -180..180):
 * even-odd count of the ring edges an eastward ray crosses, with the edges that can cross a ray
 * from the box bucketed by latitude, so a grid of 10^5 points against the 1:10m coastline takes
 * milliseconds rather than the minutes a test against every vertex would.
 */
export function landTest(land: Land, bbox: readonly [number, number, number, number]): (lon: number, lat: number) => boolean {
  const [west, south, , north] = bbox;
  const BAND = 0.02;
  const bands = Math.max(1, Math.ceil((north - south) / BAND));
  const buckets: number[][] = Array.from({ length: bands }, () => []);
  land.rings.forEach((r, k) => {
    const b = land.boxes.subarray(k * 4, k * 4 + 4);
    if ((b[1] as number) > north || (b[3] as number) < south || (b[2] as number) < west) return;
    for (let i = 0; i + 3 < r.length; i += 2) {
      const [x1, y1, x2, y2] = [r[i] as number, r[i + 1] as number, r[i + 2] as number, r[i + 3] as number];
      if (Math.max(x1, x2) < west || Math.max(y1, y2) < south || Math.min(y1, y2) > north) continue;
      const first = Math.max(0, Math.floor((Math.min(y1, y2) - south) / BAND));
      const last = Math.min(bands - 1, Math.floor((Math.max(y1, y2) - south) / BAND));
      for (let band = first; band <= last; band++) buckets[band]?.push(x1, y1, x2, y2);
    }
  });
  return (lon, lat) => {
    const edges = buckets[Math.min(bands - 1, Math.max(0, Math.floor((lat - south) / BAND)))] ?? [];
    let inside = false;
    for (let e = 0; e < edges.length; e += 4) {
      const [x1, y1, x2, y2] = [edges[e] as number, edges[e + 1] as number, edges[e + 2] as number, edges[e + 3] as number];
      if (y1 > lat !== y2 > lat && lon < x1 + ((lat - y1) / (y2 - y1)) * (x2 - x1)) inside = !inside;
    }
    return inside;
  };
}
