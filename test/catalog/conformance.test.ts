// Conformance: every STAC document the API serves validates against the official STAC 1.0.0
// schemas (and datacube 2.2.0 where declared), and every class in conformsTo has a check here
// that exercises it. A class listed without a passing check fails this suite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFORMANCE_CLASSES } from "../../apps/catalog-api/conformance.js";
import { buildCycleItem } from "../../catalog/index.js";
import { catalogApiFixture } from "./api-fixture.js";
import { cbofsCollection } from "./fixtures.js";
import { loadStacValidators, schemaErrors } from "./stac-schemas.js";
import type { ApiFixture } from "./api-fixture.js";

const v = loadStacValidators();
let f: ApiFixture;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  f = await catalogApiFixture({ maxLimit: 100 });
  // One item carrying the datacube fields, so that branch of the schema is exercised too.
  const c = cbofsCollection();
  await f.store.upsertItems("cbofs", [
    buildCycleItem({
      collectionId: "cbofs", id: "cbofs-cube", cycleTime: "2026-10-01T00:00:00Z", timeInterval: ["2026-10-01T00:00:00Z", "2026-10-03T00:00:00Z"],
      bbox: [-77.3, 36.7, -75.5, 39.6], storeUrl: "s3://ioos-dmac/cbofs/cycles/cube.zarr", cube: { dimensions: c["cube:dimensions"] ?? {}, variables: c["cube:variables"] ?? {} },
    }),
  ]);
});
afterAll(async () => f?.close());

const get = async (url: string): Promise<{ status: number; body: Json }> => {
  const r = await f.app.inject({ url });
  return { status: r.statusCode, body: r.json() as Json };
};
const post = async (url: string, payload: Json): Promise<{ status: number; body: Json }> => {
  const r = await f.app.inject({ method: "POST", url, payload });
  return { status: r.statusCode, body: r.json() as Json };
};
const ids = (fc: Json): string[] => (fc.features as Json[]).map((i) => i.id as string);

function expectValidItem(item: Json): void {
  expect(schemaErrors(v.item, item), item.id).toBe("");
  if ((item.stac_extensions as string[]).some((e) => e.includes("datacube"))) expect(schemaErrors(v.datacube, item), item.id).toBe("");
}

describe("every STAC document served validates against the official schemas", () => {
  it("the landing page is a valid STAC Catalog", async () => {
    expect(schemaErrors(v.catalog, (await get("/")).body)).toBe("");
  });

  it("every collection is a valid STAC Collection with the datacube extension", async () => {
    const list = (await get("/collections")).body;
    expect(list.collections.length).toBeGreaterThan(0);
    for (const c of list.collections as Json[]) {
      expect(schemaErrors(v.collection, c), c.id).toBe("");
      expect(schemaErrors(v.datacube, c), c.id).toBe("");
      const one = (await get(`/collections/${c.id}`)).body;
      expect(schemaErrors(v.collection, one), c.id).toBe("");
      expect(schemaErrors(v.datacube, one), c.id).toBe("");
    }
  });

  it("every item from /search, /items and /items/{id} is a valid STAC Item", async () => {
    const all = (await get("/search?limit=100")).body;
    expect(all.features.length).toBe(36);
    for (const item of all.features as Json[]) expectValidItem(item);
    const posted = (await post("/search", { limit: 100, collections: ["cbofs"] })).body;
    for (const item of posted.features as Json[]) expectValidItem(item);
    for (const c of ["cbofs", "ngofs2"]) {
      const items = (await get(`/collections/${c}/items?limit=100`)).body;
      for (const item of items.features as Json[]) {
        expectValidItem(item);
        expectValidItem((await get(`/collections/${c}/items/${item.id}`)).body);
      }
    }
  });
});

const checks: Record<(typeof CONFORMANCE_CLASSES)[number], () => Promise<void>> = {
  "https://api.stacspec.org/v1.0.0/core": async () => {
    const { body } = await get("/");
    expect(body.conformsTo).toContain("https://api.stacspec.org/v1.0.0/core");
    expect((body.links as Json[]).map((l) => l.rel)).toEqual(expect.arrayContaining(["self", "root", "service-desc"]));
  },
  "https://api.stacspec.org/v1.0.0/collections": async () => {
    const { body } = await get("/collections");
    expect((body.collections as Json[]).map((c) => c.id)).toEqual(["cbofs", "ngofs2"]);
    expect((await get("/collections/cbofs")).body.id).toBe("cbofs");
  },
  "https://api.stacspec.org/v1.0.0/ogcapi-features": async () => {
    const { body } = await get("/collections/ngofs2/items?limit=2");
    expect(body.type).toBe("FeatureCollection");
    expect(body.features).toHaveLength(2);
    expect((await get(`/collections/ngofs2/items/${body.features[0].id}`)).body.id).toBe(body.features[0].id);
  },
  "https://api.stacspec.org/v1.0.0/ogcapi-features#fields": async () => {
    const { body } = await get("/collections/ngofs2/items?limit=1&fields=-assets");
    expect(body.features[0].assets).toBeUndefined();
    expect(body.features[0].properties).toBeDefined();
  },
  "https://api.stacspec.org/v1.0.0/ogcapi-features#sort": async () => {
    const asc = ids((await get("/collections/ngofs2/items?sortby=id")).body);
    expect(ids((await get("/collections/ngofs2/items?sortby=-id")).body)).toEqual([...asc].reverse());
  },
  "https://api.stacspec.org/v1.0.0/item-search": async () => {
    const bbox = (await get("/search?bbox=-90,28,-89,29&datetime=2026-11-01T00:00:00Z/2026-11-01T06:00:00Z&limit=100")).body;
    expect(ids(bbox).sort()).toEqual(["ngofs2-20261101T0000Z", "ngofs2-20261101T0600Z"]);
    const intersects = (await post("/search", { intersects: { type: "Point", coordinates: [-90, 29] }, ids: ["ngofs2-20261101T0000Z", "cbofs-20261101T0000Z"] })).body;
    expect(ids(intersects)).toEqual(["ngofs2-20261101T0000Z"]);
  },
  "https://api.stacspec.org/v1.0.0/item-search#fields": async () => {
    const { body } = await post("/search", { limit: 1, fields: { include: ["properties.datetime"], exclude: ["links"] } });
    expect(Object.keys(body.features[0].properties)).toEqual(["datetime"]);
    expect(body.features[0].links).toBeUndefined();
  },
  "https://api.stacspec.org/v1.0.0/item-search#sort": async () => {
    const { body } = await post("/search", { limit: 3, sortby: [{ field: "properties.dmac:cycle", direction: "desc" }, { field: "id", direction: "asc" }] });
    expect(ids(body)).toEqual(["cbofs-20261108T0600Z", "cbofs-20261108T0000Z", "cbofs-20261107T1800Z"]);
  },
  "https://api.stacspec.org/v1.0.0-rc.2/item-search#filter": async () => {
    const { body } = await post("/search", { filter: { op: "=", args: [{ property: "dmac:model" }, "FVCOM"] }, limit: 100 });
    expect(ids(body)).toHaveLength(5);
    const q = await get("/queryables");
    expect(q.body.properties.datetime).toBeDefined();
  },
  "https://api.stacspec.org/v1.0.0-rc.1/collection-search": async () => {
    expect((await get("/collections?limit=1")).body.collections).toHaveLength(1);
    expect((await get("/collections?bbox=-76.5,37,-76,38&datetime=2026-12-01T00:00:00Z/..")).body.collections).toHaveLength(2);
    expect((await get("/collections?bbox=0,0,1,1")).body.collections).toHaveLength(0);
    expect((await get("/collections?datetime=../2025-01-01T00:00:00Z")).body.collections).toHaveLength(0);
  },
  "https://api.stacspec.org/v1.0.0-rc.1/collection-search#free-text": async () => {
    expect((await get("/collections?q=ngofs2")).body.collections.map((c: Json) => c.id)).toEqual(["ngofs2"]);
  },
  "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core": async () => {
    expect((await get("/conformance")).body.conformsTo).toContain("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core");
    const items = (await get("/collections/cbofs/items?bbox=-76.5,37,-76,38&limit=3")).body;
    expect(items.features).toHaveLength(3);
    expect((items.links as Json[]).some((l) => l.rel === "next")).toBe(true);
  },
  "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson": async () => {
    const r = await f.app.inject({ url: "/collections/cbofs/items?limit=1" });
    expect(r.headers["content-type"]).toMatch(/^application\/geo\+json/);
  },
  "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter": async () => {
    expect((await get("/collections/cbofs/queryables")).body.$schema).toMatch(/json-schema/);
    expect((await get(`/search?filter=${encodeURIComponent("\"dmac:cycle\" = 3")}`)).body.features).toHaveLength(2);
  },
  "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter": async () => {
    expect(ids((await get(`/collections/cbofs/items?filter=${encodeURIComponent("\"dmac:cycle\" = 3")}`)).body)).toEqual(["cbofs-20261101T1800Z"]);
  },
  "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text": async () => {
    expect(ids((await get(`/search?filter-lang=cql2-text&filter=${encodeURIComponent("id = 'cbofs-cube'")}`)).body)).toEqual(["cbofs-cube"]);
  },
  "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json": async () => {
    const filter = JSON.stringify({ op: "=", args: [{ property: "id" }, "cbofs-cube"] });
    expect(ids((await get(`/search?filter-lang=cql2-json&filter=${encodeURIComponent(filter)}`)).body)).toEqual(["cbofs-cube"]);
  },
  "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2": async () => {
    const text = `("dmac:cycle" >= 2 AND "dmac:cycle" < 4 AND NOT "dmac:nowcast" = TRUE AND collection <> 'cbofs') OR id = 'cbofs-cube' OR "dmac:none" IS NOT NULL`;
    expect(ids((await get(`/search?filter=${encodeURIComponent(text)}&sortby=id`)).body)).toEqual(["cbofs-cube", "ngofs2-20261101T1800Z"]);
    expect(ids((await get(`/search?filter=${encodeURIComponent("datetime = TIMESTAMP('2026-10-01T00:00:00Z')")}`)).body)).toEqual(["cbofs-cube"]);
  },
  "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators": async () => {
    const text = `id LIKE 'ngofs2-%T0_00Z' AND "dmac:cycle" BETWEEN 0 AND 3 AND "dmac:hour" IN (0, 6)`;
    expect(ids((await get(`/search?filter=${encodeURIComponent(text)}&sortby=id`)).body)).toEqual(["ngofs2-20261101T0000Z", "ngofs2-20261101T0600Z"]);
  },
  "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions": async () => {
    expect(ids((await get(`/search?filter=${encodeURIComponent("S_INTERSECTS(geometry, POINT(-90 29))")}&limit=100`)).body)).toHaveLength(5);
    expect(ids((await get(`/search?filter=${encodeURIComponent("S_INTERSECTS(geometry, BBOX(0, 0, 1, 1))")}`)).body)).toHaveLength(0);
  },
};

describe("conformsTo lists only what passes", () => {
  it("has a check for exactly the listed classes", async () => {
    expect(Object.keys(checks).sort()).toEqual([...CONFORMANCE_CLASSES].sort());
    expect((await get("/conformance")).body.conformsTo).toEqual([...CONFORMANCE_CLASSES]);
  });
  it.each([...CONFORMANCE_CLASSES])("%s", async (cls) => {
    await checks[cls]();
  });
});
