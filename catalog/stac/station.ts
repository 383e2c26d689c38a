// Builds the STAC Item of one observing station (a CF DSG timeSeries instance) in a station
// Dataset: a Point at the station, its observed time range, and the datacube extension
// describing its slice of the store (the station dimension holding just this station, time, and
// the variables it observed).
import { buildCycleItem } from "./item.js";
import { CatalogInputError } from "./errors.js";
import type { CubeVariable, StacItem } from "./types.js";

export interface StationItemInput {
  collectionId: string;
  stationId: string;
  name: string;
  platform: string;
  lon: number;
  lat: number;
  /** Metres, positive up; omitted from the geometry when unknown. */
  z?: number;
  timeInterval: [string, string];
  variables: { name: string; unit?: string; description?: string }[];
  storeUrl: string;
  /** Extra queryable properties (e.g. dmac:model). */
  properties?: Record<string, unknown>;
}

/** `<collection>-<station id>`, the id reduced to what STAC ids allow. */
export function stationItemId(collectionId: string, stationId: string): string {
  return `${collectionId}-${stationId.replace(/[^A-Za-z0-9_.-]+/g, "_")}`;
}

export function buildStationItem(input: StationItemInput): StacItem {
  if (!Number.isFinite(input.lon) || !Number.isFinite(input.lat) || input.lon < -180 || input.lon > 180 || input.lat < -90 || input.lat > 90)
    throw new CatalogInputError("lon/lat", `station ${input.stationId} at (${input.lon}, ${input.lat}) is not a position in degrees`);
  const variables: Record<string, CubeVariable> = {};
  for (const v of input.variables)
    variables[v.name] = { dimensions: ["station", "time"], type: "data", ...(v.unit !== undefined ? { unit: v.unit } : {}), ...(v.description !== undefined ? { description: v.description } : {}) };
  return buildCycleItem({
    collectionId: input.collectionId,
    id: stationItemId(input.collectionId, input.stationId),
    timeInterval: input.timeInterval,
    bbox: [input.lon, input.lat, input.lon, input.lat],
    geometry: { type: "Point", coordinates: [input.lon, input.lat] },
    storeUrl: input.storeUrl,
    title: input.name,
    properties: {
      ...(input.properties ?? {}),
      "dmac:feature_type": "timeSeries",
      "dmac:station_id": input.stationId,
      "dmac:platform": input.platform,
      ...(input.z !== undefined && Number.isFinite(input.z) ? { "dmac:z": input.z } : {}),
    },
    cube: {
      dimensions: {
        station: { type: "other", description: "station (CF timeseries_id); this item is the one station", values: [input.stationId] },
        time: { type: "temporal", extent: input.timeInterval },
      },
      variables,
    },
  });
}
