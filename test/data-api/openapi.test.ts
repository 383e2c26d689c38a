// The data API's OpenAPI document is generated from the schemas its routes declare, and what the
// routes answer matches those schemas: every documented 200 response of a sample of requests
// validates against its own schema in /api (ajv), and every route is documented.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";
import { ingest } from "../../dataplane/index.js";
import { buildDataApi } from "../../apps/data-api/index.js";
import { romsFile, tempDir, type CycleFile } from "../dataplane/fixtures.js";
import { CYCLE } from "./stores.js";

type Json = Record<string, unknown>;
const tmp = tempDir("dmac-data-api-openapi-");
let app: FastifyInstance;
let doc: { openapi: string; paths: Record<string, Record<string, { summary?: string; parameters: Json[]; responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>> };

beforeAll(async () => {
  const forecast = (hours: number[]): CycleFile[] => hours.map((hour) => ({ cycle: CYCLE, kind: "f" as const, hour }));
  const store = join(tmp.path, "roms.zarr");
  await ingest({ store, inputs: forecast([1, 2]).map((f) => romsFile(join(tmp.path, "src"), f)), concurrency: 0 });
  app = await buildDataApi({ datasets: [{ id: "cbofs", url: store }], baseUrl: "https://data.example.org/edr" });
  doc = (await app.inject("/api")).json();
});
afterAll(async () => {
  await app?.close();
  tmp.cleanup();
});

const q = (wkt: string) => encodeURIComponent(wkt);
const ajv = new Ajv({ strict: false, allErrors: true });

/** The documented 200 schema of `path` for `mediaType`. */
function schemaOf(path: string, mediaType = "application/json"): Json {
  const content = doc.paths[path]?.get?.responses["200"]?.content ?? {};
  const schema = content[mediaType]?.schema;
  if (schema === undefined) throw new Error(`${path}: no documented 200 schema for ${mediaType} (has ${Object.keys(content).join(", ")})`);
  return schema;
}

describe("data API OpenAPI from the route schemas", () => {
  it("is OpenAPI 3.0 (EDR oas30) and documents every route with a summary and a 200 answer", () => {
    expect(doc.openapi).toBe("3.0.3");
    const paths = Object.keys(doc.paths).sort();
    expect(paths).toEqual([
      "/", "/api", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/area", "/collections/{collectionId}/cube",
      "/collections/{collectionId}/locations", "/collections/{collectionId}/locations/{locationId}", "/collections/{collectionId}/locations/{locationId}/compare", "/collections/{collectionId}/position",
      "/conformance", "/datasets", "/datasets/{collectionId}", "/datasets/{collectionId}/zarr/{key}", "/healthz", "/readyz",
    ]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(ops.get?.summary, path).toBeTruthy();
      expect(ops.get?.responses["200"], path).toBeDefined();
    }
  });

  it("documents each query's parameters from its querystring schema, and its error answers", () => {
    const names = (path: string) => (doc.paths[path]?.get?.parameters ?? []).map((p) => `${String(p.in)}:${String(p.name)}`).sort();
    expect(names("/collections/{collectionId}/position")).toEqual(["path:collectionId", "query:coords", "query:crs", "query:datetime", "query:f", "query:parameter-name", "query:z"]);
    expect(names("/collections/{collectionId}/cube")).toContain("query:bbox");
    expect(names("/datasets/{collectionId}/zarr/{key}")).toEqual(["path:collectionId", "path:key"]);
    const cube = doc.paths["/collections/{collectionId}/cube"]?.get;
    for (const status of ["400", "404", "413"]) expect(cube?.responses[status], status).toBeDefined();
    expect(Object.keys(cube?.responses["200"]?.content ?? {}).sort()).toEqual(["application/geo+json", "application/prs.coverage+json", "text/csv"]);
  });

  for (const [path, url, mediaType] of [
    ["/", "/", undefined],
    ["/conformance", "/conformance", undefined],
    ["/collections", "/collections", undefined],
    ["/collections/{collectionId}", "/collections/cbofs", undefined],
    ["/collections/{collectionId}/position", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta`, "application/prs.coverage+json"],
    ["/collections/{collectionId}/area", `/collections/cbofs/area?coords=${q("POLYGON((-76.5 37,-76.3 37,-76.3 37.1,-76.5 37.1,-76.5 37))")}&parameter-name=temp&f=GeoJSON`, "application/geo+json"],
    ["/collections/{collectionId}/cube", `/collections/cbofs/cube?bbox=-76.5,37,-76.3,37.1&parameter-name=zeta&f=CSV`, "text/csv"],
    ["/datasets", "/datasets", undefined],
    ["/datasets/{collectionId}", "/datasets/cbofs", undefined],
    ["/healthz", "/healthz", undefined],
  ] as const) {
    it(`${url.split("?")[0]}${url.includes("?") ? " (query)" : ""}: the answer validates against its documented schema`, async () => {
      const res = await app.inject(url);
      expect(res.statusCode, res.body).toBe(200);
      const body = mediaType === "text/csv" ? res.body : res.json();
      const validate = ajv.compile(schemaOf(path, mediaType));
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    });
  }

  it("the serializer keeps every field of a CoverageJSON answer (the schemas are open)", async () => {
    const res = await app.inject(`/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta`);
    const cov = res.json();
    expect(Object.keys(cov.parameters.zeta)).toEqual(expect.arrayContaining(["type", "observedProperty"]));
    expect(cov.ranges.zeta.values.length).toBeGreaterThan(0);
    expect(cov.domain.referencing.length).toBeGreaterThan(0);
  });
});
