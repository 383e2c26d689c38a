// Every kind of CoverageJSON answer the API gives (each grid type; position, multipoint, area,
// cube; with and without levels; NaN cells) checked against the CoverageJSON 1.0 rules, and the
// checker itself shown to catch each kind of violation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildDataApi } from "../../apps/data-api/index.js";
import { checkCoverageJson } from "./covjson-check.js";
import { buildTestStores, testDatasets, type TestStores } from "./stores.js";

let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await buildTestStores();
  app = await buildDataApi({ datasets: testDatasets(stores) });
});
afterAll(async () => {
  await app?.close();
  stores?.cleanup();
});

const q = (wkt: string) => encodeURIComponent(wkt);
const answers: Array<[string, string]> = [
  ["regular point, all parameters", `/collections/regular/position?coords=${q("POINT(10 2)")}`],
  ["regular point with a NaN cell", `/collections/regular/position?coords=${q("POINT(14 -10)")}&parameter-name=sst`],
  ["regular multipoint across 0/360", `/collections/regular/position?coords=${q("MULTIPOINT((-1 0),(1 0),(359 2))")}`],
  ["regular cube with z levels", "/collections/regular/cube?bbox=-5,-2,5,2&z=0,50"],
  ["regular area with a datetime interval", `/collections/regular/area?coords=${q("POLYGON((-3 -3, 3 -3, 3 3, -3 3, -3 -3))")}&datetime=2023-10-22T01:00:00Z/..`],
  ["ROMS point, surface + levels (collection)", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}`],
  ["ROMS point, one level", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=temp&z=-0.5`],
  ["ROMS cube over land and water", "/collections/cbofs/cube?bbox=-76.6,36.9,-76.3,37.2&parameter-name=zeta,salt"],
  ["ROMS instant", `/collections/cbofs/position?coords=${q("POINT(-76.4 37.05)")}&datetime=2023-10-22T02:00:00Z&parameter-name=zeta`],
  ["RTOFS 0..360 area with fill values", `/collections/rtofs/area?coords=${q("POLYGON((-80 10, -79.5 10, -79.5 10.3, -80 10.3, -80 10))")}`],
  ["FVCOM nodes and elements", `/collections/ngofs2/position?coords=${q("POINT(-90.47 28.5)")}`],
  ["FVCOM multipoint", `/collections/ngofs2/position?coords=${q("MULTIPOINT(-90.5 28.5, -90.45 28.505)")}&parameter-name=zeta`],
];

describe("CoverageJSON answers conform to CoverageJSON 1.0", () => {
  it.each(answers)("%s", async (_name, url) => {
    const res = await app.inject(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/prs\.coverage\+json/);
    const doc = res.json();
    expect(checkCoverageJson(doc)).toEqual([]);
    // The t axis always lists its instants explicitly.
    const coverages = doc.type === "CoverageCollection" ? doc.coverages : [doc];
    for (const c of coverages) expect(Array.isArray(c.domain.axes.t.values)).toBe(true);
  });

  it("NaN and fill values are null, never a number or a string", async () => {
    const doc = (await app.inject(`/collections/regular/position?coords=${q("POINT(14 -10)")}&parameter-name=sst`)).json();
    expect(doc.ranges.sst.values.length).toBeGreaterThan(0);
    expect(doc.ranges.sst.values.every((v: unknown) => v === null)).toBe(true);
    const rtofs = (await app.inject(`/collections/rtofs/position?coords=${q("POINT(-79.62 10.25)")}&parameter-name=ssh`)).json();
    expect(rtofs.ranges.ssh.values.every((v: unknown) => v === null)).toBe(true);
  });
});

describe("the conformance check catches violations", () => {
  const good = () =>
    ({
      type: "Coverage",
      domain: {
        type: "Domain",
        domainType: "PointSeries",
        axes: { x: { values: [1] }, y: { values: [2] }, t: { values: ["2023-10-22T00:00:00Z", "2023-10-22T01:00:00Z"] } },
        referencing: [
          { coordinates: ["x", "y"], system: { type: "GeographicCRS" } },
          { coordinates: ["t"], system: { type: "TemporalRS", calendar: "Gregorian" } },
        ],
      },
      parameters: { a: { type: "Parameter", observedProperty: { label: { en: "a" } } } },
      ranges: { a: { type: "NdArray", dataType: "float", shape: [2], axisNames: ["t"], values: [1.5, null] } },
    }) as Record<string, any>;

  it("accepts the minimal valid document", () => expect(checkCoverageJson(good())).toEqual([]));
  it.each([
    ["NaN written as a string", (d: any) => (d.ranges.a.values = ["NaN", 1])],
    ["integer dataType with a fraction", (d: any) => (d.ranges.a.dataType = "integer")],
    ["shape that does not match the values", (d: any) => (d.ranges.a.shape = [3])],
    ["shape that does not match the t axis", (d: any) => ((d.ranges.a.shape = [1]), (d.ranges.a.values = [1]))],
    ["missing multi-valued axis in axisNames", (d: any) => ((d.ranges.a.axisNames = []), (d.ranges.a.shape = []), (d.ranges.a.values = [1]))],
    ["numeric times", (d: any) => (d.domain.axes.t.values = [0, 1])],
    ["times not monotonic", (d: any) => ((d.domain.axes.t.values = ["2023-10-22T01:00:00Z", "2023-10-22T00:00:00Z", "2023-10-22T02:00:00Z"]), (d.ranges.a.shape = [3]), (d.ranges.a.values = [1, 2, 3]))],
    ["parameter without observedProperty", (d: any) => delete d.parameters.a.observedProperty],
    ["description not i18n", (d: any) => (d.parameters.a.description = "plain")],
    ["no referencing", (d: any) => delete d.domain.referencing],
    ["TemporalRS without calendar", (d: any) => delete d.domain.referencing[1].system.calendar],
    ["PointSeries with two x values", (d: any) => (d.domain.axes.x.values = [1, 2])],
    ["range for an unknown parameter", (d: any) => (d.ranges.b = d.ranges.a)],
  ])("rejects %s", (_name, spoil) => {
    const d = good();
    spoil(d);
    expect(checkCoverageJson(d).length).toBeGreaterThan(0);
  });
});
