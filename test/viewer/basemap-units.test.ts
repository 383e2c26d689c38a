// The base map's pure parts and its server route: Natural Earth rings from world-atlas, the
// point-on-land test the CBOFS sample's mask comes from (checked against places whose side of the
// coast is known), ring tracing with culling and pixel thinning, the scale bar's round lengths,
// and the TopoJSON files the viewer serves from its own origin.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { buildViewer } from "../../apps/viewer/index.js";
import { landResolution, scaleBar, traceLand } from "../../apps/viewer/src/basemap.js";
import { landFromTopology, landTest, type Land, type LandTopology } from "../../apps/viewer/src/land.js";
import { fitView } from "../../apps/viewer/src/view.js";

const require = createRequire(import.meta.url);
const topology = (r: "50m" | "10m") => require(`world-atlas/land-${r}.json`) as LandTopology;
const land10 = landFromTopology(topology("10m"), "10m");
const land50 = landFromTopology(topology("50m"), "50m");

describe("land", () => {
  it("turns the TopoJSON into closed rings with their boxes", () => {
    expect(land10.rings.length).toBeGreaterThan(land50.rings.length);
    for (const r of land50.rings) expect([r[r.length - 2], r[r.length - 1]]).toEqual([r[0], r[1]]);
    expect(land50.boxes.length).toBe(land50.rings.length * 4);
  });

  it.each([
    ["Dover, Delaware", -75.52, 39.16, true],
    ["Richmond, Virginia", -77.44, 37.54, true],
    ["the Chesapeake Bay off Tangier Island", -76.1, 37.75, false],
    ["the bay mouth", -76.05, 37.0, false],
    ["the Atlantic off Ocean City", -74.8, 38.3, false],
    ["New Orleans", -90.07, 29.95, true],
    ["the Gulf of Mexico south of Louisiana", -90.5, 28.2, false],
    ["Lake Pontchartrain", -90.1, 30.2, false],
  ])("%s (%f, %f) is land: %s", (_name, lon, lat, expected) => {
    for (const land of [land10, land50]) expect(landTest(land, [-98, 24, -74, 41])(lon, lat)).toBe(expected);
  });
});

describe("drawing", () => {
  const path = () => {
    const calls = { move: 0, line: 0, close: 0 };
    return { calls, ctx: { moveTo: () => void calls.move++, lineTo: () => void calls.line++, closePath: () => void calls.close++ } };
  };

  it("traces only the rings in view, and fewer points when zoomed out", () => {
    const bay = fitView([-77.5, 36.7, -75.5, 39.7], 800, 600);
    const near = path();
    const rings = traceLand(near.ctx, land10, bay);
    expect(rings).toBeGreaterThan(0);
    expect(rings).toBeLessThan(land10.rings.length / 10);
    expect(near.calls.move).toBe(rings);
    const world = fitView([-180, -85, 180, 85], 800, 600);
    const far = path();
    traceLand(far.ctx, land10, world);
    const all = land10.rings.reduce((n, r) => n + r.length / 2, 0);
    expect(far.calls.line).toBeLessThan(all / 5);
  });

  it("draws a 0..360 view with the land shifted by 360 degrees", () => {
    const shifted = path();
    const plain = path();
    expect(traceLand(shifted.ctx, land50, fitView([360 - 77.5, 36.7, 360 - 75.5, 39.7], 800, 600))).toBe(traceLand(plain.ctx, land50, fitView([-77.5, 36.7, -75.5, 39.7], 800, 600)));
  });

  it("chooses 1:10m above 100 CSS pixels per degree", () => {
    const v = fitView([-77.5, 36.7, -75.5, 39.7], 800, 600);
    expect(landResolution({ ...v, scale: 99 }, 1)).toBe("50m");
    expect(landResolution({ ...v, scale: 101 }, 1)).toBe("10m");
    expect(landResolution({ ...v, scale: 150 }, 2)).toBe("50m");
  });

  it("the scale bar is a round length that fits, in km or m", () => {
    const v = fitView([-77.5, 36.7, -75.5, 39.7], 800, 600);
    const bar = scaleBar(v, 120);
    expect(bar.px).toBeLessThanOrEqual(120);
    expect(bar.px).toBeGreaterThan(120 / 2.5 - 1e-9);
    const metresPerPx = (111_320 * Math.cos((v.lat * Math.PI) / 180)) / (v.scale * v.kx);
    expect(bar.metres / bar.px).toBeCloseTo(metresPerPx, 6);
    expect(bar.label).toMatch(/^(1|2|5)0* km$/);
    expect(scaleBar({ ...v, scale: v.scale * 1000 }, 120).label).toMatch(/^(1|2|5)0* m$/);
  });
});

describe("server", () => {
  it("serves the Natural Earth files from the installed world-atlas package, with an ETag", async () => {
    const app = await buildViewer({ dataApiUrl: "http://127.0.0.1:9" });
    for (const r of ["50m", "10m"] as const) {
      const res = await app.inject({ url: `/land-${r}.json` });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/application\/json/);
      const land: Land = landFromTopology(res.json() as LandTopology, r);
      expect(land.rings.length).toBe((r === "10m" ? land10 : land50).rings.length);
      const again = await app.inject({ url: `/land-${r}.json`, headers: { "if-none-match": String(res.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
    expect((await app.inject({ url: "/land-110m.json" })).statusCode).toBe(404);
    await app.close();
  });
});
