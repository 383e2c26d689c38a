// The data API's request and response schemas: every route declares them, fastify validates
// requests with them and serializes answers with them, and /api (OpenAPI 3.0) is built from them.
// Responses allow additional properties: EDR and CoverageJSON documents carry fields (extensions,
// per-parameter metadata) a strict serializer would drop.
import { errorResponseSchema } from "./errors.js";
import { MEDIA_TYPES } from "./collection.js";
import { OUTPUT_FORMATS } from "./query/params.js";

const open = (required: readonly string[], properties: Record<string, unknown> = {}) => ({ type: "object", required, additionalProperties: true, properties }) as const;

const link = open(["href", "rel"], { href: { type: "string" }, rel: { type: "string" }, type: { type: "string" }, title: { type: "string" } });
export const linkList = { type: "array", items: link } as const;

export const collectionParams = {
  type: "object",
  required: ["collectionId"],
  properties: { collectionId: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", description: "collection (dataset) id" } },
} as const;

export const passthroughParams = {
  type: "object",
  required: ["collectionId", "*"],
  // Any id: one that is not a served dataset is a 404 like any unknown key, before the store is touched.
  properties: { collectionId: { type: "string", description: "dataset id" }, "*": { type: "string", description: "a key of the store: v2 .zmetadata, <array>/.zarray|.zattrs, <array>/i.j.k; v3 zarr.json, <array>/zarr.json, <array>/c/i/j/k" } },
} as const;

/**
 * One query parameter. Values arrive as text and are parsed by query/params.ts, which answers a
 * 400 naming the parameter; a parameter given twice arrives as a list, which the parser refuses
 * by name too, so the schema takes both.
 */
const text = (description: string) => ({ description, anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] }) as const;

const common = {
  datetime: text("RFC 3339 instant, or an interval start/end with open ends as '..'"),
  "parameter-name": text("comma-separated parameter names (default: all)"),
  z: text("level, level list, min/max interval, or Rn/first/step"),
  crs: text("CRS84 or EPSG:4326 (positions are lon lat either way)"),
  f: text(`output format: ${OUTPUT_FORMATS.join(", ")} (default CoverageJSON)`),
} as const;

export const queryStrings = {
  position: { type: "object", properties: { coords: text("required: Well Known Text POINT(lon lat) or MULTIPOINT((lon lat),...)"), ...common } },
  area: { type: "object", properties: { coords: text("required: Well Known Text POLYGON((lon lat, ...))"), ...common } },
  cube: { type: "object", properties: { bbox: text("required: minx,miny,maxx,maxy (lon/lat; minx > maxx crosses the antimeridian)"), ...common } },
} as const;

const errors = (description: string) => ({ ...errorResponseSchema, description }) as const;

/** The answers of a data query, one schema per media type (f=CoverageJSON, CSV, GeoJSON). */
export const dataResponses = {
  200: {
    description: "the data",
    content: {
      [MEDIA_TYPES.CoverageJSON]: { schema: open(["type"], { type: { type: "string", enum: ["Coverage", "CoverageCollection"] }, domain: { type: "object", additionalProperties: true }, parameters: { type: "object", additionalProperties: true }, ranges: { type: "object", additionalProperties: true }, coverages: { type: "array", items: { type: "object", additionalProperties: true } } }) },
      [MEDIA_TYPES.CSV]: { schema: { type: "string" } },
      [MEDIA_TYPES.GeoJSON]: { schema: open(["type", "features"], { type: { type: "string", enum: ["FeatureCollection"] }, features: { type: "array", items: { type: "object", additionalProperties: true } } }) },
    },
  },
  400: errors("a query parameter is invalid; the description names it"),
  404: errors("no such collection, or nothing matches"),
  413: errors("the answer would exceed the limit the description states"),
} as const;

export const landingResponse = open(["title", "links"], { title: { type: "string" }, description: { type: "string" }, links: linkList });
export const conformanceResponse = { type: "object", required: ["conformsTo"], properties: { conformsTo: { type: "array", items: { type: "string" } } } } as const;
export const openApiResponse = { type: "object", additionalProperties: true, description: "this OpenAPI 3.0 document" } as const;

const collection = open(["id", "links", "extent", "data_queries"], {
  id: { type: "string" },
  title: { type: "string" },
  description: { type: "string" },
  links: linkList,
  extent: { type: "object", additionalProperties: true },
  data_queries: { type: "object", additionalProperties: true },
  crs: { type: "array", items: { type: "string" } },
  output_formats: { type: "array", items: { type: "string" } },
  parameter_names: { type: "object", additionalProperties: true },
});
export const collectionResponse = { 200: collection, 404: errors("no such collection") } as const;
export const collectionsResponse = { 200: open(["links", "collections"], { links: linkList, collections: { type: "array", items: collection } }) } as const;

export const datasetIdsResponse = { 200: { type: "array", items: { type: "string" }, description: "dataset ids (XREDS / xpublish style)" } } as const;
export const datasetResponse = {
  200: open(["id", "title", "grids", "parameters", "zarrFormat", "links"], {
    id: { type: "string" },
    title: { type: "string" },
    description: { type: "string" },
    grids: { type: "array", items: open(["kind", "lon", "lat", "dims", "shape"], { kind: { type: "string" }, lon: { type: "string" }, lat: { type: "string" }, dims: { type: "array", items: { type: "string" } }, shape: { type: "array", items: { type: "integer" } }, mask: { type: "string" } }) },
    parameters: { type: "array", items: { type: "string" } },
    zarrFormat: { type: "integer", enum: [2, 3], description: "2: consolidated .zmetadata; 3: root zarr.json with the consolidated metadata inline" },
    links: linkList,
  }),
  404: errors("no such dataset"),
} as const;
export const passthroughResponse = {
  200: { description: "the stored object: a metadata document or a chunk as stored", content: { "application/json": { schema: { type: "object", additionalProperties: true } }, "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
  404: errors("no such key (a chunk never written reads as the fill value)"),
} as const;
export const probeResponse = { 200: { type: "object", required: ["status"], properties: { status: { type: "string" } } }, 503: errors("not ready") } as const;
