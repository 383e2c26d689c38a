// Observing stations over the model field: the station collections of the data API (those whose
// collection document offers an EDR `locations` query, i.e. Datasets with featureType
// timeSeries) drawn as points on the overlay, found under the pointer, and a station's series
// fetched from /collections/{id}/locations/{station} (CoverageJSON PointSeries).
import { parseSeries, type DataApi, type Series } from "./api.js";
import { toScreen, type View } from "./view.js";

export interface StationPoint {
  collection: string;
  id: string;
  name: string;
  platform: string;
  lon: number;
  lat: number;
  /** Observed variables (without their _qc flags). */
  parameters: string[];
}

/** Pointer distance (CSS pixels) within which a click picks a station rather than the field. */
export const PICK_RADIUS_CSS_PX = 9;

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: { accept: "application/json, application/geo+json, application/prs.coverage+json" } });
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || body === undefined) throw new Error(`${url}: ${typeof body?.description === "string" ? body.description : `HTTP ${response.status}`}`);
  return body;
}

/** Every station of every station collection; a collection that fails to list is left out. */
export async function loadStations(api: DataApi): Promise<StationPoint[]> {
  const doc = await getJson(api.url("collections"));
  const collections = (Array.isArray(doc.collections) ? doc.collections : []) as Array<{ id?: unknown; data_queries?: { locations?: unknown } }>;
  const ids = collections.filter((c) => typeof c.id === "string" && c.data_queries?.locations !== undefined).map((c) => c.id as string);
  const lists = await Promise.all(ids.map(async (collection) => {
    try {
      const fc = await getJson(api.url(`collections/${encodeURIComponent(collection)}/locations`));
      const features = (Array.isArray(fc.features) ? fc.features : []) as Array<{ id?: unknown; geometry?: { coordinates?: unknown }; properties?: Record<string, unknown> }>;
      return features.flatMap((f): StationPoint[] => {
        const c = f.geometry?.coordinates;
        if (typeof f.id !== "string" || !Array.isArray(c) || typeof c[0] !== "number" || typeof c[1] !== "number") return [];
        const p = f.properties ?? {};
        const parameters = Array.isArray(p["parameter-name"]) ? (p["parameter-name"] as unknown[]).filter((n): n is string => typeof n === "string" && !n.endsWith("_qc")) : [];
        return [{ collection, id: f.id, name: typeof p.name === "string" ? p.name : f.id, platform: typeof p.platform_type === "string" ? p.platform_type : "", lon: c[0], lat: c[1], parameters }];
      });
    } catch {
      return [];
    }
  }));
  return lists.flat();
}

/** The collections the stations come from (the dataset picker leaves them out: they are drawn over every field). */
export function stationCollections(stations: readonly StationPoint[]): Set<string> {
  return new Set(stations.map((s) => s.collection));
}

/** Stations as points: buoys as diamonds, others as circles; the selected one ringed. */
export function drawStations(ctx: CanvasRenderingContext2D, view: View, stations: readonly StationPoint[], ratio = 1, selected?: StationPoint): void {
  ctx.save();
  for (const s of stations) {
    const [x, y] = toScreen(view, s.lon, s.lat);
    if (x < -10 || y < -10 || x > view.width + 10 || y > view.height + 10) continue;
    const r = 5 * ratio;
    ctx.beginPath();
    if (/buoy/i.test(s.platform)) {
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r * 1.2, y);
      ctx.lineTo(x, y + r * 1.2);
      ctx.lineTo(x - r * 1.2, y);
      ctx.closePath();
      ctx.fillStyle = "#ffb000";
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = "#dc267f";
    }
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1.5 * ratio;
    ctx.stroke();
    if (selected !== undefined && selected.collection === s.collection && selected.id === s.id) {
      ctx.beginPath();
      ctx.arc(x, y, r + 4 * ratio, 0, 2 * Math.PI);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 2 * ratio;
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** The station drawn nearest the device pixel (x, y), if within the pick radius. */
export function stationAt(view: View, stations: readonly StationPoint[], x: number, y: number, ratio = 1): StationPoint | undefined {
  let best: StationPoint | undefined;
  let bestD = PICK_RADIUS_CSS_PX * ratio;
  for (const s of stations) {
    const [sx, sy] = toScreen(view, s.lon, s.lat);
    const d = Math.hypot(sx - x, sy - y);
    if (d <= bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

/** A station's series of its first observed variable (or `parameter`). */
export async function stationSeries(api: DataApi, s: StationPoint, parameter = s.parameters[0]): Promise<Series> {
  if (parameter === undefined) throw new Error(`station ${s.id} of ${s.collection} has no observed variable`);
  const q = new URLSearchParams({ "parameter-name": parameter, f: "CoverageJSON" });
  const doc = await getJson(api.url(`collections/${encodeURIComponent(s.collection)}/locations/${encodeURIComponent(s.id)}?${q.toString()}`));
  return parseSeries(doc, parameter);
}
