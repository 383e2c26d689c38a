// The observations store: one Zarr v2 store per Dataset in the CF orthogonal multidimensional
// layout (CF 1.8 section 9.3.1), which xarray opens with no DSG-specific code:
//   time(time)                      seconds since 1970-01-01, the shared, sorted time axis
//   station(station, station_strlen) char, cf_role = timeseries_id: xarray decodes it to a string
//                                   coordinate of the station dimension, so ds.sel(station="8575512") works
//   station_name, platform_type     char, per station
//   lon, lat, z                     per station (z: height in m, positive up)
//   <var>(station, time)            float64, NaN where not observed; ancillary_variables = <var>_qc
//   <var>_qc(station, time)         uint8 QARTOD aggregate flag (1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing)
// Data chunks are one station's whole series ([1, time]): a station query reads one chunk per variable.
// Every ingest that changes anything rewrites the arrays, then commits `.zmetadata` (docs/observations.md).
import type { QcConfig } from "../qc/config.js";
import { compressorConfig, type CodecOptions } from "../zarr/codecs.js";
import { arrayOf, readRegion, writeRegion } from "../zarr/chunks.js";
import { commitHierarchy, readConsolidated, type ArrayMetaV2, type ArrayNode, type Hierarchy } from "../zarr/metadata.js";
import type { ReadableStore, WritableStore } from "../zarr/store.js";
import type { AttrValue, Attributes, StoredDtype, TypedArray } from "../types.js";
import { FLAG_MEANINGS, FLAG_VALUES, tableFlags } from "./qc.js";
import type { ObsVariable, Station, StationTable } from "./table.js";

export const TIME_UNITS = "seconds since 1970-01-01 00:00:00";
export const STATION_VARIABLES = ["time", "station", "station_name", "platform_type", "lon", "lat", "z"] as const;

export interface ObservationsLedger {
  version: 1;
  featureType: "timeSeries";
  aggregation: "append";
  /** The time dimension, which the Dataset extent reader looks for. */
  concatDim: "time";
  stations: number;
  observations: number;
}

export class NotAStationStore extends Error {}

function meta(shape: number[], chunks: number[], dtype: StoredDtype, compressor: ArrayMetaV2["compressor"], fill: ArrayMetaV2["fill_value"]): ArrayMetaV2 {
  return { zarr_format: 2, shape, chunks: chunks.map((c) => Math.max(1, c)), dtype, compressor, fill_value: fill, order: "C", filters: null, dimension_separator: "." };
}

function charBytes(values: readonly string[]): { width: number; bytes: Uint8Array } {
  const encoded = values.map((v) => new TextEncoder().encode(v));
  const width = Math.max(1, ...encoded.map((e) => e.length));
  const bytes = new Uint8Array(values.length * width);
  encoded.forEach((e, i) => bytes.set(e, i * width));
  return { width, bytes };
}

function decodeChars(bytes: Uint8Array, n: number, width: number): string[] {
  const d = new TextDecoder();
  return Array.from({ length: n }, (_, i) => d.decode(bytes.subarray(i * width, (i + 1) * width)).replace(/\0[\s\S]*$/, ""));
}

interface Planned {
  path: string;
  node: ArrayNode;
  data: TypedArray;
}

/** The arrays of a table, with their metadata and data. */
function planArrays(table: StationTable, compressor: ArrayMetaV2["compressor"], qc: QcConfig | undefined): Planned[] {
  const S = table.stations.length;
  const T = table.times.length;
  const out: Planned[] = [];
  const add = (path: string, dims: string[], m: ArrayMetaV2, attrs: Record<string, AttrValue | string[]>, data: TypedArray) => out.push({ path, node: { meta: m, attrs: { _ARRAY_DIMENSIONS: dims, ...attrs } }, data });
  add("time", ["time"], meta([T], [T], "<f8", compressor, null), { standard_name: "time", long_name: "time of the observation", units: TIME_UNITS, calendar: "standard", axis: "T" }, Float64Array.from(table.times, (t) => t / 1000));
  const chars = (path: string, values: string[], attrs: Record<string, AttrValue>) => {
    const { width, bytes } = charBytes(values);
    add(path, ["station", `${path}_strlen`], meta([S, width], [S, width], "|S1", compressor, null), { ...attrs, _Encoding: "utf-8" }, bytes);
  };
  chars("station", table.stations.map((s) => s.id), { cf_role: "timeseries_id", long_name: "station identifier" });
  chars("station_name", table.stations.map((s) => s.name), { long_name: "station name", standard_name: "platform_name" });
  chars("platform_type", table.stations.map((s) => s.platform), { long_name: "platform type (e.g. water level station, moored buoy)" });
  const perStation = (key: "lon" | "lat" | "z") => Float64Array.from(table.stations, (s: Station) => s[key]);
  add("lon", ["station"], meta([S], [S], "<f8", compressor, "NaN"), { standard_name: "longitude", long_name: "station longitude", units: "degrees_east", axis: "X" }, perStation("lon"));
  add("lat", ["station"], meta([S], [S], "<f8", compressor, "NaN"), { standard_name: "latitude", long_name: "station latitude", units: "degrees_north", axis: "Y" }, perStation("lat"));
  add("z", ["station"], meta([S], [S], "<f8", compressor, "NaN"), { standard_name: "altitude", long_name: "height of the sensor", units: "m", positive: "up", axis: "Z" }, perStation("z"));
  const tests = new Map((qc?.enabled === false ? [] : (qc?.variables ?? [])).map((t) => [t.variable, t]));
  for (const v of table.variables) {
    const values = table.values.get(v.name) as Float64Array;
    add(v.name, ["station", "time"], meta([S, T], [1, T], "<f8", compressor, "NaN"), { ...v.attrs, units: v.units, coordinates: "lon lat z station_name", ancillary_variables: `${v.name}_qc` }, values);
    const sn = typeof v.attrs.standard_name === "string" ? `${v.attrs.standard_name} status_flag` : "status_flag";
    add(`${v.name}_qc`, ["station", "time"], meta([S, T], [1, T], "|u1", compressor, null), {
      long_name: `QARTOD aggregate flag of ${v.name}`, standard_name: sn, flag_values: FLAG_VALUES, flag_meanings: FLAG_MEANINGS,
      references: "https://ioos.noaa.gov/project/qartod/", ...(tests.has(v.name) ? { "dmac:qartod_tests": JSON.stringify(tests.get(v.name)) } : {}),
    }, tableFlags(values, S, T, tests.get(v.name)));
  }
  return out;
}

/** Writes the table's arrays, then commits the hierarchy (the `.zmetadata` replace is the commit). */
export async function writeTable(store: WritableStore, table: StationTable, opts: { encoding: CodecOptions; attributes: Record<string, AttrValue | null>; qc?: QcConfig | undefined; previous: Hierarchy | undefined; observations: number }): Promise<number> {
  const compressor = compressorConfig(opts.encoding, 2);
  const planned = planArrays(table, compressor, opts.qc);
  const root: Attributes = { Conventions: "CF-1.8", featureType: "timeSeries", cdm_data_type: "TimeSeries", ...(opts.previous?.groups[""] ?? {}) };
  for (const [k, v] of Object.entries(opts.attributes)) {
    if (v === null) delete root[k];
    else root[k] = v;
  }
  root.featureType = "timeSeries";
  const h: Hierarchy = { groups: { "": root }, arrays: {} };
  let bytes = 0;
  for (const p of planned) {
    h.arrays[p.path] = p.node;
    const stats = await writeRegion({ store, path: p.path, meta: p.node.meta, format: 2 }, p.node.meta.shape.map(() => 0), p.node.meta.shape, p.data);
    bytes += stats.bytesWritten;
  }
  const ledger: ObservationsLedger = { version: 1, featureType: "timeSeries", aggregation: "append", concatDim: "time", stations: table.stations.length, observations: opts.observations };
  await commitHierarchy(store, h, ledger, opts.previous, 2);
  return bytes;
}

export interface OpenedStations {
  hierarchy: Hierarchy;
  ledger: ObservationsLedger | undefined;
  table: StationTable;
}

/** True when a hierarchy is an observations store (root featureType timeSeries). */
export function isStationHierarchy(h: Hierarchy): boolean {
  return String(h.groups[""]?.featureType ?? "").toLowerCase() === "timeseries" && h.arrays.station !== undefined && h.arrays.time !== undefined;
}

/** The observed variables of a station store: (station, time) arrays that are not flags. */
export function observedVariables(h: Hierarchy): string[] {
  return Object.entries(h.arrays).filter(([path, n]) => !path.includes("/") && JSON.stringify(n.attrs._ARRAY_DIMENSIONS) === '["station","time"]' && n.attrs.flag_values === undefined).map(([path]) => path).sort();
}

async function readNumbers(store: ReadableStore, h: Hierarchy, path: string): Promise<Float64Array> {
  const a = arrayOf(store, { format: 2, hierarchy: h }, path);
  if (a === undefined) throw new NotAStationStore(`${store.url}: array ${path} missing`);
  return Float64Array.from(await readRegion(a), Number);
}

/** Station metadata of a station store (small arrays only). */
export async function readStations(store: ReadableStore, h: Hierarchy): Promise<{ stations: Station[]; times: number[] }> {
  const chars = async (path: string): Promise<string[]> => {
    const a = arrayOf(store, { format: 2, hierarchy: h }, path);
    if (a === undefined) return [];
    return decodeChars(await readRegion(a) as Uint8Array, a.meta.shape[0] ?? 0, a.meta.shape[1] ?? 1);
  };
  const [ids, names, platforms, lon, lat, z, seconds] = await Promise.all([chars("station"), chars("station_name"), chars("platform_type"), readNumbers(store, h, "lon"), readNumbers(store, h, "lat"), readNumbers(store, h, "z"), readNumbers(store, h, "time")]);
  const stations = ids.map((id, i) => ({ id, name: names[i] ?? id, platform: platforms[i] ?? "fixed", lon: lon[i] as number, lat: lat[i] as number, z: z[i] as number }));
  return { stations, times: Array.from(seconds, (s) => Math.round(s * 1000)) };
}

/** The whole committed table (undefined for an empty store); a store of another kind is an error. */
export async function readTable(store: ReadableStore): Promise<OpenedStations | undefined> {
  const state = await readConsolidated<ObservationsLedger>(store);
  if (state === undefined) return undefined;
  if (state.format !== 2 || !isStationHierarchy(state.hierarchy)) throw new NotAStationStore(`${store.url}: holds no station time series (featureType is not timeSeries); a timeSeries Dataset needs its own store`);
  const h = state.hierarchy;
  const { stations, times } = await readStations(store, h);
  const variables: ObsVariable[] = [];
  const values = new Map<string, Float64Array>();
  for (const name of observedVariables(h)) {
    const attrs = { ...(h.arrays[name]?.attrs ?? {}) } as Record<string, unknown>;
    for (const k of ["_ARRAY_DIMENSIONS", "coordinates", "ancillary_variables"]) delete attrs[k];
    variables.push({ name, units: String(attrs.units ?? "1"), attrs: attrs as Attributes });
    values.set(name, await readNumbers(store, h, name));
  }
  return { hierarchy: h, ledger: state.ledger, table: { stations, times, variables, values } };
}
