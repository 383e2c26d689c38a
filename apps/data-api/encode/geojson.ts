// GeoJSON (RFC 7946): a FeatureCollection with one Point feature per station (cell and level),
// its time series as arrays in the properties; missing values are null.
import type { QueryResult } from "../query/result.js";
import { wrapLon } from "../geometry.js";
import { isoTime, shortest } from "./numbers.js";

export function toGeoJson(result: QueryResult): Record<string, unknown> {
  const features: Array<Record<string, unknown>> = [];
  for (const g of result.groups) {
    const datetime = g.times.map(isoTime);
    g.stations.forEach((s, si) => {
      const properties: Record<string, unknown> = { datetime };
      if (s.z !== undefined) properties["z"] = s.z;
      for (const p of g.parameters) {
        const f32 = p.info.float32;
        properties[p.info.name] = g.times.map((_, ti) => {
          const v = p.values[ti * g.stations.length + si] ?? NaN;
          return Number.isNaN(v) ? null : shortest(v, f32);
        });
      }
      // RFC 7946 wants longitudes in -180..180; the native value stays in the properties.
      features.push({ type: "Feature", id: `${g.grid}:${s.cell}${s.zIndex !== undefined ? `:${s.zIndex}` : ""}`, geometry: { type: "Point", coordinates: [wrapLon(s.lon), s.lat] }, properties: { ...properties, lon: s.lon } });
    });
  }
  return { type: "FeatureCollection", features };
}
