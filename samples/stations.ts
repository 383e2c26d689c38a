// Synthetic station observations in Chesapeake Bay (inside the CBOFS domain), and writers for the
// forms the observations ingest reads: CF DSG timeSeries NetCDF in the three layouts (through
// ncgen, Debian's netcdf-bin) and ERDDAP tabledap CSV. Used by the tests (fixtures made at test
// time), the benchmark and samples/make-stations.ts (the `npm start` sample).
// Stations are real CO-OPS water level stations and NDBC/CBIBS buoys at their real positions;
// the values are made up: an M2 + K1 tide for water level, a diurnal cycle for temperature. Every
// value is a multiple of 1/256, exact in float32, float64 and in decimal text, so the three
// NetCDF layouts and the CSV carry exactly the same numbers.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface StationDef {
  id: string;
  name: string;
  platform: "water level station" | "moored buoy";
  lon: number;
  lat: number;
  /** Sensor height, m, positive up. */
  z: number;
  variable: "water_level" | "sea_water_temperature";
}

export const CHESAPEAKE_STATIONS: readonly StationDef[] = [
  { id: "8574680", name: "Baltimore, MD", platform: "water level station", lon: -76.5783, lat: 39.2667, z: 0, variable: "water_level" },
  { id: "8575512", name: "Annapolis, MD", platform: "water level station", lon: -76.4816, lat: 38.9833, z: 0, variable: "water_level" },
  { id: "8577330", name: "Solomons Island, MD", platform: "water level station", lon: -76.4508, lat: 38.3172, z: 0, variable: "water_level" },
  { id: "8638610", name: "Sewells Point, VA", platform: "water level station", lon: -76.33, lat: 36.9467, z: 0, variable: "water_level" },
  { id: "44062", name: "Gooses Reef, MD", platform: "moored buoy", lon: -76.415, lat: 38.556, z: -1, variable: "sea_water_temperature" },
  { id: "44063", name: "Annapolis buoy, MD", platform: "moored buoy", lon: -76.448, lat: 38.963, z: -1, variable: "sea_water_temperature" },
  { id: "44058", name: "Stingray Point, VA", platform: "moored buoy", lon: -76.257, lat: 37.567, z: -1, variable: "sea_water_temperature" },
];

export const VARIABLES = {
  water_level: { units: "m", standardName: "water_surface_height_above_reference_datum", longName: "water level above MLLW" },
  sea_water_temperature: { units: "degree_C", standardName: "sea_water_temperature", longName: "sea water temperature" },
} as const;

export interface StationRecord {
  station: StationDef;
  /** Epoch ms, ascending. */
  times: number[];
  values: number[];
}

export interface StationFixture {
  records: StationRecord[];
  /** Sorted union of every record's times. */
  times: number[];
}

const HOUR = 3_600_000;
const q = (x: number) => Math.round(x * 256) / 256;

/**
 * Hourly series from `start` for `hours` hours. Buoys miss every 7th hour (a gap the layouts must
 * keep); `offset` shifts the values (an "updated" file). Deterministic.
 */
export function stationFixture(opts: { start?: number; hours?: number; stations?: readonly StationDef[]; offset?: number } = {}): StationFixture {
  const start = opts.start ?? Date.UTC(2026, 11, 1);
  const hours = opts.hours ?? 48;
  const stations = opts.stations ?? CHESAPEAKE_STATIONS;
  const records = stations.map((station, s) => {
    const times: number[] = [];
    const values: number[] = [];
    for (let h = 0; h < hours; h++) {
      const t = start + h * HOUR;
      const th = t / HOUR;
      if (station.variable === "sea_water_temperature" && (h + s) % 7 === 3) continue;
      const v = station.variable === "water_level"
        ? 0.35 * Math.cos((2 * Math.PI * th) / 12.42 - s * 0.6) + 0.1 * Math.cos((2 * Math.PI * th) / 23.93 + s) + 0.2
        : 17 + 0.6 * s + 0.8 * Math.sin((2 * Math.PI * (th - 9)) / 24);
      times.push(t);
      values.push(q(v + (opts.offset ?? 0)));
    }
    return { station, times, values };
  });
  const times = [...new Set(records.flatMap((r) => r.times))].sort((a, b) => a - b);
  return { records, times };
}

export type DsgLayout = "orthogonal" | "contiguous-ragged" | "indexed-ragged";

const FILL = -999;
const num = (v: number) => (Number.isNaN(v) ? String(FILL) : String(v));
const str = (s: string) => JSON.stringify(s);

function stationCdl(records: readonly StationRecord[]): { dims: string; vars: string; data: string } {
  const width = Math.max(...records.flatMap((r) => [r.station.id.length, r.station.name.length, r.station.platform.length]));
  return {
    dims: `\tstation = ${records.length} ;\n\tstrlen = ${width} ;\n`,
    vars: `\tchar station_id(station, strlen) ;
\t\tstation_id:cf_role = "timeseries_id" ;
\t\tstation_id:long_name = "station identifier" ;
\tchar station_name(station, strlen) ;
\t\tstation_name:long_name = "station name" ;
\tchar platform_type(station, strlen) ;
\tdouble lon(station) ;
\t\tlon:standard_name = "longitude" ;
\t\tlon:units = "degrees_east" ;
\tdouble lat(station) ;
\t\tlat:standard_name = "latitude" ;
\t\tlat:units = "degrees_north" ;
\tdouble z(station) ;
\t\tz:standard_name = "altitude" ;
\t\tz:units = "m" ;
\t\tz:positive = "up" ;
\t\tz:axis = "Z" ;
`,
    data: ` station_id = ${records.map((r) => str(r.station.id)).join(", ")} ;
 station_name = ${records.map((r) => str(r.station.name)).join(", ")} ;
 platform_type = ${records.map((r) => str(r.station.platform)).join(", ")} ;
 lon = ${records.map((r) => r.station.lon).join(", ")} ;
 lat = ${records.map((r) => r.station.lat).join(", ")} ;
 z = ${records.map((r) => r.station.z).join(", ")} ;
`,
  };
}

function dataVarCdl(dims: string, units: Partial<Record<keyof typeof VARIABLES, string>> = {}): string {
  return Object.entries(VARIABLES).map(([name, v]) => `\tfloat ${name}(${dims}) ;
\t\t${name}:units = "${units[name as keyof typeof VARIABLES] ?? v.units}" ;
\t\t${name}:standard_name = "${v.standardName}" ;
\t\t${name}:long_name = "${v.longName}" ;
\t\t${name}:_FillValue = ${FILL}.f ;
\t\t${name}:coordinates = "time lat lon z station_id" ;
`).join("");
}

/** CDL of a CF DSG timeSeries file in one layout. `units` overrides a variable's units (refusal tests). */
export function dsgCdl(fixture: StationFixture, layout: DsgLayout, units: Partial<Record<keyof typeof VARIABLES, string>> = {}): string {
  const st = stationCdl(fixture.records);
  const timeVar = (dims: string) => `\tdouble time(${dims}) ;\n\t\ttime:standard_name = "time" ;\n\t\ttime:units = "seconds since 1970-01-01 00:00:00" ;\n\t\ttime:axis = "T" ;\n`;
  const secs = (ms: number) => String(ms / 1000);
  const header = (dims: string, vars: string, data: string) => `netcdf stations {\ndimensions:\n${st.dims}${dims}variables:\n${st.vars}${vars}\n// global attributes:\n\t\t:featureType = "timeSeries" ;\n\t\t:Conventions = "CF-1.8" ;\n\t\t:title = "Chesapeake Bay stations (synthetic)" ;\ndata:\n${st.data}${data}}\n`;
  const names = Object.keys(VARIABLES) as (keyof typeof VARIABLES)[];
  if (layout === "orthogonal") {
    const T = fixture.times;
    const data = names.map((n) => ` ${n} = ${fixture.records.flatMap((r) => {
      const at = new Map(r.times.map((t, i) => [t, r.values[i] as number]));
      return T.map((t) => num(r.station.variable === n ? (at.get(t) ?? NaN) : NaN));
    }).join(", ")} ;\n`).join("");
    return header(`\ttime = ${T.length} ;\n`, timeVar("time") + dataVarCdl("station, time", units), ` time = ${T.map(secs).join(", ")} ;\n${data}`);
  }
  // Ragged: one sample per observation; contiguous groups them by station, indexed interleaves by time.
  const samples = fixture.records.flatMap((r, s) => r.times.map((t, i) => ({ s, t, v: r.values[i] as number, n: r.station.variable })));
  if (layout === "indexed-ragged") samples.sort((a, b) => a.t - b.t || a.s - b.s);
  const column = (n: string) => samples.map((x) => num(x.n === n ? x.v : NaN)).join(", ");
  const dataVars = names.map((n) => ` ${n} = ${column(n)} ;\n`).join("");
  const common = ` time = ${samples.map((x) => secs(x.t)).join(", ")} ;\n${dataVars}`;
  if (layout === "contiguous-ragged")
    return header(`\tobs = ${samples.length} ;\n`, `\tint row_size(station) ;\n\t\trow_size:sample_dimension = "obs" ;\n\t\trow_size:long_name = "number of observations per station" ;\n${timeVar("obs")}${dataVarCdl("obs", units)}`, ` row_size = ${fixture.records.map((r) => r.times.length).join(", ")} ;\n${common}`);
  return header(`\tobs = ${samples.length} ;\n`, `\tint station_index(obs) ;\n\t\tstation_index:instance_dimension = "station" ;\n${timeVar("obs")}${dataVarCdl("obs", units)}`, ` station_index = ${samples.map((x) => x.s).join(", ")} ;\n${common}`);
}

/** Writes a DSG file with ncgen (`kind` nc4 or classic). */
export function writeDsg(path: string, fixture: StationFixture, layout: DsgLayout, kind: "nc4" | "classic" = "nc4", units: Partial<Record<keyof typeof VARIABLES, string>> = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  const cdl = `${path}.cdl`;
  writeFileSync(cdl, dsgCdl(fixture, layout, units));
  try {
    execFileSync("ncgen", ["-k", kind, "-o", path, cdl]);
  } finally {
    rmSync(cdl, { force: true });
  }
  return path;
}

/** ERDDAP tabledap CSV: names row, units row, one row per station and time (both variables as columns, NaN where absent). */
export function erddapCsv(fixture: StationFixture): string {
  const lines = ["station,station_name,platform_type,time,longitude,latitude,z,water_level,sea_water_temperature", ",,,UTC,degrees_east,degrees_north,m,m,degree_C"];
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  const field = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const r of fixture.records)
    r.times.forEach((t, i) => {
      const v = String(r.values[i]);
      const wl = r.station.variable === "water_level" ? v : "NaN";
      const st = r.station.variable === "sea_water_temperature" ? v : "NaN";
      lines.push([r.station.id, field(r.station.name), r.station.platform, iso(t), r.station.lon, r.station.lat, r.station.z, wl, st].join(","));
    });
  return `${lines.join("\n")}\n`;
}

export function writeCsv(path: string, fixture: StationFixture): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, erddapCsv(fixture));
  return path;
}
