// Per-station summaries of a committed observations store, for the catalog (one STAC item per
// station): where the station is, which variables it observed, and its first and last time.
import { readTable } from "./store.js";
import type { Station } from "./table.js";
import type { ReadableStore } from "../zarr/store.js";

export interface StationSummary {
  station: Station;
  /** Epoch ms of the first and last time with any observation; undefined when the station has none. */
  timeStart?: number;
  timeEnd?: number;
  /** Variables with at least one value at this station. */
  variables: { name: string; units: string; longName?: string; standardName?: string; count: number }[];
}

/** Undefined when the store holds nothing yet. */
export async function stationSummaries(store: ReadableStore): Promise<StationSummary[] | undefined> {
  const opened = await readTable(store);
  if (opened === undefined) return undefined;
  const { table } = opened;
  const T = table.times.length;
  return table.stations.map((station, s) => {
    let first = T;
    let last = -1;
    const variables: StationSummary["variables"] = [];
    for (const v of table.variables) {
      const values = table.values.get(v.name) as Float64Array;
      let count = 0;
      for (let t = 0; t < T; t++) {
        if (Number.isNaN(values[s * T + t] as number)) continue;
        count++;
        if (t < first) first = t;
        if (t > last) last = t;
      }
      if (count > 0)
        variables.push({
          name: v.name, units: v.units, count,
          ...(typeof v.attrs.long_name === "string" ? { longName: v.attrs.long_name } : {}),
          ...(typeof v.attrs.standard_name === "string" ? { standardName: v.attrs.standard_name } : {}),
        });
    }
    return { station, ...(last >= 0 ? { timeStart: table.times[first] as number, timeEnd: table.times[last] as number } : {}), variables };
  });
}
