// ERDDAP tabledap CSV (`.csv`): the first row names the columns, the second gives their units
// ("UTC" for time), then one row per observation. Columns: the station (`station`, `station_id`,
// `platform_id` or `site_id`, the first found), `time` (ISO 8601), `longitude`,
// `latitude`, optionally `z` / `altitude` (m, up) or `depth` (m, down), `station_name`,
// `platform_type`; every other column is an observed variable, except ERDDAP's QC columns
// (`*_qc`, `*_qc_agg`, `*_qc_tests`), since the store computes its own flags.
import { readFile } from "node:fs/promises";
import { SourceError } from "../source/types.js";
import { seriesFromSamples, type ObservationFile, type ObsVariable, type Station } from "./table.js";

/** RFC 4180 fields, quoted or not, of every line (CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const STATION = ["station", "station_id", "platform_id", "site_id"];
const ROLES = new Set([...STATION, "time", "longitude", "latitude", "z", "altitude", "depth", "station_name", "platform_type"]);

function number(s: string | undefined): number {
  const t = (s ?? "").trim();
  return t === "" || /^nan$/i.test(t) ? NaN : Number(t);
}

export async function readErddapCsv(path: string): Promise<ObservationFile> {
  const rows = parseCsv(await readFile(path, "utf8"));
  const [names, units] = rows;
  if (names === undefined || units === undefined) throw new SourceError(path, "an ERDDAP CSV needs a names row and a units row");
  const col = (name: string) => names.findIndex((n) => n.trim().toLowerCase() === name);
  const stationCol = STATION.map(col).find((i) => i >= 0);
  const [timeCol, lonCol, latCol] = ["time", "longitude", "latitude"].map(col) as [number, number, number];
  const missing = [stationCol === undefined ? `a station column (${STATION.join(" or ")})` : "", timeCol < 0 ? "time" : "", lonCol < 0 ? "longitude" : "", latCol < 0 ? "latitude" : ""].filter(Boolean);
  if (missing.length > 0 || stationCol === undefined) throw new SourceError(path, `ERDDAP CSV without ${missing.join(", ")} (columns: ${names.join(", ")})`);
  if (!/^(utc|)$/i.test((units[timeCol] ?? "").trim())) throw new SourceError(path, `column time has units ${JSON.stringify(units[timeCol])}; tabledap CSV times are ISO 8601 in UTC`);
  const zCol = ["z", "altitude", "depth"].map(col).find((i) => i >= 0);
  const zDown = zCol !== undefined && names[zCol]?.trim().toLowerCase() === "depth";
  const nameCol = col("station_name");
  const platformCol = col("platform_type");
  const dataCols = names.map((n, i) => ({ n: n.trim(), i })).filter(({ n }) => !ROLES.has(n.toLowerCase()) && !/_qc(_agg|_tests)?$/i.test(n));
  if (dataCols.length === 0) throw new SourceError(path, "no data columns besides station, time and position");
  const variables: ObsVariable[] = dataCols.map(({ n, i }) => ({ name: n, units: (units[i] ?? "").trim() || "1", attrs: { units: (units[i] ?? "").trim() || "1" } }));

  const byStation = new Map<string, { station: Station; times: number[]; values: Record<string, number[]> }>();
  for (let r = 2; r < rows.length; r++) {
    const row = rows[r] as string[];
    const id = (row[stationCol] ?? "").trim();
    const line = r + 1;
    if (id === "") throw new SourceError(path, `line ${line}: empty station id (column ${names[stationCol]}): an unknown station`);
    const t = Date.parse((row[timeCol] ?? "").trim());
    if (Number.isNaN(t)) throw new SourceError(path, `line ${line}: time ${JSON.stringify(row[timeCol])} is not ISO 8601`);
    let lon = number(row[lonCol]);
    if (lon > 180) lon -= 360;
    const lat = number(row[latCol]);
    const zRaw = zCol === undefined ? NaN : number(row[zCol]);
    const station: Station = { id, name: nameCol >= 0 ? (row[nameCol] ?? "").trim() || id : id, lon, lat, z: zDown ? -zRaw : zRaw, platform: platformCol >= 0 ? (row[platformCol] ?? "").trim() || "fixed" : "fixed" };
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new SourceError(path, `line ${line}: station ${id} has no valid longitude/latitude`);
    let entry = byStation.get(id);
    if (entry === undefined) {
      entry = { station, times: [], values: Object.fromEntries(dataCols.map(({ n }) => [n, [] as number[]])) };
      byStation.set(id, entry);
    } else if (entry.station.lon !== lon || entry.station.lat !== lat) {
      throw new SourceError(path, `line ${line}: station ${id} is at lon ${lon}, lat ${lat} but at lon ${entry.station.lon}, lat ${entry.station.lat} on an earlier line`);
    }
    entry.times.push(t);
    for (const { n, i } of dataCols) (entry.values[n] as number[]).push(number(row[i]));
  }
  const series = [...byStation.values()].map((e) => seriesFromSamples(path, e.station, e.times, e.values));
  return { path, layout: "erddap-csv", attrs: {}, variables, series };
}
