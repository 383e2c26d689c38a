// Test fixtures: NetCDF files generated with ncgen (Debian netcdf-bin) from the CDL templates in
// test/fixtures/cdl. Data values depend on the grid cell, the valid time and the forecast cycle,
// so a wrong choice of source (for example the wrong lead in a best forecast) shows in the values.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const cdlDir = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "cdl");
const HOUR = 3_600_000;

export function tempDir(prefix = "dmac-dp-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

function fill(template: string, values: Record<string, ArrayLike<number>>): string {
  return template.replace(/@(\w+)@/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`fixture: no data for placeholder @${name}@`);
    return Array.from(v, (x) => (Number.isNaN(x) ? "_" : String(x))).join(", ");
  });
}

function ncgen(template: string, values: Record<string, ArrayLike<number>>, out: string, kind: "nc4" | "classic", edit: (cdl: string) => string = (x) => x): string {
  mkdirSync(dirname(out), { recursive: true });
  const cdl = out.replace(/\.nc$/, ".cdl");
  writeFileSync(cdl, edit(fill(readFileSync(join(cdlDir, template), "utf8"), values)));
  execFileSync("ncgen", ["-k", kind, "-o", out, cdl]);
  rmSync(cdl);
  return out;
}

function grid(ny: number, nx: number, f: (j: number, i: number) => number): number[] {
  const out: number[] = [];
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out.push(f(j, i));
  return out;
}

export interface CycleFile {
  /** Cycle (forecast reference time), UTC. */
  cycle: Date;
  kind: "n" | "f";
  /** Hours: forecast lead (f001 = 1) or nowcast step (n006 = the cycle time itself). */
  hour: number;
}

/** Valid time the way NOS files carry it: nowcast nNNN ends at the cycle, forecast fNNN is cycle + NNN h. */
export function validTime(f: CycleFile): Date {
  const offset = f.kind === "f" ? f.hour : f.hour - 6;
  return new Date(f.cycle.getTime() + offset * HOUR);
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, "");
}
function hhh(n: number): string {
  return String(n).padStart(3, "0");
}

/** Older noaa-ofs-pds key: cbofs.20231022/nos.cbofs.fields.f001.20231022.t00z.nc */
export function romsKey(f: CycleFile): string {
  const day = ymd(f.cycle);
  const cc = String(f.cycle.getUTCHours()).padStart(2, "0");
  return `cbofs.${day}/nos.cbofs.fields.${f.kind}${hhh(f.hour)}.${day}.t${cc}z.nc`;
}

export interface RomsOptions {
  /** Shift the longitudes: a file "on another grid". */
  lonShift?: number;
}

const ROMS_EPOCH = Date.UTC(2016, 0, 1);

export function romsFile(root: string, f: CycleFile, opts: RomsOptions = {}): string {
  const [ny, nx, ns] = [5, 7, 3];
  const t = validTime(f).getTime();
  const hours = (t - ROMS_EPOCH) / HOUR;
  const cyc = (f.cycle.getTime() - ROMS_EPOCH) / HOUR;
  const mask = grid(ny, nx, (j, i) => (i === 0 && j < 2 ? 0 : 1));
  const wet = (k: number) => mask[k % (ny * nx)] === 1;
  const zeta = grid(ny, nx, (j, i) => Math.round((0.01 * i + 0.02 * j + 0.1 * Math.sin(hours / 3) + 0.001 * (cyc % 97)) * 1e4) / 1e4);
  const temp: number[] = [];
  const salt: number[] = [];
  for (let s = 0; s < ns; s++)
    grid(ny, nx, (j, i) => i + j).forEach((_, k) => {
      temp.push(wet(k) ? Math.round((15 + s + 0.1 * k + 0.05 * (hours % 24) + 0.01 * (cyc % 89)) * 1000) / 1000 : NaN);
      salt.push(wet(k) ? Math.round(10000 + 100 * s + 7 * k + (hours % 50) + (cyc % 13)) : NaN);
    });
  return ncgen(
    "roms-cbofs.cdl",
    {
      ocean_time: [(t - ROMS_EPOCH) / 1000],
      h: grid(ny, nx, (j, i) => 5 + i + 2 * j),
      lon_rho: grid(ny, nx, (j, i) => -76.5 + 0.05 * i + 0.01 * j + (opts.lonShift ?? 0)),
      lat_rho: grid(ny, nx, (j, i) => 37.0 + 0.04 * j + 0.005 * i),
      mask_rho: mask,
      zeta: zeta.map((z, k) => (wet(k) ? z : NaN)),
      temp,
      salt,
    },
    join(root, romsKey(f)),
    "nc4",
  );
}

const MJD_EPOCH = Date.UTC(1858, 10, 17);

export function fvcomKey(f: CycleFile): string {
  const day = ymd(f.cycle);
  const cc = String(f.cycle.getUTCHours()).padStart(2, "0");
  return `ngofs2.${day}/nos.ngofs2.fields.${f.kind}${hhh(f.hour)}.${day}.t${cc}z.nc`;
}

export interface FvcomOptions {
  /** Add FVCOM's `char Times(time, DateStrLen)` (real NOS FVCOM files carry it). */
  times?: boolean;
  /** NetCDF-3 classic (as NOS writes FVCOM) or NetCDF-4. */
  format?: "classic" | "nc4";
}

/** FVCOM's Times string of a valid time: "2023-10-22T01:00:00.000000" (26 characters). */
export function fvcomTimes(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19)}.000000`;
}

function withTimes(t: number): (cdl: string) => string {
  return (cdl) =>
    cdl
      .replace("\ttime = UNLIMITED ;", "\tDateStrLen = 26 ;\n\ttime = UNLIMITED ;")
      .replace("variables:\n", 'variables:\n\tchar Times(time, DateStrLen) ;\n\t\tTimes:time_zone = "UTC" ;\n')
      .replace(/\n}\s*$/, `\n Times = "${fvcomTimes(t)}" ;\n}\n`);
}

export function fvcomFile(root: string, f: CycleFile, opts: FvcomOptions = {}): string {
  const t = validTime(f).getTime();
  const days = (t - MJD_EPOCH) / (24 * HOUR);
  const hours = t / HOUR;
  const cyc = f.cycle.getTime() / HOUR;
  const nodes = 7;
  const eles = 6;
  return ncgen(
    "fvcom-ngofs2.cdl",
    {
      lon: Array.from({ length: nodes }, (_, i) => -90.5 + 0.01 * i),
      lat: Array.from({ length: nodes }, (_, i) => 28.5 + 0.005 * (i % 3)),
      lonc: Array.from({ length: eles }, (_, i) => -90.495 + 0.01 * i),
      latc: Array.from({ length: eles }, (_, i) => 28.502 + 0.001 * i),
      time: [days],
      Itime: [Math.floor(days)],
      Itime2: [Math.round((days - Math.floor(days)) * 86_400_000)],
      zeta: Array.from({ length: nodes }, (_, i) => Math.round((0.1 * i + Math.cos(hours / 5) + 0.01 * (cyc % 31)) * 1e4) / 1e4),
      temp: Array.from({ length: 2 * nodes }, (_, k) => Math.round((20 + 0.3 * k + 0.1 * (hours % 12) + 0.02 * (cyc % 7)) * 1e3) / 1e3),
      u: Array.from({ length: 2 * eles }, (_, k) => Math.round((0.05 * k - 0.2 + 0.01 * (hours % 10) + 0.001 * (cyc % 11)) * 1e4) / 1e4),
    },
    join(root, fvcomKey(f)),
    opts.format ?? "classic",
    opts.times === true ? withTimes(t) : undefined,
  );
}

export function selfeKey(f: CycleFile): string {
  const day = ymd(f.cycle);
  const cc = String(f.cycle.getUTCHours()).padStart(2, "0");
  return `creofs.${day}/nos.creofs.fields.${f.kind}${hhh(f.hour)}.${day}.t${cc}z.nc`;
}

const SELFE_EPOCH = Date.UTC(2023, 0, 1);

/** How a SELFE file's time coordinate is encoded: `<unit> since <referenceMs>` in `type`. */
export interface TimeEncoding {
  referenceMs: number;
  unit: "seconds" | "minutes" | "hours";
  type?: "double" | "int";
  calendar?: string;
}

export interface SelfeOptions {
  /**
   * The time coordinate: "epoch" (default) seconds since 2023-01-01 in every file; "run", seconds
   * since the start of the file's own run as CREOFS writes them (the cycle for a forecast, six
   * hours before it for a nowcast), so the units differ per cycle; or any other encoding.
   */
  time?: "epoch" | "run" | TimeEncoding;
  /** Minutes added to the valid time (an output step off the hour). */
  shiftMinutes?: number;
}

/** The start of the run that wrote `f`: the cycle for a forecast, the nowcast's start six hours before it. */
export function runStart(f: CycleFile): number {
  return f.cycle.getTime() - (f.kind === "n" ? 6 * HOUR : 0);
}

/** CF date as SELFE writes it in `time:units` ("2023-10-22 06:00:00"). */
function cfDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function timeEncoding(f: CycleFile, time: SelfeOptions["time"]): TimeEncoding {
  if (time === undefined || time === "epoch") return { referenceMs: SELFE_EPOCH, unit: "seconds" };
  if (time === "run") return { referenceMs: runStart(f), unit: "seconds" };
  return time;
}

/**
 * Rewrites the CDL's time coordinate to `enc` (units, dtype, calendar). SELFE's `base_date`
 * (the units' date again) is left out: a store keeps the first file's, which xarray's
 * combination of files in another order would not, and the tests compare units themselves.
 */
function withTimeEncoding(enc: TimeEncoding): (cdl: string) => string {
  if (enc.referenceMs === SELFE_EPOCH && enc.unit === "seconds" && enc.type === undefined && enc.calendar === undefined) return (cdl) => cdl;
  return (cdl) =>
    cdl
      .replace("\tdouble time(time) ;", `\t${enc.type ?? "double"} time(time) ;`)
      .replace('time:units = "seconds since 2023-01-01 00:00:00" ;', `time:units = "${enc.unit} since ${cfDate(enc.referenceMs)}" ;${enc.calendar !== undefined ? `\n\t\ttime:calendar = "${enc.calendar}" ;` : ""}`)
      .replace('\t\ttime:base_date = "2023 1 1 0 0" ;\n', "");
}

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: HOUR } as const;

/** A CREOFS-like SELFE/SCHISM file (NetCDF-4); values depend on node, layer, valid time and cycle. */
export function selfeFile(root: string, f: CycleFile, opts: SelfeOptions = {}): string {
  const t = validTime(f).getTime() + (opts.shiftMinutes ?? 0) * 60_000;
  const enc = timeEncoding(f, opts.time);
  const hours = t / HOUR;
  const cyc = f.cycle.getTime() / HOUR;
  const nodes = 6;
  const layers = 3;
  return ncgen(
    "selfe-creofs.cdl",
    {
      x: Array.from({ length: nodes }, (_, i) => -123.9 + 0.02 * (i % 3)),
      y: Array.from({ length: nodes }, (_, i) => 46.2 + 0.015 * Math.floor(i / 3)),
      time: [(t - enc.referenceMs) / UNIT_MS[enc.unit]],
      elev: Array.from({ length: nodes }, (_, i) => (i === 5 && hours % 2 === 0 ? NaN : Math.round((0.3 * i + Math.sin(hours / 4) + 0.01 * (cyc % 37)) * 1e4) / 1e4)),
      temp: Array.from({ length: nodes * layers }, (_, k) => Math.round((9 + 0.2 * k + 0.1 * (hours % 12) + 0.03 * (cyc % 19)) * 1e3) / 1e3),
    },
    join(root, selfeKey(f)),
    "nc4",
    withTimeEncoding(enc),
  );
}

const RTOFS_EPOCH = Date.UTC(1900, 11, 31);

export function rtofsKey(f: CycleFile): string {
  const kind = f.kind === "n" ? "n" : "f";
  return `rtofs.${ymd(f.cycle)}/rtofs_glo_2ds_${kind}${hhh(f.hour)}_diag.nc`;
}

/** RTOFS runs once a day at 00z; its nowcast steps n-24..n000 end at the cycle. */
export function rtofsValidTime(f: CycleFile): Date {
  return new Date(f.cycle.getTime() + (f.kind === "f" ? f.hour : -f.hour) * HOUR);
}

export function rtofsFile(root: string, f: CycleFile): string {
  const t = rtofsValidTime(f).getTime();
  const days = (t - RTOFS_EPOCH) / (24 * HOUR);
  const hours = t / HOUR;
  const cyc = f.cycle.getTime() / HOUR;
  const [ny, nx] = [4, 6];
  return ncgen(
    "rtofs-2ds.cdl",
    {
      MT: [days],
      Latitude: grid(ny, nx, (j) => 10 + 0.08 * j),
      Longitude: grid(ny, nx, (_j, i) => 280 + 0.08 * i),
      ssh: grid(ny, nx, (j, i) => (j === 3 && i > 3 ? NaN : Math.round((0.2 * Math.sin(hours / 6 + i) + 0.01 * j + 0.003 * (cyc % 41)) * 1e4) / 1e4)),
      mixed_layer_thickness: grid(ny, nx, (j, i) => (j === 3 && i > 3 ? NaN : Math.round((30 + i + j + (hours % 24) + 0.5 * (cyc % 17)) * 100) / 100)),
    },
    join(root, rtofsKey(f)),
    "nc4",
  );
}

/** A copy of `path` cut to `fraction` of its bytes: a download that stopped early. */
export function truncatedCopy(path: string, out: string, fraction = 0.6): string {
  const bytes = readFileSync(path);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

export const cycleAt = (iso: string): Date => new Date(iso);
