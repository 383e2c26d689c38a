// The map's view: an equirectangular projection whose x axis is shrunk by cos(reference latitude)
// so shapes near that latitude keep their proportions. The reference latitude is fixed per
// dataset (the centre of its box), so panning never changes the projection. Pure.
import type { BBox } from "./mesh.js";

export interface View {
  /** Centre of the canvas in degrees. */
  lon: number;
  lat: number;
  /** Pixels per degree of latitude. */
  scale: number;
  /** cos(reference latitude): pixels per degree of longitude = scale * kx. */
  kx: number;
  width: number;
  height: number;
}

export function fitView(bbox: BBox, width: number, height: number, margin = 0.05): View {
  const [x0, y0, x1, y1] = bbox;
  const kx = Math.max(0.05, Math.cos(((y0 + y1) / 2) * (Math.PI / 180)));
  const w = Math.max(1e-9, (x1 - x0) * kx);
  const h = Math.max(1e-9, y1 - y0);
  const scale = Math.min((width * (1 - 2 * margin)) / w, (height * (1 - 2 * margin)) / h);
  return { lon: (x0 + x1) / 2, lat: (y0 + y1) / 2, scale, kx, width, height };
}

export function toScreen(view: View, lon: number, lat: number): [number, number] {
  return [(lon - view.lon) * view.scale * view.kx + view.width / 2, (view.lat - lat) * view.scale + view.height / 2];
}

export function toLonLat(view: View, x: number, y: number): [number, number] {
  return [view.lon + (x - view.width / 2) / (view.scale * view.kx), view.lat - (y - view.height / 2) / view.scale];
}

/** Moves the map by a pointer drag of (dx, dy) pixels. */
export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, lon: view.lon - dx / (view.scale * view.kx), lat: view.lat + dy / view.scale };
}

/** Zooms by `factor` keeping the point under (x, y) where it is. */
export function zoomAt(view: View, x: number, y: number, factor: number): View {
  const [lon, lat] = toLonLat(view, x, y);
  const scale = Math.min(1e7, Math.max(1e-3, view.scale * factor));
  const next = { ...view, scale };
  const [lon2, lat2] = toLonLat(next, x, y);
  return { ...next, lon: next.lon + (lon - lon2), lat: next.lat + (lat - lat2) };
}

export function resized(view: View, width: number, height: number): View {
  return { ...view, width, height };
}

/** Longitude shown to people: -180..180. */
export function displayLon(lon: number): number {
  const l = ((((lon + 180) % 360) + 360) % 360) - 180;
  return l === -180 && lon > 0 ? 180 : l;
}

/** "76.25°W 37.10°N" with a precision that suits the zoom (pixels per degree). */
export function formatLonLat(lon: number, lat: number, scale: number): string {
  const digits = Math.min(6, Math.max(1, Math.ceil(Math.log10(Math.max(1, scale))) + 1));
  const l = displayLon(lon);
  return `${Math.abs(l).toFixed(digits)}°${l < 0 ? "W" : "E"} ${Math.abs(lat).toFixed(digits)}°${lat < 0 ? "S" : "N"}`;
}
