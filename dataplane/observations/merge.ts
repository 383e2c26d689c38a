// Merging one file into the station table: the rules of an observations append. Pure.
// - A station is known by its id; a known id must keep its position (a moved platform is a new
//   station with a new id), else the file is refused naming the station and both positions.
// - A variable keeps the units the store first gave it; a file in other units (by UDUNITS-2, not by
//   spelling: "meter" is "m") is refused naming both and saying whether one converts to the other.
// - New stations, variables and times are added (the time axis stays sorted and shared).
// - Where the store and the file both have a value at a station and time, the file's (newer)
//   value is kept, and the merge says how many values were replaced and where.
// - A file that adds nothing and changes no value leaves the table unchanged (`changed: false`):
//   ingesting a file twice is a no-op.
import type { Lookup } from "../qc/units/expression.js";
import { relateUnits } from "../qc/units/compare.js";
import { SourceError } from "../source/types.js";
import { type ObservationFile, type ObsVariable, type Station, type StationTable } from "./table.js";

/** Degrees: stations closer than this (~1 cm) are at the same position. */
const SAME_POSITION = 1e-7;

export interface Replacement {
  station: string;
  variable: string;
  count: number;
  first: number;
  last: number;
}

export interface MergeResult {
  table: StationTable;
  changed: boolean;
  /** Values at times the store already had, replaced by the file's. */
  replaced: Replacement[];
  newStations: string[];
  newTimes: number;
  /** Values the file contributed (not NaN). */
  observations: number;
}

function samePosition(a: Station, b: Station): boolean {
  return Math.abs(a.lon - b.lon) <= SAME_POSITION && Math.abs(a.lat - b.lat) <= SAME_POSITION && (a.z === b.z || (Number.isNaN(a.z) && Number.isNaN(b.z)) || Math.abs(a.z - b.z) <= 1e-6);
}

function unitsProblem(name: string, here: string, stored: string, units: Lookup | undefined): string | undefined {
  const differ = `variable ${name} is in ${JSON.stringify(here)} here but ${JSON.stringify(stored)} in the store`;
  const relation = relateUnits(here, stored, units);
  switch (relation.kind) {
    case "same":
      return undefined;
    case "convertible":
      return `${differ}; convert it (UDUNITS-2 converts one to the other) or use another Dataset`;
    case "incompatible":
      return `${differ}, which are not even the same quantity; use another variable name or Dataset`;
    case "unknown":
      return `${differ} (${relation.reason}); convert it or use another Dataset`;
  }
}

/**
 * Checks the file against the table without changing anything; throws SourceError naming the file.
 * `units` (a UDUNITS-2 lookup) lets "meter" match "m"; without it units must be spelt alike.
 */
export function checkAgainst(table: StationTable, file: ObservationFile, units?: Lookup): void {
  const stored = new Map(table.variables.map((v) => [v.name, v]));
  for (const v of file.variables) {
    const known = stored.get(v.name);
    const problem = known === undefined ? undefined : unitsProblem(v.name, v.units, known.units, units);
    if (problem !== undefined) throw new SourceError(file.path, problem);
  }
  const stations = new Map(table.stations.map((s) => [s.id, s]));
  for (const { station } of file.series) {
    if (station.id.trim() === "") throw new SourceError(file.path, `a station has an empty id (the timeseries_id variable or the CSV's station column)`);
    const known = stations.get(station.id);
    if (known !== undefined && !samePosition(known, station))
      throw new SourceError(file.path, `station ${station.id} is at lon ${station.lon}, lat ${station.lat}, z ${station.z} here but at lon ${known.lon}, lat ${known.lat}, z ${known.z} in the store (a station that moved needs a new id)`);
  }
}

export function mergeFile(table: StationTable, file: ObservationFile, units?: Lookup): MergeResult {
  checkAgainst(table, file, units);
  const stations = [...table.stations];
  const stationIndex = new Map(stations.map((s, i) => [s.id, i]));
  const newStations: string[] = [];
  for (const { station } of file.series)
    if (!stationIndex.has(station.id)) {
      stationIndex.set(station.id, stations.length);
      stations.push(station);
      newStations.push(station.id);
    }
  const variables: ObsVariable[] = [...table.variables];
  for (const v of file.variables) if (!variables.some((x) => x.name === v.name)) variables.push(v);

  const timeSet = new Set(table.times);
  let newTimes = 0;
  for (const s of file.series)
    for (const t of s.times)
      if (!timeSet.has(t)) {
        timeSet.add(t);
        newTimes++;
      }
  const times = newTimes === 0 ? table.times : [...timeSet].sort((a, b) => a - b);
  const timeIndex = new Map(times.map((t, i) => [t, i]));
  const oldToNew = table.times.map((t) => timeIndex.get(t) as number);

  const S = stations.length;
  const T = times.length;
  const values = new Map<string, Float64Array>();
  const sameShape = newStations.length === 0 && newTimes === 0;
  for (const v of variables) {
    const before = table.values.get(v.name);
    if (sameShape && before !== undefined) {
      values.set(v.name, before.slice());
      continue;
    }
    const out = new Float64Array(S * T).fill(NaN);
    if (before !== undefined) {
      const T0 = table.times.length;
      for (let s = 0; s < table.stations.length; s++) for (let t = 0; t < T0; t++) out[s * T + (oldToNew[t] as number)] = before[s * T0 + t] as number;
    }
    values.set(v.name, out);
  }

  let changed = newStations.length > 0 || newTimes > 0 || variables.length > table.variables.length;
  let observations = 0;
  const replaced: Replacement[] = [];
  for (const s of file.series) {
    const row = stationIndex.get(s.station.id) as number;
    for (const [name, series] of Object.entries(s.values)) {
      const out = values.get(name) as Float64Array;
      let r: Replacement | undefined;
      for (let k = 0; k < s.times.length; k++) {
        const v = series[k] as number;
        if (Number.isNaN(v)) continue;
        observations++;
        const at = row * T + (timeIndex.get(s.times[k] as number) as number);
        const old = out[at] as number;
        if (old === v) continue;
        changed = true;
        if (!Number.isNaN(old)) {
          const t = s.times[k] as number;
          r ??= { station: s.station.id, variable: name, count: 0, first: t, last: t };
          r.count++;
          r.last = t;
        }
        out[at] = v;
      }
      if (r !== undefined) replaced.push(r);
    }
  }
  // Station metadata (name, platform) follows the newest file too.
  for (const { station } of file.series) {
    const i = stationIndex.get(station.id) as number;
    const old = stations[i] as Station;
    if (old.name !== station.name || old.platform !== station.platform) {
      stations[i] = { ...old, name: station.name, platform: station.platform };
      changed = true;
    }
  }
  return { table: { stations, times, variables, values }, changed, replaced, newStations, newTimes, observations };
}

/** "3 values of water_level at station 8575512 from ... to ..." for the ingest report. */
export function describeReplacements(replaced: readonly Replacement[]): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  return replaced.map((r) => `${r.count} value${r.count === 1 ? "" : "s"} of ${r.variable} at station ${r.station} (${iso(r.first)} to ${iso(r.last)})`).join("; ");
}
