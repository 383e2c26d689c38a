// Builds the STAC Item for one model cycle (one forecast run) of a dataset.
import { checkBbox, checkId, checkInterval, checkUrl, parseInstant } from "./checks.js";
import { CatalogInputError } from "./errors.js";
import { bboxPolygon } from "../geometry/geojson.js";
import { DATACUBE_EXTENSION, STAC_VERSION, ZARR_MEDIA_TYPE } from "./types.js";
import type { Bbox, CubeDimension, CubeVariable, Geometry, StacItem } from "./types.js";

export interface CycleItemInput {
  collectionId: string;
  /** Defaults to `<collectionId>-<cycle time as YYYYMMDDTHHmmZ>`, or `<collectionId>-all` without a cycle. */
  id?: string;
  /**
   * The model run's reference (initialisation) time, ISO 8601. Absent for an item that covers the
   * whole dataset: its `datetime` is then null and the interval alone says when (STAC allows that).
   */
  cycleTime?: string;
  /** First and last valid time of the run's output. */
  timeInterval: [string, string];
  bbox: Bbox;
  /** Footprint; defaults to the bbox as a polygon. */
  geometry?: Geometry;
  storeUrl: string;
  title?: string;
  /** Extra queryable properties, e.g. { "dmac:model": "ROMS" }. */
  properties?: Record<string, unknown>;
  /** Where the item's Collection document is; the STAC API replaces it with its own URL. */
  collectionHref?: string;
  cube?: { dimensions: Record<string, CubeDimension>; variables: Record<string, CubeVariable> };
}

const RESERVED_PROPERTIES = new Set(["datetime", "start_datetime", "end_datetime"]);

export function buildCycleItem(input: CycleItemInput): StacItem {
  checkId(input.collectionId, "collectionId");
  const cycleMs = input.cycleTime === undefined ? undefined : parseInstant(input.cycleTime, "cycleTime");
  const id = input.id ?? `${input.collectionId}-${cycleMs === undefined ? "all" : compactTime(cycleMs)}`;
  checkId(id, "id");
  checkInterval(input.timeInterval, "timeInterval");
  checkBbox(input.bbox, "bbox");
  checkUrl(input.storeUrl, "storeUrl");
  for (const key of Object.keys(input.properties ?? {})) {
    if (RESERVED_PROPERTIES.has(key)) throw new CatalogInputError(`properties.${key}`, "is set from cycleTime/timeInterval");
  }
  const [start, end] = input.timeInterval;
  const item: StacItem = {
    type: "Feature",
    stac_version: STAC_VERSION,
    stac_extensions: input.cube ? [DATACUBE_EXTENSION] : [],
    id,
    collection: input.collectionId,
    geometry: input.geometry ?? bboxPolygon(input.bbox),
    bbox: input.bbox,
    properties: {
      ...(input.properties ?? {}),
      datetime: cycleMs === undefined ? null : new Date(cycleMs).toISOString(),
      start_datetime: new Date(parseInstant(start, "timeInterval[0]")).toISOString(),
      end_datetime: new Date(parseInstant(end, "timeInterval[1]")).toISOString(),
      ...(cycleMs === undefined ? {} : { "dmac:cycle_time": new Date(cycleMs).toISOString() }),
    },
    // STAC requires a collection link whenever `collection` is set.
    links: [{ rel: "collection", href: input.collectionHref ?? "./collection.json", type: "application/json" }],
    assets: {
      zarr: { href: input.storeUrl, type: ZARR_MEDIA_TYPE, title: input.title ?? `${id} (Zarr)`, roles: ["data", "zarr"] },
    },
  };
  if (input.title !== undefined) item.properties.title = input.title;
  if (input.cube) {
    item.properties["cube:dimensions"] = input.cube.dimensions;
    item.properties["cube:variables"] = input.cube.variables;
  }
  return item;
}

function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z").replace(/\d\dZ$/, "Z");
}
