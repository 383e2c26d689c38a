// The data API through inject() and over a real socket: landing, conformance, OpenAPI,
// collection metadata, the three queries in each format, errors (400 naming the parameter,
// 404, 413 with the limit), the Zarr passthrough, and cache invalidation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ingest } from "../../dataplane/index.js";
import { buildDataApi, serveDataApi, parseStoreArgs } from "../../apps/data-api/index.js";
import { buildTestStores, testDatasets, type TestStores } from "./stores.js";

let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await buildTestStores();
  app = await buildDataApi({ datasets: testDatasets(stores), maxValues: 5000, baseUrl: "https://data.example.org/edr" });
});
afterAll(async () => {
  await app?.close();
  stores?.cleanup();
});

const q = (wkt: string) => encodeURIComponent(wkt);

describe("landing, conformance, OpenAPI", () => {
  it("landing page links to the API description, conformance and collections", async () => {
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    const rels = res.json().links.map((l: { rel: string; href: string }) => `${l.rel} ${l.href}`);
    expect(rels).toEqual(expect.arrayContaining(["service-desc https://data.example.org/edr/api", "conformance https://data.example.org/edr/conformance", "data https://data.example.org/edr/collections"]));
  });
  it("conformance lists EDR 1.1 core, collections and the encodings", async () => {
    const c = (await app.inject("/conformance")).json().conformsTo as string[];
    for (const cls of ["core", "collections", "json", "covjson", "oas30"]) expect(c).toContain(`http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/${cls}`);
    // Claimed only with /locations, which is not served.
    expect(c).not.toContain("http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/geojson");
  });
  it("OpenAPI document at /api describes every query path", async () => {
    const res = await app.inject("/api");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/openapi/);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.0/);
    for (const p of ["/collections/{collectionId}/position", "/collections/{collectionId}/area", "/collections/{collectionId}/cube", "/datasets/{collectionId}/zarr/{key}"]) expect(doc.paths[p]).toBeDefined();
    expect(doc.paths["/collections/{collectionId}/cube"].get.responses["413"]).toBeDefined();
  });
});

describe("collections", () => {
  it("lists one collection per store with the required EDR metadata", async () => {
    const body = (await app.inject("/collections")).json();
    expect(body.collections.map((c: { id: string }) => c.id).sort()).toEqual(["cbofs", "ngofs2", "regular", "rtofs"]);
    for (const c of body.collections) {
      expect(c.links.some((l: { rel: string }) => l.rel === "self")).toBe(true);
      expect(c.extent.spatial.bbox[0]).toHaveLength(4);
      expect(c.extent.temporal.interval[0]).toHaveLength(2);
      expect(Object.keys(c.data_queries).sort()).toEqual(["area", "cube", "position"]);
      expect(c.data_queries.position.link.variables.query_type).toBe("position");
      expect(c.output_formats).toEqual(["CoverageJSON", "CSV", "GeoJSON"]);
      expect(c.crs).toContain("CRS84");
      expect(Object.keys(c.parameter_names).length).toBeGreaterThan(0);
    }
  });
  it("ROMS: parameters on the rho grid, vertical extent from s_rho, times decoded", async () => {
    const c = (await app.inject("/collections/cbofs")).json();
    expect(Object.keys(c.parameter_names).sort()).toEqual(["salt", "temp", "zeta"]);
    expect(c.parameter_names.zeta.unit.symbol).toBe("meter");
    expect(c.extent.temporal.values).toEqual(["2023-10-22T01:00:00Z", "2023-10-22T02:00:00Z", "2023-10-22T03:00:00Z", "2023-10-22T04:00:00Z"]);
    expect(c.extent.vertical.values).toHaveLength(3);
    expect(c.extent.vertical.interval[0].every((v: unknown) => typeof v === "string")).toBe(true);
  });
  it("RTOFS 0..360 longitudes: the bbox is in -180..180", async () => {
    const [minx, , maxx] = (await app.inject("/collections/rtofs")).json().extent.spatial.bbox[0];
    expect(minx).toBeCloseTo(-80, 3);
    expect(maxx).toBeCloseTo(-79.6, 3);
  });
  it("regular grid over the whole globe", async () => {
    const [minx, miny, maxx, maxy] = (await app.inject("/collections/regular")).json().extent.spatial.bbox[0];
    expect([miny, maxy]).toEqual([-10, 10]);
    expect(maxx - minx).toBeGreaterThan(350);
  });
  it("unknown collection is a JSON 404", async () => {
    const res = await app.inject("/collections/nope");
    expect(res.statusCode).toBe(404);
    expect(res.json().description).toContain("nope");
  });
  it("XREDS-style listing and per-dataset document", async () => {
    expect((await app.inject("/datasets")).json()).toEqual(["cbofs", "ngofs2", "regular", "rtofs"]);
    const d = (await app.inject("/datasets/ngofs2")).json();
    expect(d.grids.map((g: { kind: string }) => g.kind)).toEqual(["unstructured", "unstructured"]);
  });
});

describe("queries and formats", () => {
  it("position: CSV has one row per value with the parameter named", async () => {
    const res = await app.inject(`/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta&f=CSV`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    const lines = res.body.trim().split("\r\n");
    expect(lines[0]).toBe("parameter,datetime,x,y,z,value");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^zeta,2023-10-22T01:00:00Z,-76\.3\d*,37\.05,,-?\d/);
  });
  it("cube: GeoJSON features inside the bbox only", async () => {
    const res = await app.inject("/collections/cbofs/cube?bbox=-76.46,36.99,-76.38,37.06&parameter-name=zeta&f=GeoJSON");
    expect(res.statusCode).toBe(200);
    const fc = res.json();
    expect(fc.type).toBe("FeatureCollection");
    expect(fc.features.length).toBeGreaterThan(0);
    for (const f of fc.features) {
      const [x, y] = f.geometry.coordinates;
      expect(x).toBeGreaterThanOrEqual(-76.46);
      expect(x).toBeLessThanOrEqual(-76.38);
      expect(y).toBeGreaterThanOrEqual(36.99);
      expect(y).toBeLessThanOrEqual(37.06);
      expect(f.properties.zeta).toHaveLength(4);
    }
  });
  it("cube across the antimeridian on a 0..360 grid (minx > maxx)", async () => {
    const fc = (await app.inject("/collections/regular/cube?bbox=179,-1,-179,1&parameter-name=sst&f=GeoJSON")).json();
    // Only the grid's lon 180 column lies in 179..181; only lat 0 in -1..1.
    const points = fc.features.map((f: { geometry: { coordinates: number[] } }) => f.geometry.coordinates);
    expect(points).toEqual([[180, 0]]);
  });
  it("area: only the polygon's cells; a hole removes cells", async () => {
    const outer = "(-7 -5, 7 -5, 7 5, -7 5, -7 -5)";
    const full = (await app.inject(`/collections/regular/area?coords=${q(`POLYGON(${outer})`)}&parameter-name=sst&f=GeoJSON`)).json();
    const holed = (await app.inject(`/collections/regular/area?coords=${q(`POLYGON(${outer},(-1 -1, 1 -1, 1 1, -1 1, -1 -1))`)}&parameter-name=sst&f=GeoJSON`)).json();
    expect(full.features.length).toBe(7 * 5); // lon -6..6 step 2, lat -4..4 step 2
    expect(holed.features.length).toBe(full.features.length - 1); // (0, 0) is in the hole
  });
  it("datetime instant and interval select time steps; z picks the nearest level", async () => {
    const one = (await app.inject(`/collections/regular/position?coords=${q("POINT(0 0)")}&parameter-name=temp&datetime=2023-10-22T02:00:00Z&z=12`)).json();
    expect(one.domain.axes.t.values).toEqual(["2023-10-22T02:00:00Z"]);
    expect(one.domain.axes.z.values).toEqual([10]);
    const some = (await app.inject(`/collections/regular/position?coords=${q("POINT(0 0)")}&parameter-name=sst&datetime=../2023-10-22T01:30:00Z`)).json();
    expect(some.domain.axes.t.values).toEqual(["2023-10-22T00:00:00Z", "2023-10-22T01:00:00Z"]);
  });
  it("a cube at levels far apart (ROMS bottom and surface) equals the cubes of each level", async () => {
    const cube = (z: string) => app.inject(`/collections/cbofs/cube?bbox=-76.5,36.9,-76.1,37.3&parameter-name=temp&z=${z}&f=CSV`);
    const rows = (body: string) => body.trim().split(/\r?\n/).slice(1);
    const both = await cube("-0.8333,-0.1667");
    expect(both.statusCode).toBe(200);
    const [bottom, surface] = await Promise.all([cube("-0.8333"), cube("-0.1667")]);
    const z = (row: string) => row.split(",")[4];
    expect(new Set(rows(both.body).map(z)).size).toBe(2);
    expect(rows(both.body).sort()).toEqual([...rows(bottom.body), ...rows(surface.body)].sort());
  });
  it("crs EPSG:4326 is accepted, others are not", async () => {
    expect((await app.inject(`/collections/regular/position?coords=${q("POINT(0 0)")}&crs=EPSG:4326`)).statusCode).toBe(200);
    const bad = await app.inject(`/collections/regular/position?coords=${q("POINT(0 0)")}&crs=EPSG:3857`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().description).toMatch(/^crs: /);
  });
});

describe("errors", () => {
  it.each([
    ["coords", `/collections/cbofs/position?coords=${q("POINT(1)")}`],
    ["coords", `/collections/cbofs/position?coords=${q("LINESTRING(1 2, 3 4)")}`],
    ["coords", `/collections/cbofs/position?coords=${q("POINT(10 95)")}`],
    ["coords", `/collections/cbofs/area?coords=${q("POLYGON((0 0, 1 0, 1 1, 0 0.5))")}`],
    ["coords", `/collections/cbofs/area?coords=${q("POINT(0 0)")}`],
    ["coords", "/collections/cbofs/position"],
    ["bbox", "/collections/cbofs/cube?bbox=1,2,3"],
    ["bbox", "/collections/cbofs/cube?bbox=1,2,x,4"],
    ["bbox", "/collections/cbofs/cube?bbox=0,10,1,5"],
    ["bbox", "/collections/cbofs/cube"],
    ["datetime", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&datetime=yesterday`],
    ["datetime", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&datetime=2023-02-30T00:00:00Z`],
    ["datetime", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&datetime=2023-10-23T00:00:00Z/2023-10-22T00:00:00Z`],
    ["datetime", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&datetime=../..`],
    ["parameter-name", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta,nope`],
    ["z", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&z=abc`],
    ["z", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta&z=1`],
    ["f", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&f=xml`],
    ["coords", `/collections/cbofs/position?coords=${q("POINT(0 0)")}&coords=${q("POINT(1 1)")}`],
  ])("400 naming %s", async (parameter, url) => {
    const res = await app.inject(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json().code).toBe("InvalidParameterValue");
    expect(res.json().description.startsWith(`${parameter}: `)).toBe(true);
  });
  it("413 says the limit when the answer would be too large", async () => {
    const res = await app.inject("/collections/regular/cube?bbox=0,-10,359,10");
    expect(res.statusCode).toBe(413);
    expect(res.json().description).toContain("the limit is 5000 values");
  });
  it("404 when an area holds no water cell", async () => {
    const res = await app.inject(`/collections/cbofs/area?coords=${q("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))")}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().description).toMatch(/^coords: /);
  });
});

describe("Zarr passthrough", () => {
  it("serves .zmetadata and chunks byte for byte", async () => {
    const meta = await app.inject("/datasets/cbofs/zarr/.zmetadata");
    expect(meta.statusCode).toBe(200);
    expect(meta.body).toBe(readFileSync(join(stores.roms, ".zmetadata"), "utf8"));
    const chunk = await app.inject("/datasets/cbofs/zarr/zeta/1.0.0");
    expect(chunk.statusCode).toBe(200);
    expect(chunk.headers["content-type"]).toBe("application/octet-stream");
    expect(Buffer.compare(chunk.rawPayload, readFileSync(join(stores.roms, "zeta", "1.0.0")))).toBe(0);
    expect((await app.inject("/datasets/cbofs/zarr/zeta/.zarray")).json().shape).toEqual([4, 5, 7]);
  });
  it.each([
    "/datasets/cbofs/zarr/../roms.zarr/.zmetadata",
    "/datasets/cbofs/zarr/%2e%2e/%2e%2e/etc/passwd",
    "/datasets/cbofs/zarr/zeta/..%2f..%2fregular.zarr%2f.zmetadata",
    "/datasets/cbofs/zarr/zeta/9.0.0",
    "/datasets/cbofs/zarr/zeta/0.0",
    "/datasets/cbofs/zarr/zeta/00.0.0",
    "/datasets/cbofs/zarr/nope/.zarray",
    "/datasets/cbofs/zarr/zeta/.zmetadata",
    "/datasets/cbofs/zarr//etc/passwd",
    "/datasets/cbofs/zarr/zeta%5c..%5c..%5cx",
    "/datasets/..%2fcbofs/zarr/.zmetadata",
  ])("%s is a 404 and reads nothing", async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
  });
});

describe("cache invalidation", () => {
  it("invalidate(id) reopens the store: a newly ingested time step appears", async () => {
    const api = await buildDataApi({ datasets: [{ id: "cbofs", url: stores.roms }], revalidateMs: 3_600_000 });
    try {
      const before = (await api.inject(`/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta`)).json();
      expect(before.domain.axes.t.values).toHaveLength(4);
      await ingest({ store: stores.roms, inputs: [stores.romsLater[0] as string], concurrency: 0 });
      // Without the hook (and with revalidation far away), the cached answer stays.
      expect((await api.inject(`/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta`)).json().domain.axes.t.values).toHaveLength(4);
      api.dataApi.invalidate("cbofs");
      const after = (await api.inject(`/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta`)).json();
      expect(after.domain.axes.t.values).toHaveLength(5);
      expect(after.ranges.zeta.values.slice(0, 4)).toEqual(before.ranges.zeta.values);
      expect(api.dataApi.registry.chunks.entries).toBeGreaterThan(0);
    } finally {
      await api.close();
    }
  });
  it("the .zmetadata check notices a commit nobody announced", async () => {
    const api = await buildDataApi({ datasets: [{ id: "cbofs", url: stores.roms }], revalidateMs: 0 });
    try {
      const n = (await api.inject("/collections/cbofs")).json().extent.temporal.values.length;
      await ingest({ store: stores.roms, inputs: [stores.romsLater[1] as string], concurrency: 0 });
      expect((await api.inject("/collections/cbofs")).json().extent.temporal.values.length).toBe(n + 1);
    } finally {
      await api.close();
    }
  });
});

describe("over a real socket", () => {
  it("serveDataApi listens on a free port and answers EDR queries", async () => {
    const server = await serveDataApi({ port: 0, datasets: parseStoreArgs([`rtofs=file://${stores.rtofs}`]) });
    try {
      const res = await fetch(`${server.url}/collections/rtofs/position?coords=${q("POINT(280.1 10.1)")}&parameter-name=ssh`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/prs\.coverage\+json/);
      const doc = (await res.json()) as { domain: { axes: { x: { values: number[] } } } };
      expect(doc.domain.axes.x.values[0]).toBeCloseTo(-79.92, 2);
    } finally {
      await server.close();
    }
  });
  it("--store arguments must be id=url", () => {
    expect(() => parseStoreArgs(["cbofs"])).toThrow(/--store "cbofs": expected id=url/);
    expect(() => parseStoreArgs(["a=/x.zarr", "a=/y.zarr"])).toThrow(/dataset id a given twice/);
    expect(() => parseStoreArgs([])).toThrow(/^--store: /);
  });
});
