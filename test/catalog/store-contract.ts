// The behaviour every catalog store backend must show, run against PGlite and PostgreSQL.
// Results are checked against a plain JavaScript evaluation of the same query over the
// fixture items.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogInputError, createCatalogStore, parseItemSearch } from "../../catalog/index.js";
import { cbofsCollection, cycleItems } from "./fixtures.js";
import type { CatalogStore, SqlClient, StacItem } from "../../catalog/index.js";

const NGOFS_BBOX: [number, number, number, number] = [-97.5, 27.5, -88, 30.8];
const ALEUTIAN_BBOX: [number, number, number, number] = [170, 50, 179.5, 55];

export function catalogStoreContract(backend: string, openClient: () => Promise<SqlClient>): void {
  describe(`catalog store on ${backend}`, () => {
    let store: CatalogStore;
    const all: StacItem[] = [...cycleItems("cbofs", 40), ...cycleItems("ngofs2", 12, { bbox: NGOFS_BBOX, model: "FVCOM" }), ...cycleItems("aleutians", 4, { bbox: ALEUTIAN_BBOX })];
    const search = async (raw: Record<string, unknown>, from: "query" | "body" = "query") => {
      const { search: s } = parseItemSearch(raw, from, { defaultLimit: 1000, maxLimit: 1000 });
      const page = await store.searchItems(s);
      return page.records.map((r) => r.id);
    };
    const ids = (pred: (i: StacItem) => boolean) => all.filter(pred).map((i) => i.id).sort();
    const prop = (i: StacItem, k: string) => i.properties[k];

    beforeAll(async () => {
      store = await createCatalogStore(await openClient());
      for (const id of ["cbofs", "ngofs2", "aleutians"]) await store.upsertCollection(cbofsCollection(id));
      for (const id of ["cbofs", "ngofs2", "aleutians"]) await store.upsertItems(id, all.filter((i) => i.collection === id));
    });
    afterAll(async () => store?.close());

    it("round-trips a collection, keeping only links that do not depend on where it is served", async () => {
      const license = { rel: "license", href: "https://creativecommons.org/publicdomain/zero/1.0/" };
      const c = { ...cbofsCollection("roundtrip"), links: [license, { rel: "self", href: "http://elsewhere/x" }] };
      await store.upsertCollection(c);
      expect(await store.getCollection("roundtrip")).toEqual({ ...c, links: [license] });
      await store.upsertCollection({ ...c, title: "changed" });
      expect((await store.getCollection("roundtrip"))?.title).toBe("changed");
      expect(await store.deleteCollection("roundtrip")).toBe(true);
      expect(await store.getCollection("roundtrip")).toBeUndefined();
      expect(await store.deleteCollection("roundtrip")).toBe(false);
    });

    it("deleting a collection removes its items", async () => {
      await store.upsertCollection(cbofsCollection("temp"));
      await store.upsertItems("temp", cycleItems("temp", 3));
      expect(await search({ collections: "temp" })).toHaveLength(3);
      await store.deleteCollection("temp");
      expect(await search({ collections: "temp" })).toHaveLength(0);
    });

    it("writes no item of a batch when one is bad, and names the bad field", async () => {
      await store.upsertCollection(cbofsCollection("batch"));
      const items = cycleItems("batch", 3);
      const bad = { ...items[2], properties: { ...items[2]?.properties, start_datetime: "not a time" } } as StacItem;
      await expect(store.upsertItems("batch", [items[0] as StacItem, items[1] as StacItem, bad])).rejects.toThrow(/items\[2\]\.properties\.start_datetime/);
      expect(await search({ collections: "batch" })).toHaveLength(0);
      await expect(store.upsertItems("nonexistent", items)).rejects.toBeInstanceOf(CatalogInputError);
      await store.deleteCollection("batch");
    });

    it("upserting an item again replaces it; deleteItems removes the named ones", async () => {
      await store.upsertCollection(cbofsCollection("cycles"));
      const items = cycleItems("cycles", 4);
      await store.upsertItems("cycles", items);
      const first = items[0] as StacItem;
      await store.upsertItems("cycles", [{ ...first, properties: { ...first.properties, "dmac:model": "changed" } }]);
      expect((await store.getItem("cycles", first.id))?.properties["dmac:model"]).toBe("changed");
      expect(await store.deleteItems("cycles", [first.id, "missing"])).toBe(1);
      expect(await store.deleteItems("cycles")).toBe(3);
      await store.deleteCollection("cycles");
    });

    it("searches by bbox, including across the antimeridian", async () => {
      expect((await search({ bbox: "-76.5,37,-76,38" })).sort()).toEqual(ids((i) => i.collection === "cbofs"));
      expect((await search({ bbox: "-90,28,-89,29" })).sort()).toEqual(ids((i) => i.collection === "ngofs2"));
      expect((await search({ bbox: "179,51,-179,52" })).sort()).toEqual(ids((i) => i.collection === "aleutians"));
      expect(await search({ bbox: "0,0,1,1" })).toEqual([]);
      expect((await search({ bbox: "-100,0,-50,-50,40,10" })).sort()).toEqual(ids((i) => i.collection !== "aleutians"));
    });

    it("matches items stored in 0..360 longitudes with -180..180 queries and the other way round", async () => {
      await store.upsertCollection(cbofsCollection("rtofs"));
      await store.upsertItems("rtofs", cycleItems("rtofs", 2, { bbox: [260, 20, 300, 50] }));
      expect((await search({ bbox: "-90,30,-89,31", collections: "rtofs" })).sort()).toEqual(["rtofs-20261101T0000Z", "rtofs-20261101T0600Z"]);
      expect(await search({ intersects: { type: "Point", coordinates: [-50, 30] }, collections: ["rtofs"] }, "body")).toEqual([]);
      expect((await search({ filter: "S_INTERSECTS(geometry, POINT(-70 40)) AND collection = 'rtofs'" })).sort()).toEqual(["rtofs-20261101T0000Z", "rtofs-20261101T0600Z"]);
      await store.deleteCollection("rtofs");
      expect((await search({ bbox: "270,28,271,29" })).sort()).toEqual(ids((i) => i.collection === "ngofs2"));
    });

    it("searches by intersects with exact polygon overlap, not just bounding boxes", async () => {
      // A triangle whose bbox covers the CBOFS box corner but whose area stays outside it.
      const miss = { type: "Polygon", coordinates: [[[-78, 36], [-77.4, 36], [-78, 40], [-78, 36]]] };
      expect(await search({ intersects: miss }, "body")).toEqual([]);
      const hit = { type: "Polygon", coordinates: [[[-78, 36], [-76, 36], [-78, 40], [-78, 36]]] };
      expect((await search({ intersects: hit }, "body")).sort()).toEqual(ids((i) => i.collection === "cbofs"));
      expect((await search({ intersects: JSON.stringify({ type: "Point", coordinates: [-90, 29] }) })).sort()).toEqual(ids((i) => i.collection === "ngofs2"));
      const line = { type: "LineString", coordinates: [[-100, 29], [-80, 29]] };
      expect((await search({ intersects: line }, "body")).sort()).toEqual(ids((i) => i.collection === "ngofs2"));
    });

    it("searches by datetime instants and (open) intervals over the item time range", async () => {
      const inRange = (a: string, b: string) => (i: StacItem) => String(prop(i, "start_datetime")) <= b && String(prop(i, "end_datetime")) >= a;
      expect((await search({ datetime: "2026-11-05T00:00:00Z" })).sort()).toEqual(ids(inRange("2026-11-05T00:00:00.000Z", "2026-11-05T00:00:00.000Z")));
      expect((await search({ datetime: "2026-11-08T00:00:00Z/.." })).sort()).toEqual(ids(inRange("2026-11-08T00:00:00.000Z", "9999")));
      expect((await search({ datetime: "../2026-11-01T03:00:00Z" })).sort()).toEqual(ids(inRange("0000", "2026-11-01T03:00:00.000Z")));
      expect((await search({ datetime: "2026-11-02T00:00:00Z/2026-11-02T12:00:00Z" })).sort()).toEqual(ids(inRange("2026-11-02T00:00:00.000Z", "2026-11-02T12:00:00.000Z")));
    });

    it("filters by ids and collections", async () => {
      expect(await search({ ids: "cbofs-20261101T0600Z,ngofs2-20261101T0600Z", collections: "cbofs" })).toEqual(["cbofs-20261101T0600Z"]);
      expect((await search({ collections: ["ngofs2", "aleutians"] }, "body")).sort()).toEqual(ids((i) => i.collection !== "cbofs"));
    });

    const filters: Array<[string, unknown, (i: StacItem) => boolean]> = [
      ["=", `"dmac:model" = 'FVCOM'`, (i) => prop(i, "dmac:model") === "FVCOM"],
      ["<>", `"dmac:model" <> 'FVCOM'`, (i) => prop(i, "dmac:model") !== "FVCOM"],
      ["< and >=", `"dmac:cycle" < 5 AND "dmac:cycle" >= 2`, (i) => Number(prop(i, "dmac:cycle")) < 5 && Number(prop(i, "dmac:cycle")) >= 2],
      ["boolean", `"dmac:nowcast" = FALSE`, (i) => prop(i, "dmac:nowcast") === false],
      ["like", `id LIKE 'ngofs2-202611_1%'`, (i) => /^ngofs2-202611.1/.test(i.id)],
      ["not like", `id NOT LIKE 'cbofs%'`, (i) => !i.id.startsWith("cbofs")],
      ["in", `collection IN ('aleutians', 'ngofs2') AND "dmac:hour" IN (0, 18)`, (i) => i.collection !== "cbofs" && [0, 18].includes(Number(prop(i, "dmac:hour")))],
      ["between", `"dmac:cycle" BETWEEN 10 AND 12`, (i) => Number(prop(i, "dmac:cycle")) >= 10 && Number(prop(i, "dmac:cycle")) <= 12],
      ["timestamp", `datetime >= TIMESTAMP('2026-11-10T00:00:00Z')`, (i) => String(prop(i, "datetime")) >= "2026-11-10T00:00:00.000Z"],
      ["date and or", `end_datetime < DATE('2026-11-04') OR "dmac:cycle" = 39`, (i) => String(prop(i, "end_datetime")) < "2026-11-04" || prop(i, "dmac:cycle") === 39],
      ["is null", `"dmac:missing" IS NULL AND NOT "dmac:cycle" IS NULL`, () => true],
      ["s_intersects", `S_INTERSECTS(geometry, POLYGON((-91 28, -89 28, -89 29, -91 28)))`, (i) => i.collection === "ngofs2"],
      ["s_intersects bbox", `S_INTERSECTS(geometry, BBOX(-76.5, 37, -76, 38))`, (i) => i.collection === "cbofs"],
      ["t_intersects", `T_INTERSECTS(datetime, INTERVAL('2026-11-09T00:00:00Z', '..'))`, (i) => String(prop(i, "end_datetime")) >= "2026-11-09T00:00:00.000Z"],
      ["json", { op: "and", args: [{ op: "=", args: [{ property: "collection" }, "cbofs"] }, { op: "between", args: [{ property: "dmac:cycle" }, 3, 4] }] }, (i) => i.collection === "cbofs" && [3, 4].includes(Number(prop(i, "dmac:cycle")))],
      ["json s_intersects", { op: "s_intersects", args: [{ property: "geometry" }, { type: "Point", coordinates: [175, 52] }] }, (i) => i.collection === "aleutians"],
      ["json t_intersects", { op: "t_intersects", args: [{ property: "datetime" }, { interval: ["..", "2026-11-01T01:00:00Z"] }] }, (i) => String(prop(i, "start_datetime")) <= "2026-11-01T01:00:00.000Z"],
      ["type-safe", `"dmac:model" = 5`, () => false],
    ];
    it.each(filters)("CQL2 filter: %s", async (_name, filter, pred) => {
      const from = typeof filter === "string" ? "query" : "body";
      expect((await search({ filter }, from)).sort()).toEqual(ids(pred));
    });

    it("sorts and pages without repeating or skipping items", async () => {
      const expected = [...all].sort((a, b) => Number(prop(b, "dmac:cycle")) - Number(prop(a, "dmac:cycle")) || a.collection!.localeCompare(b.collection!) || a.id.localeCompare(b.id)).map((i) => i.id);
      const seen: string[] = [];
      let token: string | undefined;
      for (let n = 0; n < 20; n++) {
        const { search: s } = parseItemSearch({ sortby: "-dmac:cycle", limit: "7", ...(token ? { token } : {}) }, "query", { defaultLimit: 10, maxLimit: 100 });
        const page = await store.searchItems(s);
        seen.push(...page.records.map((r) => r.id));
        if (!page.hasMore) break;
        token = Buffer.from(JSON.stringify({ o: s.offset + s.limit })).toString("base64url");
      }
      expect(seen).toEqual(expected);
      expect(await search({ sortby: [{ field: "id", direction: "asc" }] }, "body")).toEqual(all.map((i) => i.id).sort());
    });

    it("finds collections by free text in title, description or keywords", async () => {
      const byQ = async (q: string[]) => (await store.listCollections({ q, limit: 100, offset: 0 })).records.map((c) => c.id).sort();
      expect(await byQ(["CHESAPEAKE"])).toEqual(["aleutians", "cbofs", "ngofs2"]);
      expect(await byQ(["ngofs"])).toEqual(["ngofs2"]);
      expect(await byQ(["100%"])).toEqual([]);
      expect(await byQ(["nothing-like-this", "aleut"])).toEqual(["aleutians"]);
    });

    it("finds collections by the bbox and datetime of their extent", async () => {
      const base = cbofsCollection("extent");
      await store.upsertCollection({ ...base, extent: { spatial: { bbox: [[170, 50, -170, 60]] }, temporal: { interval: [["2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z"]] } } });
      const find = async (s: { bbox?: [number, number, number, number]; datetime?: { start: string | null; end: string | null } }) =>
        (await store.listCollections({ limit: 100, offset: 0, ...s })).records.map((c) => c.id).sort();
      // The fixture collections span 2026-11-01 onwards, open-ended.
      expect(await find({ datetime: { start: "2020-06-01T00:00:00.000Z", end: "2020-06-02T00:00:00.000Z" } })).toEqual(["extent"]);
      expect(await find({ datetime: { start: "2030-01-01T00:00:00.000Z", end: null } })).toEqual(["aleutians", "cbofs", "ngofs2"]);
      expect(await find({ bbox: [-76.5, 37, -76, 38] })).toEqual(["aleutians", "cbofs", "ngofs2"]);
      expect(await find({ bbox: [175, 55, 176, 56] })).toEqual(["extent"]);
      expect(await find({ bbox: [0, 0, 1, 1] })).toEqual([]);
      expect(await find({ bbox: [175, 55, 176, 56], datetime: { start: "2021-01-01T00:00:00.000Z", end: null } })).toEqual([]);
      await store.deleteCollection("extent");
    });
  });
}
