// CF Discrete Sampling Geometries, featureType timeSeries (CF 1.8 section 9, appendix H.2), read
// into station series whatever the layout:
//   orthogonal multidimensional  data(station, time), time(time)
//   incomplete multidimensional  data(station, obs),  time(station, obs) with fill where absent
//   contiguous ragged            data(obs), time(obs), rowSize(station) with sample_dimension = "obs"
//   indexed ragged               data(obs), time(obs), stationIndex(obs) with instance_dimension = "station"
// The station dimension is the one of the `cf_role = timeseries_id` variable. Data variables are
// the numeric variables on the sample dimensions that are not coordinates, counts, indexes or QC
// flags (variables another names in `ancillary_variables`, or with flag_values / flag_meanings):
// the store computes its own QARTOD flags.
import { openSource } from "../source/open.js";
import type { InputFormat } from "../source/open.js";
import type { SourceDataset, SourceVariable } from "../source/types.js";
import { decodeTime, parseTimeUnits } from "../cftime.js";
import type { Attributes } from "../types.js";
import { SourceError } from "../source/types.js";
import { seriesFromSamples, type ObservationFile, type ObsVariable, type Station, type StationSeries } from "./table.js";

type Layout = ObservationFile["layout"];

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** Physical values: fill and missing values to NaN, packed values unpacked. */
function physical(v: SourceVariable, raw: ArrayLike<number | bigint>): Float64Array {
  const out = new Float64Array(raw.length);
  const scale = typeof v.attrs.scale_factor === "number" ? v.attrs.scale_factor : 1;
  const offset = typeof v.attrs.add_offset === "number" ? v.attrs.add_offset : 0;
  const missing = new Set<number>();
  if (v.fillValue !== null) missing.add(v.fillValue);
  const mv = v.attrs.missing_value;
  for (const m of Array.isArray(mv) ? mv : typeof mv === "number" ? [mv] : []) missing.add(m);
  for (let i = 0; i < raw.length; i++) {
    const x = Number(raw[i]);
    out[i] = missing.has(x) || Number.isNaN(x) || Math.abs(x) >= 9.9e36 ? NaN : x * scale + offset;
  }
  return out;
}

async function readAll(src: SourceDataset, v: SourceVariable): Promise<Float64Array> {
  return physical(v, await src.read(v.name, v.shape.map(() => 0), v.shape));
}

/** Strings of a char variable (last dimension = string length), or of a numeric id variable. */
async function strings(src: SourceDataset, name: string): Promise<string[]> {
  const chars = src.charVariables?.find((c) => c.name === name);
  if (chars !== undefined && src.readChars !== undefined) {
    const bytes = await src.readChars(name);
    const width = chars.shape[chars.shape.length - 1] ?? 1;
    const n = chars.shape.length > 1 ? (chars.shape[0] ?? 0) : 1;
    const decoder = new TextDecoder();
    return Array.from({ length: n }, (_, i) => decoder.decode(bytes.subarray(i * width, (i + 1) * width)).replace(/\0[\s\S]*$/, "").trim());
  }
  const v = src.variables.find((x) => x.name === name);
  if (v === undefined) throw new SourceError(src.path, `variable ${name} is missing`);
  return Array.from(await src.read(name, v.shape.map(() => 0), v.shape) as ArrayLike<number | bigint>, (x) => String(x));
}

function isTime(v: SourceVariable): boolean {
  return typeof v.attrs.units === "string" && /\bsince\b/i.test(v.attrs.units) && (v.attrs.standard_name === "time" || v.attrs.axis === "T" || /^time$/i.test(v.name));
}

/** A station variable (on the station dimension, or scalar for a single station) by its role. */
function stationCoordinate(src: SourceDataset, stationDim: string, role: "lon" | "lat" | "z"): SourceVariable | undefined {
  const onStation = src.variables.filter((v) => v.dims.length === 0 || (v.dims.length === 1 && v.dims[0] === stationDim));
  const sn = (v: SourceVariable) => String(v.attrs.standard_name ?? "");
  if (role === "lon") return onStation.find((v) => sn(v) === "longitude") ?? onStation.find((v) => /^degrees?_?e(ast)?$/i.test(String(v.attrs.units ?? "")));
  if (role === "lat") return onStation.find((v) => sn(v) === "latitude") ?? onStation.find((v) => /^degrees?_?n(orth)?$/i.test(String(v.attrs.units ?? "")));
  return onStation.find((v) => v.attrs.axis === "Z" || ["altitude", "height", "depth", "height_above_mean_sea_level"].includes(sn(v)));
}

/** Heights positive up, in metres: a depth (positive down) of 2 m is -2. */
function heightsOf(v: SourceVariable | undefined, values: Float64Array | undefined, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  if (v === undefined || values === undefined) return out;
  const down = v.attrs.positive === "down" || (v.attrs.positive === undefined && v.attrs.standard_name === "depth");
  const units = String(v.attrs.units ?? "m");
  const scale = /^(cm|centimet(er|re)s?)$/i.test(units) ? 0.01 : 1;
  for (let i = 0; i < n; i++) out[i] = (values.length === 1 ? (values[0] as number) : (values[i] as number)) * scale * (down ? -1 : 1);
  return out;
}

export async function readDsg(path: string, expect: InputFormat = "auto"): Promise<ObservationFile> {
  const src = await openSource(path, { expect });
  try {
    return await readOpened(src);
  } finally {
    src.close();
  }
}

async function readOpened(src: SourceDataset): Promise<ObservationFile> {
  const file = src.path;
  const featureType = text(src.attrs.featureType);
  if (featureType === undefined) throw new SourceError(file, "has no global featureType attribute (a CF DSG file says featureType = \"timeSeries\")");
  if (featureType.toLowerCase() !== "timeseries")
    throw new SourceError(file, `featureType is ${featureType}; this Dataset takes timeSeries${featureType.toLowerCase() === "trajectory" ? " (trajectories, e.g. gliders, are not supported yet)" : ""}`);
  const all = [...src.variables, ...(src.charVariables ?? [])];
  const idVar = all.find((v) => v.attrs.cf_role === "timeseries_id");
  if (idVar === undefined) throw new SourceError(file, "no variable has cf_role = \"timeseries_id\" (the station identifier)");
  const isChar = src.charVariables?.some((c) => c.name === idVar.name) ?? false;
  const stationDim = (isChar ? idVar.dims.slice(0, -1) : idVar.dims)[0];
  const ids = await strings(src, idVar.name);
  const nStations = ids.length;

  const timeVar = src.variables.find(isTime);
  if (timeVar === undefined) throw new SourceError(file, "no time coordinate (a variable with units \"<unit> since <date>\" and standard_name time or axis T)");
  const units = parseTimeUnits(timeVar.attrs.units, timeVar.attrs.calendar);
  const times = await readAll(src, timeVar);

  // The layout, and for each sample on the sample dimension(s) which station row and time it has.
  const rowSize = src.variables.find((v) => typeof v.attrs.sample_dimension === "string");
  const stationIndex = src.variables.find((v) => typeof v.attrs.instance_dimension === "string");
  let layout: Layout;
  let sampleDims: string[];
  let rowOf: (k: number) => number;
  let timeOf: (k: number) => number;
  let samples: number;
  if (rowSize !== undefined) {
    layout = "contiguous-ragged";
    sampleDims = [String(rowSize.attrs.sample_dimension)];
    const counts = await readAll(src, rowSize);
    const rows: number[] = [];
    counts.forEach((c, s) => { for (let i = 0; i < c; i++) rows.push(s); });
    samples = timeVar.shape[0] ?? 0;
    if (rows.length !== samples) throw new SourceError(file, `${rowSize.name} counts ${rows.length} observations but dimension ${sampleDims[0]} has ${samples}`);
    rowOf = (k) => rows[k] as number;
    timeOf = (k) => times[k] as number;
  } else if (stationIndex !== undefined) {
    layout = "indexed-ragged";
    sampleDims = stationIndex.dims;
    const index = await readAll(src, stationIndex);
    samples = index.length;
    for (let k = 0; k < samples; k++) {
      const s = index[k] as number;
      if (!Number.isInteger(s) || s < 0 || s >= nStations)
        throw new SourceError(file, `observation ${k} belongs to station index ${s} (${stationIndex.name}), which is no station of the ${nStations} in ${idVar.name}: an unknown station`);
    }
    rowOf = (k) => index[k] as number;
    timeOf = (k) => times[k] as number;
  } else if (timeVar.dims.length === 1 && timeVar.dims[0] !== stationDim) {
    layout = "orthogonal";
    const T = times.length;
    sampleDims = [stationDim ?? "", timeVar.dims[0] as string];
    samples = nStations * T;
    rowOf = (k) => Math.floor(k / T);
    timeOf = (k) => times[k % T] as number;
  } else if (timeVar.dims.length === 2 && timeVar.dims[0] === stationDim) {
    layout = "incomplete";
    sampleDims = timeVar.dims;
    const T = timeVar.shape[1] ?? 0;
    samples = nStations * T;
    rowOf = (k) => Math.floor(k / T);
    timeOf = (k) => times[k] as number;
  } else {
    throw new SourceError(file, `cannot tell the DSG layout: no rowSize (sample_dimension) or stationIndex (instance_dimension) variable, and time has dimensions (${timeVar.dims.join(", ")})`);
  }

  const flagNames = new Set(src.variables.flatMap((v) => String(v.attrs.ancillary_variables ?? "").split(/\s+/).filter(Boolean)));
  const coordinateNames = new Set([timeVar.name, rowSize?.name, stationIndex?.name, idVar.name].filter((x): x is string => x !== undefined));
  const dataVars = src.variables.filter((v) => v.dims.length === sampleDims.length && v.dims.every((d, i) => d === sampleDims[i]) && !coordinateNames.has(v.name) && !flagNames.has(v.name) && v.attrs.flag_values === undefined && v.attrs.flag_meanings === undefined && v.attrs.cf_role === undefined);
  if (dataVars.length === 0) throw new SourceError(file, `no data variables on the sample dimension${sampleDims.length > 1 ? "s" : ""} (${sampleDims.join(", ")})`);

  const lonVar = stationCoordinate(src, stationDim ?? "", "lon");
  const latVar = stationCoordinate(src, stationDim ?? "", "lat");
  if (lonVar === undefined || latVar === undefined) throw new SourceError(file, `no station longitude/latitude variables (standard_name longitude and latitude on dimension ${stationDim})`);
  const zVar = stationCoordinate(src, stationDim ?? "", "z");
  const [lon, lat] = await Promise.all([readAll(src, lonVar), readAll(src, latVar)]);
  const z = heightsOf(zVar, zVar === undefined ? undefined : await readAll(src, zVar), nStations);
  const nameVar = all.find((v) => v !== idVar && (v.dims[0] === stationDim) && (v.attrs.standard_name === "platform_name" || /^(station_name|platform_name)$/i.test(v.name)));
  const names = nameVar !== undefined ? await strings(src, nameVar.name) : ids;
  const platformVar = all.find((v) => v.dims[0] === stationDim && /^platform_type$/i.test(v.name));
  const platforms = platformVar !== undefined ? await strings(src, platformVar.name) : ids.map(() => text(src.attrs.platform) ?? "fixed");

  const stations: Station[] = ids.map((id, s) => {
    let x = (lon.length === 1 ? lon[0] : lon[s]) as number;
    if (x > 180) x -= 360;
    return { id, name: names[s] ?? id, lon: x, lat: (lat.length === 1 ? lat[0] : lat[s]) as number, z: z[s] as number, platform: platforms[s] ?? "fixed" };
  });
  const bad = stations.find((s) => !Number.isFinite(s.lon) || !Number.isFinite(s.lat) || s.id === "");
  if (bad !== undefined) throw new SourceError(file, bad.id === "" ? "a station has an empty timeseries_id: an unknown station" : `station ${bad.id} has no valid longitude/latitude`);

  const data = await Promise.all(dataVars.map((v) => readAll(src, v)));
  const perStation = stations.map(() => ({ times: [] as number[], values: Object.fromEntries(dataVars.map((v) => [v.name, [] as number[]])) as Record<string, number[]> }));
  for (let k = 0; k < samples; k++) {
    const raw = timeOf(k);
    if (Number.isNaN(raw)) continue;
    const row = perStation[rowOf(k)];
    if (row === undefined) continue;
    row.times.push(decodeTime(raw, units));
    dataVars.forEach((v, i) => (row.values[v.name] as number[]).push((data[i] as Float64Array)[k] as number));
  }
  const series: StationSeries[] = stations.map((station, s) => seriesFromSamples(file, station, perStation[s]?.times ?? [], perStation[s]?.values ?? {}));
  const variables: ObsVariable[] = dataVars.map((v) => ({ name: v.name, units: text(v.attrs.units) ?? "1", attrs: keptAttributes(v.attrs) }));
  return { path: file, layout, attrs: src.attrs, variables, series };
}

/** Attributes that describe the physical quantity; layout ones (coordinates, packing, ancillary) are the store's to set. */
export function keptAttributes(attrs: Attributes): Attributes {
  const drop = new Set(["coordinates", "ancillary_variables", "scale_factor", "add_offset", "missing_value", "_FillValue", "valid_min", "valid_max", "valid_range", "_Unsigned", "_ChunkSizes"]);
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => !drop.has(k)));
}
