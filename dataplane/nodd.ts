// NOAA Open Data Dissemination (NODD) object keys for the operational forecast systems:
// which model, which cycle, nowcast or forecast, and which hour. Both bucket layouts:
//   noaa-ofs-pds (older):      cbofs.20231022/nos.cbofs.fields.n006.20231022.t00z.nc
//                              rtofs.20230922/rtofs_glo_2ds_f001_diag.nc
//   noaa-nos-ofs-pds (newer):  cbofs/netcdf/2023/10/22/cbofs.t00z.20231022.fields.f001.nc
// The key only says which run a file belongs to; valid times always come from the file itself.

export interface NoddKey {
  model: string;
  /** Cycle (forecast reference time) in epoch milliseconds, UTC. */
  cycleMs: number;
  kind: "nowcast" | "forecast";
  /** The NNN of nNNN / fNNN: forecast hour, or nowcast step hour. */
  hour: number;
  /** Product: "fields", "stations", "2ds_diag", ... */
  product: string;
}

function cycle(yyyymmdd: string, hh: string): number {
  const y = Number(yyyymmdd.slice(0, 4));
  const mo = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const h = Number(hh);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) throw new Error(`invalid date ${yyyymmdd} t${hh}z`);
  return Date.UTC(y, mo - 1, d, h);
}

const OLD_OFS = /(?:^|\/)([a-z0-9]+)\.(\d{8})\/nos\.\1\.([a-z0-9_]+)\.([nf])(\d{3})\.(\d{8})\.t(\d{2})z\.nc$/;
const NEW_OFS = /(?:^|\/)([a-z0-9]+)\/netcdf\/(\d{4})\/(\d{2})\/(\d{2})\/\1\.t(\d{2})z\.(\d{8})\.([a-z0-9_]+)\.([nf])(\d{3})\.nc$/;
const RTOFS = /(?:^|\/)rtofs\.(\d{8})\/rtofs_glo_([a-z0-9]+)_([nf])(\d{3})_([a-z0-9_]+)\.nc$/;

/** Parses a NODD key or a path ending in one; undefined when it follows neither layout. */
export function parseNoddKey(key: string): NoddKey | undefined {
  const path = key.replace(/^s3:\/\/[^/]+\//, "");
  let m = OLD_OFS.exec(path);
  if (m !== null) {
    if (m[2] !== m[6]) return undefined;
    return { model: m[1] ?? "", cycleMs: cycle(m[6] ?? "", m[7] ?? ""), kind: m[4] === "n" ? "nowcast" : "forecast", hour: Number(m[5]), product: m[3] ?? "" };
  }
  m = NEW_OFS.exec(path);
  if (m !== null) {
    if (`${m[2]}${m[3]}${m[4]}` !== m[6]) return undefined;
    return { model: m[1] ?? "", cycleMs: cycle(m[6] ?? "", m[5] ?? ""), kind: m[8] === "n" ? "nowcast" : "forecast", hour: Number(m[9]), product: m[7] ?? "" };
  }
  m = RTOFS.exec(path);
  if (m !== null) {
    return { model: "rtofs", cycleMs: cycle(m[1] ?? "", "00"), kind: m[3] === "n" ? "nowcast" : "forecast", hour: Number(m[4]), product: `${m[2]}_${m[5]}` };
  }
  return undefined;
}
