// Acceptance: EDR position answers equal what Python xarray selects at the same point from the
// same Zarr store, on each grid type (regular 0..360, curvilinear with a land mask,
// curvilinear 0..360, unstructured nodes and elements).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildDataApi } from "../../apps/data-api/index.js";
import { buildTestStores, PYTHON, testDatasets, type TestStores } from "./stores.js";

const run = promisify(execFile);
const script = fileURLToPath(new URL("./xarray_point.py", import.meta.url));

interface XarrayPoint {
  times: string[];
  values: Array<Array<number | null>>;
  lon: number;
  lat: number;
}

let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await buildTestStores();
  app = await buildDataApi({ datasets: testDatasets(stores) });
  xarray = await askXarray();
});
afterAll(async () => {
  await app?.close();
  stores?.cleanup();
});

type Grid = { kind: "regular" | "curvilinear" | "unstructured"; lon: string; lat: string; mask?: string };

type Case = [variable: string, lon: number, lat: number];
const regular: Grid = { kind: "regular", lon: "lon", lat: "lat" };
const roms: Grid = { kind: "curvilinear", lon: "lon_rho", lat: "lat_rho", mask: "mask_rho" };
const rtofs: Grid = { kind: "curvilinear", lon: "Longitude", lat: "Latitude" };
const nodes: Grid = { kind: "unstructured", lon: "lon", lat: "lat" };
const elements: Grid = { kind: "unstructured", lon: "lonc", lat: "latc" };
const fvcomDrop = ["siglay", "siglev", "Itime", "Itime2"];

const regularCases: Case[] = [
  ["sst", 10.3, 2.9],
  ["sst", -1.5, -3.2],
  ["sst", 14.2, -10], // a NaN cell: null in CoverageJSON
  ["temp", 181.1, 7.7],
];
const romsCases: Case[] = [
  ["zeta", -76.5, 37.0], // nearest cell is land (mask 0): the nearest wet cell answers
  ["zeta", -76.31, 37.11],
  ["temp", -76.42, 37.07],
  ["salt", -76.2, 37.17], // int16 with scale_factor/add_offset and _FillValue
];
const rtofsCases: Case[] = [
  ["ssh", -79.83, 10.09],
  ["ssh", 280.17, 10.21],
  ["mixed_layer_thickness", -79.62, 10.25], // fill values there: null
];
const fvcomCases: Array<[string, Grid, number, number]> = [
  ["zeta", nodes, -90.468, 28.503],
  ["temp", nodes, -90.441, 28.509],
  ["u", elements, -90.452, 28.5],
];

/** All of xarray's answers from one Python process (its start-up dominates), keyed by case. */
let xarray: Map<string, XarrayPoint>;
const key = (store: string, variable: string, lon: number, lat: number) => `${store}|${variable}|${lon}|${lat}`;

async function askXarray(): Promise<Map<string, XarrayPoint>> {
  const specs = [
    ...regularCases.map(([variable, lon, lat]) => ({ store: stores.regular, variable, lon, lat, grid: regular })),
    ...romsCases.map(([variable, lon, lat]) => ({ store: stores.roms, variable, lon, lat, grid: roms })),
    ...rtofsCases.map(([variable, lon, lat]) => ({ store: stores.rtofs, variable, lon, lat, grid: rtofs })),
    ...fvcomCases.map(([variable, grid, lon, lat]) => ({ store: stores.fvcom, variable, lon, lat, grid, drop: fvcomDrop })),
  ];
  const { stdout } = await run(PYTHON, [script, JSON.stringify(specs)], { maxBuffer: 16 * 1024 * 1024 });
  const answers = JSON.parse(stdout) as XarrayPoint[];
  return new Map(specs.map((s, i) => [key(s.store, s.variable, s.lon, s.lat), answers[i] as XarrayPoint]));
}

function xarrayAt(store: string, variable: string, lon: number, lat: number): XarrayPoint {
  const answer = xarray.get(key(store, variable, lon, lat));
  if (answer === undefined) throw new Error(`no xarray answer for ${variable} at ${lon} ${lat}`);
  return answer;
}

/** Our answer as [time][level] plus the cell's coordinates, from the CoverageJSON. */
async function edrAt(collection: string, variable: string, lon: number, lat: number): Promise<{ times: string[]; values: Array<Array<number | null>>; x: number; y: number }> {
  const res = await app.inject(`/collections/${collection}/position?coords=${encodeURIComponent(`POINT(${lon} ${lat})`)}&parameter-name=${variable}`);
  expect(res.statusCode, res.body).toBe(200);
  const cov = res.json() as { domain: { domainType: string; axes: Record<string, { values: unknown[] }> }; ranges: Record<string, { shape: number[]; values: Array<number | null> }> };
  const range = cov.ranges[variable];
  if (range === undefined) throw new Error(`no range ${variable}`);
  const times = cov.domain.axes["t"]?.values as string[];
  const perTime = (range.shape[1] ?? 1) as number;
  const values = times.map((_, t) => range.values.slice(t * perTime, (t + 1) * perTime));
  const first = cov.domain.domainType === "PointSeries" ? [cov.domain.axes["x"]?.values[0], cov.domain.axes["y"]?.values[0]] : (cov.domain.axes["composite"]?.values[0] as number[]);
  return { times, values, x: Number(first[0]), y: Number(first[1]) };
}

function expectSameSeries(ours: Awaited<ReturnType<typeof edrAt>>, theirs: XarrayPoint, timeToleranceMs = 0): void {
  expect(ours.times.length).toBe(theirs.times.length);
  ours.times.forEach((t, i) => expect(Math.abs(Date.parse(t) - Date.parse(theirs.times[i] ?? ""))).toBeLessThanOrEqual(timeToleranceMs));
  expect(ours.values.map((r) => r.length)).toEqual(theirs.values.map((r) => r.length));
  theirs.values.forEach((row, t) =>
    row.forEach((v, k) => {
      const mine = ours.values[t]?.[k];
      if (v === null) expect(mine).toBeNull();
      else {
        expect(mine).not.toBeNull();
        // Both sides hold float32 data; ours is written with float32's shortest digits.
        expect(Math.abs((mine as number) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-6 + 1e-9);
      }
    }),
  );
  // Same cell: coordinates agree (ours in -180..180).
  expect(Math.abs(((ours.x - theirs.lon + 540) % 360) - 180)).toBeLessThan(1e-5);
  expect(Math.abs(ours.y - theirs.lat)).toBeLessThan(1e-5);
}

describe("EDR position vs xarray on the same Zarr", () => {
  it.each(regularCases)("regular grid, 0..360 longitudes: %s at (%f, %f)", async (variable, lon, lat) => {
    const theirs = xarrayAt(stores.regular, variable, lon, lat);
    expectSameSeries(await edrAt("regular", variable, lon, lat), theirs);
    if (lat === -10) expect(theirs.values.flat().every((v) => v === null)).toBe(true);
  });

  it.each(romsCases)("ROMS curvilinear grid with mask_rho: %s at (%f, %f)", async (variable, lon, lat) => {
    expectSameSeries(await edrAt("cbofs", variable, lon, lat), xarrayAt(stores.roms, variable, lon, lat));
  });

  it("ROMS: a point on land answers from a wet cell, not the land cell", async () => {
    const ours = await edrAt("cbofs", "zeta", -76.5, 37.0);
    // The land cells are i = 0, j < 2 (lon_rho -76.5 + 0.01 j): the answer is elsewhere, with data.
    expect(Math.abs(ours.x - -76.5) > 1e-6 || ours.y > 37.05).toBe(true);
    expect(ours.values.flat().every((v) => v !== null)).toBe(true);
  });

  it.each(rtofsCases)("RTOFS curvilinear grid in 0..360: %s at (%f, %f)", async (variable, lon, lat) => {
    const theirs = xarrayAt(stores.rtofs, variable, lon, lat);
    expectSameSeries(await edrAt("rtofs", variable, lon, lat), theirs);
    if (variable === "mixed_layer_thickness") expect(theirs.values.flat().every((v) => v === null)).toBe(true);
  });

  it.each(fvcomCases)("FVCOM unstructured mesh: %s", async (variable, _grid, lon, lat) => {
    // FVCOM keeps time as float32 days: both sides decode the same float32, to the millisecond or so.
    expectSameSeries(await edrAt("ngofs2", variable, lon, lat), xarrayAt(stores.fvcom, variable, lon, lat), 2);
  });
});
