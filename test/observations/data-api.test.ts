// Station collections in the data API (issue #20): EDR locations (the list, one station's series
// as CoverageJSON PointSeries or CSV equal to the input), position/area selecting stations, and
// the model-vs-observation comparison, whose pairs and statistics equal an independent
// numpy/xarray computation (test/observations/skill_numpy.py) to 1e-9. Real stores: the station
// store by the observations ingest from ncgen-made DSG files, the model store a CBOFS-like ROMS
// ingest (test/dataplane/fixtures.ts), both in the same test run.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataApi } from "../../apps/data-api/app.js";
import { ingest } from "../../dataplane/index.js";
import { stationFixture, writeCsv, writeDsg, type StationFixture } from "../../samples/stations.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";

type Json = Record<string, any>;
const script = fileURLToPath(new URL("./skill_numpy.py", import.meta.url));

describe("station collections in the data API", () => {
  const tmp = tempDir("dmac-obs-api-");
  let app: FastifyInstance;
  let fixture: StationFixture;
  const stations = join(tmp.path, "stations.zarr");
  const model = join(tmp.path, "cbofs.zarr");
  const feet = join(tmp.path, "stations-ft.zarr");
  const get = async (url: string) => {
    const r = await app.inject({ url });
    return { status: r.statusCode, type: String(r.headers["content-type"]), body: r.body, json: () => r.json() as Json };
  };

  beforeAll(async () => {
    // Observations every hour at half past, so the model (hourly, on the hour) is interpolated.
    fixture = stationFixture({ start: Date.UTC(2026, 11, 1, 0, 30), hours: 24 });
    await ingest({ store: stations, inputs: [writeDsg(join(tmp.path, "obs.nc"), fixture, "indexed-ragged")], featureType: "timeSeries" });
    // The same water levels in feet, as a US gauge may report them.
    const inFeet = { ...fixture, records: fixture.records.map((r) => ({ ...r, values: r.values.map((v) => (r.station.variable === "water_level" ? Math.round((v / 0.3048) * 1e6) / 1e6 : v)) })) };
    await ingest({ store: feet, inputs: [writeDsg(join(tmp.path, "obs-ft.nc"), inFeet, "indexed-ragged", "nc4", { water_level: "ft" })], featureType: "timeSeries" });
    const cycle = cycleAt("2026-12-01T00:00:00Z");
    await ingest({ store: model, inputs: [1, 2, 3, 4, 5, 6, 7, 8].map((hour) => romsFile(join(tmp.path, "src"), { cycle, kind: "f", hour })), concurrency: 0 });
    app = await buildDataApi({ datasets: [{ id: "stations", url: stations }, { id: "cbofs", url: model }, { id: "stations-ft", url: feet }], baseUrl: "https://data.example.org/edr", revalidateMs: 0 });
  });
  afterAll(async () => {
    await app?.close();
    tmp.cleanup();
  });

  it("lists the stations as GeoJSON points, and the collection links its locations", async () => {
    const r = await get("/collections/stations/locations");
    expect(r.status).toBe(200);
    expect(r.type).toContain("application/geo+json");
    const features = r.json().features as Json[];
    expect(features.map((f) => f.id)).toEqual(fixture.records.map((x) => x.station.id));
    const annapolis = features.find((f) => f.id === "8575512");
    expect(annapolis?.geometry).toEqual({ type: "Point", coordinates: [-76.4816, 38.9833, 0] });
    expect(annapolis?.properties).toMatchObject({ name: "Annapolis, MD", platform_type: "water level station", "parameter-name": ["water_level", "water_level_qc"] });
    expect(features.find((f) => f.id === "44062")?.properties["parameter-name"]).toEqual(["sea_water_temperature", "sea_water_temperature_qc"]);
    const c = (await get("/collections/stations")).json();
    expect(c.data_queries.locations.link.href).toBe("https://data.example.org/edr/collections/stations/locations");
    expect((await get("/collections/cbofs/locations")).status).toBe(404);
  });

  it("a station's series is the input, as CoverageJSON PointSeries and as CSV", async () => {
    const record = fixture.records[1] as StationFixture["records"][number];
    const cov = (await get(`/collections/stations/locations/${record.station.id}?parameter-name=water_level,water_level_qc`)).json();
    expect(cov.domain.domainType).toBe("PointSeries");
    expect(cov.domain.axes.x.values).toEqual([record.station.lon]);
    expect(cov.domain.axes.y.values).toEqual([record.station.lat]);
    const times = cov.domain.axes.t.values as string[];
    const values = cov.ranges.water_level.values as (number | null)[];
    const observed = times.map((t, i) => [Date.parse(t), values[i]] as const).filter(([, v]) => v !== null);
    expect(observed).toEqual(record.times.map((t, i) => [t, record.values[i]]));
    expect(cov.ranges.water_level_qc.values).toEqual(values.map((v) => (v === null ? 9 : 2)));
    // The fast CoverageJSON text of /locations is the document the general encoder makes (position at the station).
    const viaPosition = (await get(`/collections/stations/position?coords=POINT(${record.station.lon} ${record.station.lat})&parameter-name=water_level,water_level_qc`)).json();
    expect(cov).toEqual(viaPosition);

    const csv = (await get(`/collections/stations/locations/${record.station.id}?parameter-name=water_level&f=CSV&datetime=2026-12-01T02:00:00Z/2026-12-01T04:00:00Z`));
    expect(csv.type).toContain("text/csv");
    expect(csv.body.trim().split("\r\n")).toEqual([
      "parameter,datetime,x,y,z,value",
      ...[2, 3].map((h) => `water_level,2026-12-01T0${h}:30:00Z,${record.station.lon},${record.station.lat},0,${record.values[h]}`),
    ]);
    expect((await get("/collections/stations/locations/nope")).status).toBe(404);
    expect((await get("/collections/stations/locations/8575512?parameter-name=zeta")).status).toBe(400);
  });

  it("position selects the nearest station, area the stations inside", async () => {
    const near = (await get("/collections/stations/position?coords=POINT(-76.47 38.99)&parameter-name=water_level")).json();
    expect(near.domain.domainType).toBe("PointSeries");
    expect(near.domain.axes.x.values).toEqual([-76.4816]);
    const area = (await get("/collections/stations/area?coords=POLYGON((-76.7 38.9,-76.3 38.9,-76.3 39.4,-76.7 39.4,-76.7 38.9))&parameter-name=water_level,sea_water_temperature")).json();
    expect(area.domain.domainType).toBe("MultiPointSeries");
    // Baltimore, Annapolis and the Annapolis buoy.
    expect((area.domain.axes.composite.values as number[][]).map((p) => p.slice(0, 2))).toEqual([[-76.5783, 39.2667], [-76.4816, 38.9833], [-76.448, 38.963]]);
    expect((await get("/collections/stations/area?coords=POLYGON((0 0,1 0,1 1,0 1,0 0))")).status).toBe(404);
    expect((await get("/collections/stations/position?coords=POINT(-76.47 38.99)&z=0")).status).toBe(400);
  });

  for (const method of ["interpolate", "nearest"] as const)
    it(`compares a station with the model (${method} in time): pairs and statistics equal numpy's to 1e-9`, async () => {
      const r = await get(`/collections/stations/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=zeta&time=${method}`);
      expect(r.status, r.body).toBe(200);
      const api = r.json();
      const ref = JSON.parse(execFileSync("/usr/bin/python3", [script, stations, "8638610", "water_level", model, "zeta", method], { encoding: "utf8" })) as Json;
      expect(api.time.method).toBe(method);
      expect(api.model.cell.index).toBe(ref.cell);
      expect([api.model.cell.lon, api.model.cell.lat]).toEqual([ref.cell_lon, ref.cell_lat]);
      expect(api.pairs.times.map((t: string) => Date.parse(t))).toEqual(ref.times);
      expect(api.statistics.n).toBe(ref.n);
      expect(ref.n).toBeGreaterThan(3);
      const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(Math.abs(x - (b[i] as number))).toBeLessThan(1e-9));
      close(api.pairs.observed, ref.observed);
      close(api.pairs.model, ref.model);
      close([api.statistics.bias, api.statistics.rmse, api.statistics.correlation, api.statistics.willmott], [ref.bias, ref.rmse, ref.correlation, ref.willmott]);
    });

  it("converts the model into the observations' units by UDUNITS-2, and refuses another quantity", async () => {
    const metres = (await get("/collections/stations/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=zeta")).json();
    expect(metres.model.unitsCheck).toBe("same units");
    const r = await get("/collections/stations-ft/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=zeta");
    expect(r.status, r.body).toBe(200);
    const inFeet = r.json();
    expect(inFeet.model.unitsCheck).toBe('model values converted from "meter" to "ft" before pairing');
    const close = (a: number[], b: number[], tolerance: number) => a.forEach((x, i) => expect(Math.abs(x - (b[i] as number))).toBeLessThan(tolerance));
    close(inFeet.pairs.model, (metres.pairs.model as number[]).map((m) => m / 0.3048), 1e-9);
    close(inFeet.pairs.observed, (metres.pairs.observed as number[]).map((m) => m / 0.3048), 1e-5);
    close([inFeet.statistics.correlation, inFeet.statistics.willmott], [metres.statistics.correlation, metres.statistics.willmott], 1e-6);
    const other = await get("/collections/stations/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=temp&z=-1");
    expect(other.status, other.body).toBe(400);
    expect(other.json().description).toContain('temp is in "Celsius" and water_level in "m": not the same quantity');
  });

  it("a station's cached whole-series answer follows the store: after another ingest it has the new times", async () => {
    const url = "/collections/stations/locations/8575512?parameter-name=water_level";
    const before = (await get(url)).json();
    expect((await get(url)).json()).toEqual(before);
    const later = stationFixture({ start: Date.UTC(2026, 11, 2, 0, 30), hours: 6 });
    await ingest({ store: stations, inputs: [writeCsv(join(tmp.path, "later.csv"), later)], featureType: "timeSeries" });
    const after = (await get(url)).json();
    expect(after.domain.axes.t.values).toHaveLength(before.domain.axes.t.values.length + 6);
    expect(after.ranges.water_level.values.slice(-6)).toEqual(later.records[1]?.values);
  });

  it("refuses a comparison without its parameters, naming them", async () => {
    expect((await get("/collections/stations/locations/8638610/compare?parameter-name=water_level&model-parameter=zeta")).json().description).toContain("model");
    const bad = await get("/collections/stations/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=nope");
    expect(bad.status).toBe(400);
    expect(bad.json().description).toContain("model-parameter");
    expect((await get("/collections/stations/locations/8638610/compare?model=cbofs&parameter-name=water_level&model-parameter=temp")).json().description).toContain("give z");
  });
});
