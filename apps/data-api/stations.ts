// Station collections (Datasets with featureType timeSeries, docs/observations.md): the station
// table of an opened dataset (ids, names, positions, the time axis, the observed variables),
// read once per opened generation, and station series read through the chunk cache. A series is
// one chunk per variable (the store chunks one station's whole series).
import { isStationHierarchy, observedVariables, readStations, type Station } from "../../dataplane/observations/index.js";
import { readConsolidated, type ArrayMetaV2, type Hierarchy } from "../../dataplane/index.js";
import type { ChunkCache } from "./chunk-cache.js";
import type { OpenedDataset } from "./dataset.js";
import { invalidParameter, notFound } from "./errors.js";
import type { ParameterInfo, QueryResult, ResultGroup, Station as ResultStation } from "./query/result.js";
import type { TimeFilter } from "./query/params.js";
import { noData, selectTimes, type Where } from "./query/select.js";
import { inBBox, inPolygon, polygonBBox } from "./geometry.js";
import { SphereIndex } from "./spatial-index.js";
import type { CacheBudget } from "./cache-budget.js";

export interface StationVariable {
  name: string;
  meta: ArrayMetaV2;
  info: ParameterInfo;
  /** The `<name>_qc` flag array beside it. */
  flags?: { meta: ArrayMetaV2; info: ParameterInfo };
}

export interface StationData {
  stations: Station[];
  byId: Map<string, number>;
  /** Epoch ms. */
  times: number[];
  variables: StationVariable[];
  /** Nearest-station lookup on the sphere. */
  index: SphereIndex;
}

const tables = new WeakMap<OpenedDataset, Promise<StationData | undefined>>();

function info(name: string, attrs: Record<string, unknown>, integer: boolean): ParameterInfo {
  const s = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const units = s(attrs.units);
  const standardName = s(attrs.standard_name);
  return { name, description: s(attrs.long_name) ?? standardName ?? name, dataType: integer ? "integer" : "float", float32: false, ...(units !== undefined ? { units } : {}), ...(standardName !== undefined ? { standardName } : {}) };
}

async function load(ds: OpenedDataset): Promise<StationData | undefined> {
  const state = await readConsolidated(ds.store);
  if (state === undefined || !isStationHierarchy(state.hierarchy)) return undefined;
  const h: Hierarchy = state.hierarchy;
  const { stations, times } = await readStations(ds.store, h);
  const variables = observedVariables(h).map((name): StationVariable => {
    const node = h.arrays[name] as Hierarchy["arrays"][string];
    const flags = h.arrays[`${name}_qc`];
    return {
      name, meta: node.meta, info: info(name, node.attrs, false),
      ...(flags !== undefined ? { flags: { meta: flags.meta, info: info(`${name}_qc`, { ...flags.attrs, units: undefined }, true) } } : {}),
    };
  });
  return { stations, byId: new Map(stations.map((s, i) => [s.id, i])), times, variables, index: new SphereIndex(stations.map((s) => s.lon), stations.map((s) => s.lat)) };
}

/** The station table of a station collection, or undefined for a grid collection. */
export function stationData(ds: OpenedDataset): Promise<StationData | undefined> {
  let p = tables.get(ds);
  if (p === undefined) {
    p = load(ds);
    tables.set(ds, p);
  }
  return p;
}

export async function requireStations(ds: OpenedDataset): Promise<StationData> {
  const data = await stationData(ds);
  if (data === undefined) throw notFound(`locations of collection ${ds.id}: it is a model grid, not station observations (use position, area or cube)`);
  return data;
}

export function stationIndex(data: StationData, collection: string, id: string): number {
  const i = data.byId.get(id);
  if (i === undefined) throw notFound(`location ${id} in collection ${collection} (GET /collections/${collection}/locations lists them)`);
  return i;
}

/** parameter-name for a station collection: observed variables and their `_qc` flags; default every observed variable with its flags. */
export function stationParameters(data: StationData, raw: string | undefined): string[] {
  const known = data.variables.flatMap((v) => [v.name, ...(v.flags !== undefined ? [v.flags.info.name] : [])]);
  if (raw === undefined || raw.trim() === "") return known;
  const names = raw.split(",").map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw invalidParameter("parameter-name", `unknown parameter ${unknown.join(", ")} (this collection has ${known.join(", ")})`);
  return names;
}

/** One station's series of one parameter at the time indices given (NaN where not observed). */
export async function readSeries(ds: OpenedDataset, chunks: ChunkCache, data: StationData, station: number, parameter: string, timeIdx: readonly number[]): Promise<Float64Array> {
  const variable = data.variables.find((v) => v.name === parameter || v.flags?.info.name === parameter);
  if (variable === undefined) throw invalidParameter("parameter-name", `unknown parameter ${parameter}`);
  const meta = variable.name === parameter ? variable.meta : (variable.flags as NonNullable<StationVariable["flags"]>).meta;
  const T = data.times.length;
  const row = await chunks.read({ scope: ds.scope }, { store: ds.store, path: parameter, meta, format: 2 }, [station, 0], [1, T]);
  if (timeIdx.length === T) return row;
  return Float64Array.from(timeIdx, (t) => row[t] as number);
}

/** The answer for some stations: one group, values [time][station], encodable as CoverageJSON or CSV. */
export async function stationResult(ds: OpenedDataset, chunks: ChunkCache, data: StationData, queryType: QueryResult["queryType"], stations: readonly number[], parameters: readonly string[], datetime: TimeFilter | undefined): Promise<QueryResult> {
  const timeIdx = selectTimes(data.times, datetime);
  const withZ = stations.every((s) => Number.isFinite(data.stations[s]?.z));
  const resultStations: ResultStation[] = stations.map((s) => {
    const st = data.stations[s] as Station;
    return { cell: s, lon: st.lon, lat: st.lat, ...(withZ ? { z: st.z } : {}) };
  });
  const n = stations.length;
  const values = [];
  for (const name of parameters) {
    const v = data.variables.find((x) => x.name === name || x.flags?.info.name === name) as StationVariable;
    const out = new Float64Array(timeIdx.length * n);
    for (let k = 0; k < n; k++) {
      const series = await readSeries(ds, chunks, data, stations[k] as number, name, timeIdx);
      for (let t = 0; t < timeIdx.length; t++) out[t * n + k] = series[t] as number;
    }
    values.push({ info: v.name === name ? v.info : (v.flags as NonNullable<StationVariable["flags"]>).info, values: out });
  }
  const group: ResultGroup = {
    grid: "stations",
    ...(withZ ? { zAxis: { name: "z", units: "m", positive: "up", isIndex: false } } : {}),
    times: timeIdx.map((i) => data.times[i] as number),
    stations: resultStations,
    parameters: values,
  };
  return { collection: ds.id, queryType, groups: [group] };
}

/** Stations a position (the nearest station to each point), area (inside the polygon) or cube (inside the bbox) query selects. */
export function selectStations(data: StationData, collection: string, where: Where): number[] {
  let picked: number[];
  if (where.kind === "points") picked = [...new Set(where.points.map(([x, y]) => data.index.nearest(x, y)?.index).filter((i): i is number => i !== undefined))];
  else if (where.kind === "polygon") {
    const box = polygonBBox(where.polygon);
    picked = data.stations.flatMap((s, i) => (inPolygon(s.lon, s.lat, where.polygon, box) ? [i] : []));
  } else picked = data.stations.flatMap((s, i) => (inBBox(s.lon, s.lat, where.bbox) ? [i] : []));
  if (picked.length === 0) throw noData(`coords: no station of collection ${collection} lies in the requested ${where.kind === "bbox" ? "bbox" : "area"}`);
  return picked;
}

const observedCache = new WeakMap<StationData, Promise<string[][]>>();

/** Per station, the variables it has at least one value of (read once per opened generation). */
export function observedParameters(ds: OpenedDataset, chunks: ChunkCache, data: StationData): Promise<string[][]> {
  let p = observedCache.get(data);
  if (p === undefined) {
    const all = data.times.map((_, i) => i);
    p = Promise.all(data.stations.map(async (_, s) => {
      const names: string[] = [];
      for (const v of data.variables) if ((await readSeries(ds, chunks, data, s, v.name, all)).some((x) => !Number.isNaN(x))) names.push(v.name, ...(v.flags !== undefined ? [v.flags.info.name] : []));
      return names;
    }));
    observedCache.set(data, p);
  }
  return p;
}

const timeAxisText = new WeakMap<StationData, string>();

/** The JSON text of a result's time axis: the whole axis is serialised once per opened generation. */
export function stationTimesJson(data: StationData, times: readonly number[], encode: (t: readonly number[]) => string): string {
  if (times.length !== data.times.length) return encode(times);
  let text = timeAxisText.get(data);
  if (text === undefined) {
    text = encode(data.times);
    timeAxisText.set(data, text);
  }
  return text;
}

// A warm station series is mostly JSON encoding: the CoverageJSON of a station's whole series (every
// time, the parameters asked for) is kept as the bytes sent, in the data API's memory budget
// (cache-budget.ts), keyed by the opened generation (ds.scope), so a commit makes old entries
// unreachable. A datetime subset is encoded each time.

/** The encoded answer for a station's whole series, built once per generation and parameter list. */
export async function cachedStationDocument(cache: CacheBudget, ds: OpenedDataset, station: number, parameters: readonly string[], build: () => Promise<string>): Promise<Buffer> {
  const documents = cache.region<Buffer>("documents");
  const key = `${ds.scope}\u0000${station}\u0000${parameters.join(",")}`;
  let bytes = documents.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(await build(), "utf8");
    documents.set(key, bytes, bytes.byteLength + 2 * key.length);
  }
  return bytes;
}
