// Station observations in memory: what every reader (CF DSG timeSeries in its three layouts,
// ERDDAP tabledap CSV) turns a file into, and what the store holds (station x time). Pure.
import type { Attributes } from "../types.js";
// A file the ingest will not take is a SourceError, as for the NetCDF readers: it names the file.
import { SourceError } from "../source/types.js";

/** One station (a CF DSG timeSeries instance): its identity and where it is. */
export interface Station {
  /** The `cf_role = timeseries_id` value (or the CSV's station column). */
  readonly id: string;
  readonly name: string;
  /** Degrees east (-180..180) and north. */
  readonly lon: number;
  readonly lat: number;
  /** Height of the sensor, metres, positive up (a depth of 2 m is -2); NaN when unknown. */
  readonly z: number;
  /** CO-OPS water level station, NDBC buoy, ...: the source's `platform_type` (or global `platform`). */
  readonly platform: string;
}

/** An observed variable: its name, units and the source attributes kept in the store. */
export interface ObsVariable {
  readonly name: string;
  readonly units: string;
  readonly attrs: Attributes;
}

/** One station's series as a file gives it: times (epoch ms, ascending, unique) and values per variable (NaN missing). */
export interface StationSeries {
  readonly station: Station;
  readonly times: readonly number[];
  readonly values: Readonly<Record<string, Float64Array>>;
}

/** What a reader makes of one file. */
export interface ObservationFile {
  readonly path: string;
  readonly layout: "orthogonal" | "incomplete" | "contiguous-ragged" | "indexed-ragged" | "erddap-csv";
  readonly attrs: Attributes;
  readonly variables: readonly ObsVariable[];
  readonly series: readonly StationSeries[];
}

/** The store's content: every station over one shared time axis (CF orthogonal multidimensional). */
export interface StationTable {
  readonly stations: Station[];
  /** Epoch ms, ascending, unique. */
  readonly times: number[];
  readonly variables: ObsVariable[];
  /** Per variable, [station][time] in C order; NaN where not observed. */
  readonly values: Map<string, Float64Array>;
}

export function emptyTable(): StationTable {
  return { stations: [], times: [], variables: [], values: new Map() };
}

/** Sorts one station's samples by time; a time given twice with different values is an error (which one to keep?). */
export function seriesFromSamples(file: string, station: Station, times: number[], values: Record<string, number[]>): StationSeries {
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  const out: Record<string, Float64Array> = {};
  const names = Object.keys(values);
  for (const n of names) out[n] = new Float64Array(order.length);
  const sorted: number[] = [];
  for (const i of order) {
    const t = times[i] as number;
    const k = sorted.length;
    if (k > 0 && sorted[k - 1] === t) {
      for (const n of names) {
        const before = (out[n] as Float64Array)[k - 1] as number;
        const v = (values[n] as number[])[i] as number;
        if (!Number.isNaN(v) && !Number.isNaN(before) && v !== before) throw new SourceError(file, `station ${station.id} has two values of ${n} at ${new Date(t).toISOString()} (${before} and ${v})`);
        if (Number.isNaN(before)) (out[n] as Float64Array)[k - 1] = v;
      }
      continue;
    }
    sorted.push(t);
    for (const n of names) (out[n] as Float64Array)[k] = (values[n] as number[])[i] as number;
  }
  for (const n of names) out[n] = (out[n] as Float64Array).slice(0, sorted.length);
  return { station, times: sorted, values: out };
}
