// The OpenAPI 3.0 document served at /api: every route, its parameters and responses.
import { OUTPUT_FORMATS } from "./query/params.js";

type Json = Record<string, unknown>;

const error = (description: string): Json => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const json = (description: string): Json => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const collectionId: Json = { name: "collectionId", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" } };

const common: Json[] = [
  { name: "datetime", in: "query", required: false, description: "RFC 3339 instant, or interval start/end with open ends as '..'", schema: { type: "string" } },
  { name: "parameter-name", in: "query", required: false, description: "comma-separated parameter names (default: all)", schema: { type: "string" } },
  { name: "z", in: "query", required: false, description: "level, level list, min/max interval, or Rn/first/step", schema: { type: "string" } },
  { name: "crs", in: "query", required: false, description: "CRS84 or EPSG:4326; positions are lon lat either way", schema: { type: "string", enum: ["CRS84", "EPSG:4326", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326"] } },
  { name: "f", in: "query", required: false, description: "output format", schema: { type: "string", enum: [...OUTPUT_FORMATS], default: "CoverageJSON" } },
];

const dataResponses: Json = {
  "200": {
    description: "the data",
    content: { "application/prs.coverage+json": { schema: { type: "object" } }, "text/csv": { schema: { type: "string" } }, "application/geo+json": { schema: { type: "object" } } },
  },
  "400": error("a query parameter is invalid; the description names it"),
  "404": error("no such collection, or nothing matches"),
  "413": error("the answer would exceed the limit the description states"),
};

function query(summary: string, first: Json): Json {
  return { get: { summary, parameters: [collectionId, first, ...common], responses: dataResponses } };
}

export function openApiDocument(base: string, title: string): Json {
  return {
    openapi: "3.0.3",
    info: { title, version: "1.0.0", description: "OGC API - Environmental Data Retrieval 1.1 (core, collections, position, area, cube) over Zarr stores, with an XREDS-style dataset listing and a read-only Zarr passthrough." },
    servers: [{ url: base }],
    paths: {
      "/": { get: { summary: "landing page", responses: { "200": json("links to the API") } } },
      "/api": { get: { summary: "this OpenAPI document", responses: { "200": json("OpenAPI 3.0") } } },
      "/conformance": { get: { summary: "conformance classes", responses: { "200": json("conformsTo") } } },
      "/collections": { get: { summary: "the collections (one per Zarr dataset)", responses: { "200": json("collections") } } },
      "/collections/{collectionId}": { get: { summary: "one collection's metadata", parameters: [collectionId], responses: { "200": json("collection"), "404": error("no such collection") } } },
      "/collections/{collectionId}/position": query("values at the grid cells nearest to points", { name: "coords", in: "query", required: true, description: "WKT POINT(lon lat) or MULTIPOINT((lon lat),...)", schema: { type: "string" } }),
      "/collections/{collectionId}/area": query("values at the grid cells inside a polygon", { name: "coords", in: "query", required: true, description: "WKT POLYGON((lon lat, ...))", schema: { type: "string" } }),
      "/collections/{collectionId}/cube": query("values at the grid cells inside a bounding box", { name: "bbox", in: "query", required: true, description: "minx,miny,maxx,maxy (lon/lat; minx > maxx crosses the antimeridian)", schema: { type: "string" } }),
      "/datasets": { get: { summary: "dataset ids (XREDS / xpublish style)", responses: { "200": { description: "ids", content: { "application/json": { schema: { type: "array", items: { type: "string" } } } } } } } },
      "/datasets/{collectionId}": { get: { summary: "one dataset: grids, parameters, links", parameters: [collectionId], responses: { "200": json("dataset"), "404": error("no such dataset") } } },
      "/datasets/{collectionId}/zarr/{key}": {
        get: {
          summary: "read-only Zarr v2 passthrough: .zmetadata, .zattrs/.zarray of known arrays, and chunks",
          parameters: [collectionId, { name: "key", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "the stored object", content: { "application/json": {}, "application/octet-stream": {} } }, "404": error("no such key (missing chunks read as fill value)") },
        },
      },
    },
    components: { schemas: { Error: { type: "object", required: ["code", "description"], properties: { code: { type: "string" }, description: { type: "string" } } } } },
  };
}
