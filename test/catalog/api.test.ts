// The STAC API through fastify inject(): every endpoint, paging, and the 400s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogApiFixture } from "./api-fixture.js";
import type { ApiFixture } from "./api-fixture.js";

interface Link { rel: string; href: string; method?: string; body?: Record<string, unknown>; merge?: boolean }
interface FeatureCollection { type: string; features: Array<{ id: string; collection: string; properties: Record<string, unknown>; links: Link[] }>; links: Link[]; numberReturned: number }

let f: ApiFixture;
beforeAll(async () => {
  f = await catalogApiFixture({ maxLimit: 50 });
});
afterAll(async () => f?.close());

const get = async <T = Record<string, unknown>>(url: string) => {
  const r = await f.app.inject({ url });
  return { status: r.statusCode, body: r.json() as T, type: String(r.headers["content-type"]) };
};
const post = async <T = Record<string, unknown>>(url: string, payload: unknown) => {
  const r = await f.app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
  return { status: r.statusCode, body: r.json() as T };
};
const path = (href: string) => href.replace(/^https?:\/\/[^/]+/, "");

describe("landing page and conformance", () => {
  it("links to every part of the API and each collection", async () => {
    const { status, body } = await get<{ type: string; links: Link[]; conformsTo: string[] }>("/");
    expect(status).toBe(200);
    expect(body.type).toBe("Catalog");
    const rels = body.links.map((l) => `${l.rel} ${l.method ?? ""}`.trim());
    expect(rels).toEqual(expect.arrayContaining(["self", "root", "conformance", "data", "search GET", "search POST", "service-desc", "child"]));
    expect(body.links.filter((l) => l.rel === "child").map((l) => path(l.href)).sort()).toEqual(["/collections/cbofs", "/collections/ngofs2"]);
    const conf = await get<{ conformsTo: string[] }>("/conformance");
    expect(conf.body.conformsTo).toEqual(body.conformsTo);
  });

  it("serves an OpenAPI document covering every route", async () => {
    const { body } = await get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>("/api");
    expect(body.openapi).toBe("3.1.0");
    for (const p of ["/", "/conformance", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/items", "/collections/{collectionId}/items/{itemId}", "/search", "/queryables"]) {
      expect(body.paths[p], p).toBeDefined();
    }
    expect(Object.keys(body.paths["/search"] ?? {}).sort()).toEqual(["get", "post"]);
  });
});

describe("collections", () => {
  it("lists, pages and finds collections by free text", async () => {
    const all = await get<{ collections: Array<{ id: string }>; links: Link[] }>("/collections");
    expect(all.body.collections.map((c) => c.id)).toEqual(["cbofs", "ngofs2"]);
    const first = await get<{ collections: Array<{ id: string }>; links: Link[] }>("/collections?limit=1");
    expect(first.body.collections.map((c) => c.id)).toEqual(["cbofs"]);
    const next = first.body.links.find((l) => l.rel === "next");
    expect(next).toBeDefined();
    const second = await get<{ collections: Array<{ id: string }>; links: Link[] }>(path(next!.href));
    expect(second.body.collections.map((c) => c.id)).toEqual(["ngofs2"]);
    expect(second.body.links.find((l) => l.rel === "next")).toBeUndefined();
    const q = await get<{ collections: Array<{ id: string }> }>("/collections?q=%22operational%20forecast%22,nothing");
    expect(q.body.collections).toHaveLength(2);
    const none = await get<{ collections: unknown[] }>("/collections?q=zzzz");
    expect(none.body.collections).toHaveLength(0);
  });

  it("serves one collection with its links, and a JSON 404 for an unknown one", async () => {
    const { body } = await get<{ id: string; links: Link[] }>("/collections/cbofs");
    expect(body.id).toBe("cbofs");
    expect(body.links.find((l) => l.rel === "items")?.href).toMatch(/\/collections\/cbofs\/items$/);
    const missing = await get<{ code: string; description: string }>("/collections/unknown");
    expect(missing.status).toBe(404);
    expect(missing.body.description).toMatch(/unknown/);
  });
});

describe("items and search", () => {
  it("pages through a collection's items with next links, each item once", async () => {
    const seen: string[] = [];
    let url: string | undefined = "/collections/cbofs/items?limit=7";
    while (url) {
      const page: { status: number; body: FeatureCollection; type: string } = await get<FeatureCollection>(url);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/application\/geo\+json/);
      seen.push(...page.body.features.map((i) => i.id));
      const next = page.body.links.find((l) => l.rel === "next");
      url = next ? path(next.href) : undefined;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(seen.every((id) => id.startsWith("cbofs-"))).toBe(true);
  });

  it("serves one item and 404s for an unknown one", async () => {
    const { body } = await get<{ id: string; links: Link[] }>("/collections/ngofs2/items/ngofs2-20261101T0000Z");
    expect(body.id).toBe("ngofs2-20261101T0000Z");
    expect(body.links.map((l) => l.rel)).toEqual(expect.arrayContaining(["self", "parent", "collection", "root"]));
    expect((await get("/collections/ngofs2/items/nope")).status).toBe(404);
  });

  it("clamps limit to the maximum", async () => {
    const { body } = await get<FeatureCollection>("/search?limit=100000");
    expect(body.features).toHaveLength(35 > 50 ? 50 : 35);
    const clamped = await get<FeatureCollection>("/search?limit=100000&collections=cbofs,ngofs2");
    expect(clamped.body.numberReturned).toBe(35);
    const small = await catalogPageCount("/search?limit=1000&sortby=id", 50);
    expect(small).toBe(35);
  });

  it("searches by bbox, datetime, ids, collections, sortby and fields with GET", async () => {
    const byBbox = await get<FeatureCollection>("/search?bbox=-90,28,-89,29&limit=50");
    expect(new Set(byBbox.body.features.map((i) => i.collection))).toEqual(new Set(["ngofs2"]));
    const byTime = await get<FeatureCollection>("/search?datetime=2026-11-08T00:00:00Z/..&limit=50");
    expect(byTime.body.features.every((i) => String(i.properties.end_datetime) >= "2026-11-08")).toBe(true);
    expect(byTime.body.features.length).toBeGreaterThan(0);
    const byIds = await get<FeatureCollection>("/search?ids=cbofs-20261101T0000Z,ngofs2-20261101T0000Z&collections=ngofs2");
    expect(byIds.body.features.map((i) => i.id)).toEqual(["ngofs2-20261101T0000Z"]);
    const sorted = await get<FeatureCollection>("/search?sortby=+dmac:cycle,-collection&limit=3");
    expect(sorted.body.features.map((i) => i.id)).toEqual(["ngofs2-20261101T0000Z", "cbofs-20261101T0000Z", "ngofs2-20261101T0600Z"]);
    const fields = await get<FeatureCollection>("/search?limit=1&fields=properties.dmac:model,-geometry");
    const feature = fields.body.features[0] as unknown as Record<string, unknown>;
    expect(Object.keys(feature.properties as object)).toEqual(["dmac:model"]);
    expect(feature.geometry).toBeUndefined();
    expect(feature.id).toBeDefined();
  });

  it("filters with CQL2 text and CQL2 JSON on GET and POST, and on the items endpoint", async () => {
    const text = await get<FeatureCollection>(`/search?filter=${encodeURIComponent(`"dmac:model" = 'FVCOM' AND "dmac:cycle" BETWEEN 1 AND 2`)}`);
    expect(text.body.features.map((i) => i.id).sort()).toEqual(["ngofs2-20261101T0600Z", "ngofs2-20261101T1200Z"]);
    const json = await get<FeatureCollection>(`/search?filter-lang=cql2-json&filter=${encodeURIComponent(JSON.stringify({ op: "in", args: [{ property: "id" }, ["cbofs-20261101T0000Z"]] }))}`);
    expect(json.body.features.map((i) => i.id)).toEqual(["cbofs-20261101T0000Z"]);
    const postText = await post<FeatureCollection>("/search", { "filter-lang": "cql2-text", filter: "id LIKE 'ngofs2%'", limit: 50 });
    expect(postText.body.features).toHaveLength(5);
    const items = await get<FeatureCollection>(`/collections/cbofs/items?filter=${encodeURIComponent("S_INTERSECTS(geometry, POINT(-90 29))")}`);
    expect(items.body.features).toHaveLength(0);
  });

  it("pages a POST search through next links that carry the body with merge", async () => {
    const body = { collections: ["cbofs"], limit: 12, sortby: [{ field: "id", direction: "asc" }] };
    const seen: string[] = [];
    let request: Record<string, unknown> | undefined = body;
    while (request) {
      const page: { status: number; body: FeatureCollection } = await post<FeatureCollection>("/search", request);
      expect(page.status).toBe(200);
      seen.push(...page.body.features.map((i) => i.id));
      const next = page.body.links.find((l) => l.rel === "next");
      if (next) {
        expect(next).toMatchObject({ method: "POST", merge: true });
        request = { ...body, ...next.body };
      } else request = undefined;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(30);
  });
});

describe("bad requests are JSON 400s naming the parameter", () => {
  it.each([
    ["/search?bbox=1,2,3", "bbox"],
    ["/search?bbox=a,b,c,d", "bbox"],
    ["/search?bbox=0,10,1,5", "bbox"],
    ["/search?datetime=yesterday", "datetime"],
    ["/search?datetime=2026-11-05T00:00:00Z/2026-11-01T00:00:00Z", "datetime"],
    ["/search?datetime=../..", "datetime"],
    ["/search?intersects=%7Bnot%20json", "intersects"],
    ["/search?intersects=%7B%22type%22%3A%22Polygon%22%2C%22coordinates%22%3A%5B%5B%5B0%2C0%5D%2C%5B1%2C1%5D%5D%5D%7D", "intersects"],
    ["/search?bbox=0,0,1,1&intersects=%7B%22type%22%3A%22Point%22%2C%22coordinates%22%3A%5B0%2C0%5D%7D", "bbox"],
    ["/search?limit=0", "limit"],
    ["/search?limit=ten", "limit"],
    ["/search?token=garbage!", "token"],
    ["/search?sortby=%3Bdrop", "sortby"],
    ["/search?filter=S_INTERSECTS(geometry%2C%20POLYGON((0%200%2C%201%201)))", "filter"],
    ["/search?filter=x%20%3D", "filter"],
    ["/search?filter-lang=sql", "filter-lang"],
    ["/search?filter=datetime%20%3E%20TIMESTAMP('soon')", "filter"],
    ["/search?ids=a%20b", "ids[0]"],
    ["/collections?limit=-1", "limit"],
    ["/collections?bbox=1,2,3", "bbox"],
    ["/collections?datetime=soon", "datetime"],
    ["/collections?q=" + "x".repeat(600), "q"],
  ])("GET %s", async (url, param) => {
    const r = await get<{ code: string; description: string }>(url);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/application\/json/);
    expect(r.body.description.startsWith(`${param}`)).toBe(true);
  });

  it.each([
    [{ bbox: [0, 0, 1] }, "bbox"],
    [{ bbox: [0, 0, 1, 1], intersects: { type: "Point", coordinates: [0, 0] } }, "bbox"],
    [{ intersects: { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }, "intersects"],
    [{ datetime: "2026-13-01T00:00:00Z" }, "datetime"],
    [{ limit: "lots" }, "body"],
    [{ filter: { op: "frobnicate", args: [] } }, "filter"],
    [{ filter: { op: "=", args: [{ property: "id" }, 3] } }, "filter"],
    [{ sortby: [{ field: "id", direction: "sideways" }] }, "sortby[0].direction"],
    [{ fields: { include: [7] } }, "fields.include"],
    [{ intersects: "POINT(0 0)" }, "body"],
  ])("POST %j", async (payload, param) => {
    const r = await post<{ code: string; description: string }>("/search", payload);
    expect(r.status).toBe(400);
    expect(r.body.description.startsWith(param)).toBe(true);
  });

  it("answers malformed JSON bodies with a JSON 400", async () => {
    const r = await f.app.inject({ method: "POST", url: "/search", headers: { "content-type": "application/json" }, payload: "{not json" });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toHaveProperty("description");
  });
});

async function catalogPageCount(url: string, max: number): Promise<number> {
  let count = 0;
  let next: string | undefined = url;
  while (next) {
    const page: { body: FeatureCollection } = await get<FeatureCollection>(next);
    expect(page.body.features.length).toBeLessThanOrEqual(max);
    count += page.body.features.length;
    const link = page.body.links.find((l) => l.rel === "next");
    next = link ? path(link.href) : undefined;
  }
  return count;
}
