// The data API's pure parts: the sphere k-d tree against brute force, the LRU's bounds,
// box reads through the chunk cache against the data plane's readRegion, and the parsers.
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { FileStore, readConsolidated, readRegion } from "../../dataplane/index.js";
import { SphereIndex, unitVector } from "../../apps/data-api/spatial-index.js";
import { LruCache } from "../../apps/data-api/lru.js";
import { ChunkCache } from "../../apps/data-api/chunk-cache.js";
import { inBBox, inPolygon, wrapLon } from "../../apps/data-api/geometry.js";
import { parseWkt } from "../../apps/data-api/query/wkt.js";
import { parseBBox, parseDatetime, parseZ } from "../../apps/data-api/query/params.js";
import { makeRegularStore } from "./stores.js";
import { tempDir } from "../dataplane/fixtures.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

const tmp = tempDir("dmac-data-api-units-");
afterAll(() => tmp.cleanup());

describe("SphereIndex", () => {
  it("finds the same nearest cell as brute force, across the antimeridian and 0..360", () => {
    const r = rng(7);
    const n = 5000;
    // Half the cells in 0..360, half in -180..180: the same places written both ways.
    const lon = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? r() * 360 : r() * 360 - 180));
    const lat = Float64Array.from({ length: n }, () => r() * 170 - 85);
    const wet = (c: number) => c % 7 !== 0;
    const index = new SphereIndex(lon, lat, wet);
    for (let q = 0; q < 500; q++) {
      const qlon = r() * 720 - 360;
      const qlat = r() * 180 - 90;
      const u = unitVector(qlon, qlat);
      let best = -1;
      let bestD = Infinity;
      for (let c = 0; c < n; c++) {
        if (!wet(c)) continue;
        const v = unitVector(lon[c] ?? 0, lat[c] ?? 0);
        const d = (v[0] - u[0]) ** 2 + (v[1] - u[1]) ** 2 + (v[2] - u[2]) ** 2;
        if (d < bestD) [best, bestD] = [c, d];
      }
      expect(index.nearest(qlon, qlat)?.index).toBe(best);
    }
  });
  it("skips cells that are not finite and answers undefined when empty", () => {
    expect(new SphereIndex([NaN], [0]).nearest(0, 0)).toBeUndefined();
    const hit = new SphereIndex([359.5, 10], [0, 0]).nearest(-0.4, 0);
    expect(hit?.index).toBe(0);
    expect(hit?.distanceDeg).toBeCloseTo(0.1, 6);
  });
});

describe("LruCache", () => {
  it("evicts the least recently used by count and by bytes", () => {
    const lru = new LruCache<string, Uint8Array>({ maxEntries: 3, maxBytes: 100, sizeOf: (v) => v.byteLength });
    lru.set("a", new Uint8Array(10));
    lru.set("b", new Uint8Array(10));
    lru.set("c", new Uint8Array(10));
    lru.get("a");
    lru.set("d", new Uint8Array(10));
    expect(["a", "b", "c", "d"].filter((k) => lru.has(k))).toEqual(["a", "c", "d"]);
    lru.set("e", new Uint8Array(85));
    // Four entries > 3 drops "a"; 105 bytes > 100 drops "c".
    expect(["a", "c", "d", "e"].filter((k) => lru.has(k))).toEqual(["d", "e"]);
    expect(lru.totalBytes).toBe(95);
    lru.set("huge", new Uint8Array(101));
    expect(lru.has("huge")).toBe(false);
    expect(lru.deleteWhere((k) => k === "e")).toBe(1);
    expect(lru.totalBytes).toBe(10);
  });
});

describe("ChunkCache", () => {
  it("box reads equal readRegion for random boxes, and a second read is all hits", async () => {
    const path = await makeRegularStore(join(tmp.path, "r.zarr"), [5, 7, 12]);
    const store = new FileStore(path);
    const meta = (await readConsolidated(store))?.hierarchy.arrays["temp"]?.meta;
    if (meta === undefined) throw new Error("no temp");
    const cache = new ChunkCache(1 << 24);
    const r = rng(3);
    for (let k = 0; k < 40; k++) {
      const start = meta.shape.map((n) => Math.floor(r() * n));
      const count = start.map((s, d) => 1 + Math.floor(r() * ((meta.shape[d] ?? 1) - s)));
      const ours = await cache.read({ scope: "t#0" }, { store, path: "temp", meta, format: 2 }, start, count);
      const theirs = await readRegion({ store, path: "temp", meta, format: 2 }, start, count);
      expect(Array.from(ours)).toEqual(Array.from(theirs, Number));
    }
    const misses = cache.misses;
    await cache.read({ scope: "t#0" }, { store, path: "temp", meta, format: 2 }, [0, 0, 0, 0], meta.shape);
    expect(cache.misses).toBe(misses);
    expect(cache.dropScope("t#")).toBeGreaterThan(0);
    expect(cache.bytes).toBe(0);
  });
});

describe("geometry", () => {
  it("wraps longitudes and tests boxes and polygons in either convention", () => {
    expect(wrapLon(280)).toBe(-80);
    expect(wrapLon(-181)).toBe(179);
    expect(inBBox(280, 10, { minx: -81, miny: 9, maxx: -79, maxy: 11 })).toBe(true);
    expect(inBBox(-179.5, 0, { minx: 179, miny: -1, maxx: -179, maxy: 1 })).toBe(true);
    expect(inBBox(0, 0, { minx: 179, miny: -1, maxx: -179, maxy: 1 })).toBe(false);
    const square = [[[-81, 9], [-79, 9], [-79, 11], [-81, 11], [-81, 9]]] as Array<Array<[number, number]>>;
    expect(inPolygon(280, 10, square)).toBe(true);
    expect(inPolygon(100, 10, square)).toBe(false);
  });
});

describe("parsers", () => {
  it("WKT: the three geometries, both MULTIPOINT spellings, errors naming coords", () => {
    expect(parseWkt("POINT(-76.4 37.05)")).toEqual({ type: "Point", coordinates: [-76.4, 37.05] });
    expect(parseWkt("multipoint((1 2), (3 4))")).toEqual(parseWkt("MULTIPOINT(1 2, 3 4)"));
    expect(parseWkt("POLYGON((0 0, 1 0, 1 1, 0 0),(0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))").coordinates).toHaveLength(2);
    for (const bad of ["POINT()", "POINT(1 2", "POINT(a b)", "POLYGON((0 0, 1 1, 0 0))", "POINT(1e999 0)", "MULTIPOINT((1 2),(3))", "CIRCLE(1 2)"]) expect(() => parseWkt(bad)).toThrow(/^coords: /);
  });
  it("bbox, datetime and z", () => {
    expect(parseBBox("-80,9,0,-79,11,50")).toEqual({ minx: -80, miny: 9, maxx: -79, maxy: 11, minz: 0, maxz: 50 });
    expect(parseDatetime("2023-10-22T06:00:00+02:00")).toEqual({ kind: "instant", at: Date.UTC(2023, 9, 22, 4) });
    expect(parseDatetime("../2023-10-22")).toEqual({ kind: "interval", start: -Infinity, end: Date.UTC(2023, 9, 22) });
    expect(parseZ("R3/0/10")).toEqual({ kind: "levels", values: [0, 10, 20] });
    expect(parseZ("-1/0")).toEqual({ kind: "interval", min: -1, max: 0 });
    expect(() => parseDatetime("2023-10-22T06:00")).toThrow(/^datetime: "2023-10-22T06:00" is not an RFC 3339 date-time/);
    expect(() => parseDatetime("2023-10-22/2023-10-21")).toThrow(/^datetime: /);
    expect(() => parseBBox("1,2,3,4,5")).toThrow(/^bbox: expected 4 or 6 numbers, got 5/);
  });
});
