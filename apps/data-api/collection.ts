// EDR collection documents (OGC API - EDR 1.1, 8.2 "Collections"): extent (spatial, temporal,
// vertical), the data queries offered with their output formats and CRS, and the parameters.
import type { OpenedDataset } from "./dataset.js";
import { wrapLon } from "./geometry.js";
import { parameterInfo } from "./query/extract.js";
import { CRS84, OUTPUT_FORMATS } from "./query/params.js";
import { isoTime } from "./encode/numbers.js";
import { cellLonLat } from "./query/select.js";

type Json = Record<string, unknown>;

export const MEDIA_TYPES = { CoverageJSON: "application/prs.coverage+json", CSV: "text/csv", GeoJSON: "application/geo+json" } as const;

export const TRS_GREGORIAN = 'TIMECRS["DateTime",TDATUM["Gregorian Calendar"],CS[TemporalDateTime,1],AXIS["Time (T)",future]]';
export const WKT_CRS84 =
  'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],CS[ellipsoidal,2],AXIS["geodetic longitude (Lon)",east,ANGLEUNIT["degree",0.0174532925199433]],AXIS["geodetic latitude (Lat)",north,ANGLEUNIT["degree",0.0174532925199433]],ID["OGC","CRS84"]]';

type BBox4 = [number, number, number, number];
// Sorting every cell's longitude is the costly part of a collection document on a large grid;
// an opened dataset's grid never changes, so its box is worked out once.
const bboxes = new WeakMap<OpenedDataset, BBox4>();

/** Bounding box of the wet cells, longitudes in -180..180 (a box crossing the antimeridian has minx > maxx). */
export function spatialBBox(ds: OpenedDataset): BBox4 {
  let box = bboxes.get(ds);
  if (box === undefined) {
    box = computeBBox(ds);
    bboxes.set(ds, box);
  }
  return box;
}

function computeBBox(ds: OpenedDataset): BBox4 {
  let miny = Infinity;
  let maxy = -Infinity;
  const lons: number[] = [];
  for (const grid of ds.grids.values())
    for (let c = 0; c < grid.cells; c++) {
      if (grid.wet[c] === 0) continue;
      const [x, y] = cellLonLat(grid, c);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      miny = Math.min(miny, y);
      maxy = Math.max(maxy, y);
      lons.push(wrapLon(x));
    }
  if (lons.length === 0) return [-180, -90, 180, 90];
  // A Float64Array sorts numerically without a comparator callback.
  const sorted = Float64Array.from(lons).sort();
  // The box is the circle minus its largest gap between neighbouring longitudes.
  let gap = (sorted[0] ?? 0) + 360 - (sorted[sorted.length - 1] ?? 0);
  let minx = sorted[0] ?? -180;
  let maxx = sorted[sorted.length - 1] ?? 180;
  for (let i = 1; i < sorted.length; i++) {
    const g = (sorted[i] ?? 0) - (sorted[i - 1] ?? 0);
    if (g > gap) {
      gap = g;
      minx = sorted[i] ?? 0;
      maxx = sorted[i - 1] ?? 0;
    }
  }
  return [minx, miny, maxx, maxy];
}

function allTimes(ds: OpenedDataset): number[] {
  const set = new Set<number>();
  for (const t of ds.times.values()) for (const v of t) set.add(v);
  return [...set].sort((a, b) => a - b);
}

function dataQuery(base: string, id: string, type: "position" | "area" | "cube", title: string, extra: Json): Json {
  return {
    [type]: {
      link: {
      href: `${base}/collections/${id}/${type}`,
      rel: "data",
      title,
      variables: {
        title,
        query_type: type,
        output_formats: [...OUTPUT_FORMATS],
        default_output_format: "CoverageJSON",
        crs_details: [{ crs: "CRS84", wkt: WKT_CRS84 }],
        ...extra,
      },
      },
    },
  };
}

export function collectionDocument(ds: OpenedDataset, base: string): Json {
  const id = ds.id;
  const times = allTimes(ds);
  const temporal: Json =
    times.length > 0 ? { interval: [[isoTime(times[0] ?? 0), isoTime(times[times.length - 1] ?? 0)]], ...(times.length <= 1000 ? { values: times.map(isoTime) } : {}), trs: TRS_GREGORIAN } : {};
  const levels = [...ds.levels.values()];
  const vertical: Json | undefined =
    levels.length > 0
      ? (() => {
          const all = levels.flatMap((l) => l.values);
          return {
            // EDR's extent.vertical schema has interval bounds and values as strings.
            interval: [[String(Math.min(...all)), String(Math.max(...all))]],
            values: [...new Set(all)].sort((a, b) => a - b).map(String),
            vrs: levels.map((l) => `${l.name}${l.isIndex ? " (level index)" : ""}${l.units !== undefined ? ` [${l.units}]` : ""}`).join("; "),
          };
        })()
      : undefined;
  const parameterNames: Json = {};
  for (const p of ds.model.parameters) {
    const info = parameterInfo(p);
    parameterNames[p.name] = {
      type: "Parameter",
      id: p.name,
      label: info.description,
      description: info.description,
      "data-type": info.dataType,
      ...(info.units !== undefined ? { unit: { label: info.units, symbol: info.units } } : {}),
      observedProperty: {
        ...(info.standardName !== undefined ? { id: `http://vocab.nerc.ac.uk/standard_name/${encodeURIComponent(info.standardName)}/` } : {}),
        label: info.standardName ?? info.description,
      },
    };
  }
  const self = `${base}/collections/${id}`;
  return {
    id,
    title: ds.title,
    description: ds.description,
    keywords: ["ocean model", ...ds.model.grids.map((g) => `${g.kind} grid`)],
    links: [
      { href: self, rel: "self", type: "application/json", title: ds.title },
      { href: `${base}/collections`, rel: "collection", type: "application/json" },
      ds.format === 3
        ? { href: `${base}/datasets/${id}/zarr/zarr.json`, rel: "alternate", type: "application/json", title: "Zarr v3 store (consolidated metadata inline)" }
        : { href: `${base}/datasets/${id}/zarr/.zmetadata`, rel: "alternate", type: "application/json", title: "Zarr v2 store (consolidated metadata)" },
    ],
    extent: {
      spatial: { bbox: [spatialBBox(ds)], crs: CRS84 },
      temporal,
      ...(vertical !== undefined ? { vertical } : {}),
    },
    data_queries: {
      ...dataQuery(base, id, "position", "Position query (nearest grid cell)", { coords: "Well Known Text POINT or MULTIPOINT, lon lat" }),
      ...dataQuery(base, id, "area", "Area query (grid cells inside a polygon)", { coords: "Well Known Text POLYGON, lon lat" }),
      ...dataQuery(base, id, "cube", "Cube query (grid cells inside a bbox)", { bbox: "minx,miny,maxx,maxy (lon/lat)" }),
      // Station observations (featureType timeSeries) are also served by station id (routes/locations.ts).
      ...(String(ds.model.attrs["featureType"] ?? "").toLowerCase() === "timeseries"
        ? { locations: { link: { href: `${self}/locations`, rel: "data", title: "Locations (the stations)", variables: { title: "Locations query", query_type: "locations", output_formats: [...OUTPUT_FORMATS], default_output_format: "CoverageJSON" } } } }
        : {}),
    },
    crs: ["CRS84", "EPSG:4326"],
    output_formats: [...OUTPUT_FORMATS],
    parameter_names: parameterNames,
  };
}
