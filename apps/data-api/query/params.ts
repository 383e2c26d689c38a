// The EDR query parameters other than `coords`: bbox, datetime, z, parameter-name, crs, f.
// Each parser takes the raw query value and throws a 400 that names the parameter.
import { parseRfc3339 } from "../../shared/rfc3339.js";
import { invalidParameter } from "../errors.js";
import type { BBox } from "../geometry.js";

/** A query value as fastify hands it over: absent, one string, or a repeated key. */
export type RawValue = string | string[] | undefined;

export function single(raw: RawValue, parameter: string): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw invalidParameter(parameter, "given more than once");
  return raw;
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function number(text: string, parameter: string): number {
  if (!NUMBER.test(text)) throw invalidParameter(parameter, `${JSON.stringify(text.slice(0, 40))} is not a number`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw invalidParameter(parameter, `${JSON.stringify(text.slice(0, 40))} is not a finite number`);
  return n;
}

/** bbox=minx,miny,maxx,maxy or minx,miny,minz,maxx,maxy,maxz (lon/lat; minx > maxx crosses the antimeridian). */
export function parseBBox(raw: RawValue, parameter = "bbox"): BBox {
  const text = single(raw, parameter);
  if (text === undefined || text.trim() === "") throw invalidParameter(parameter, "required (minx,miny,maxx,maxy)");
  if (text.length > 400) throw invalidParameter(parameter, "too long");
  const n = text.split(",").map((p) => number(p, parameter));
  if (n.length !== 4 && n.length !== 6) throw invalidParameter(parameter, `expected 4 or 6 numbers, got ${n.length}`);
  const [minx, miny, maxx, maxy, minz, maxz] = n.length === 4 ? [n[0], n[1], n[2], n[3]] : [n[0], n[1], n[3], n[4], n[2], n[5]];
  const box: BBox = { minx: minx ?? 0, miny: miny ?? 0, maxx: maxx ?? 0, maxy: maxy ?? 0 };
  if (box.miny < -90 || box.maxy > 90) throw invalidParameter(parameter, "latitudes must be within -90..90");
  if (box.miny > box.maxy) throw invalidParameter(parameter, `miny ${box.miny} is greater than maxy ${box.maxy}`);
  if (Math.abs(box.minx) > 360 || Math.abs(box.maxx) > 360) throw invalidParameter(parameter, "longitudes must be within -360..360");
  if (minz !== undefined && maxz !== undefined) {
    if (minz > maxz) throw invalidParameter(parameter, `minz ${minz} is greater than maxz ${maxz}`);
    box.minz = minz;
    box.maxz = maxz;
  }
  return box;
}

/** An instant, or an interval whose ends may be open (".." or empty). Epoch milliseconds. */
export type TimeFilter = { kind: "instant"; at: number } | { kind: "interval"; start: number; end: number };

/** Epoch milliseconds of an RFC 3339 instant: the parser the STAC API shares (apps/shared/rfc3339.ts). */
export function parseInstant(text: string, parameter: string): number {
  const parsed = parseRfc3339(text);
  if (!parsed.ok) throw invalidParameter(parameter, parsed.problem);
  return parsed.ms;
}

export function parseDatetime(raw: RawValue, parameter = "datetime"): TimeFilter | undefined {
  const text = single(raw, parameter);
  if (text === undefined) return undefined;
  if (text.length > 100) throw invalidParameter(parameter, "too long");
  const parts = text.split("/");
  if (parts.length === 1) {
    if (text.trim() === "" || text.trim() === "..") throw invalidParameter(parameter, "an instant must be a date-time");
    return { kind: "instant", at: parseInstant(text, parameter) };
  }
  if (parts.length !== 2) throw invalidParameter(parameter, `expected an instant or start/end, got ${JSON.stringify(text.slice(0, 60))}`);
  const open = (p: string) => p.trim() === "" || p.trim() === "..";
  const [a = "", b = ""] = parts;
  if (open(a) && open(b)) throw invalidParameter(parameter, "an interval needs at least one closed end");
  const start = open(a) ? -Infinity : parseInstant(a, parameter);
  const end = open(b) ? Infinity : parseInstant(b, parameter);
  if (start > end) throw invalidParameter(parameter, "the interval starts after it ends");
  return { kind: "interval", start, end };
}

/** z: a level, a list of levels, an interval min/max, or Rn/min/step (EDR 1.1). */
export type ZFilter = { kind: "levels"; values: number[] } | { kind: "interval"; min: number; max: number };

export function parseZ(raw: RawValue, parameter = "z"): ZFilter | undefined {
  const text = single(raw, parameter);
  if (text === undefined || text.trim() === "") return undefined;
  if (text.length > 2000) throw invalidParameter(parameter, "too long");
  const repeat = /^\s*R(\d+)\/([^/]+)\/([^/]+)\s*$/i.exec(text);
  if (repeat !== null) {
    const count = Number(repeat[1]);
    if (count < 1 || count > 1000) throw invalidParameter(parameter, "a repeat count must be 1..1000");
    const first = number(repeat[2] ?? "", parameter);
    const step = number(repeat[3] ?? "", parameter);
    return { kind: "levels", values: Array.from({ length: count }, (_, i) => first + i * step) };
  }
  if (text.includes("/")) {
    const parts = text.split("/");
    if (parts.length !== 2) throw invalidParameter(parameter, "an interval is min/max");
    const min = number(parts[0] ?? "", parameter);
    const max = number(parts[1] ?? "", parameter);
    if (min > max) throw invalidParameter(parameter, `min ${min} is greater than max ${max}`);
    return { kind: "interval", min, max };
  }
  const values = text.split(",").map((p) => number(p, parameter));
  if (values.length > 1000) throw invalidParameter(parameter, "more than 1000 levels");
  return { kind: "levels", values };
}

export function parseParameterNames(raw: RawValue, known: readonly string[], parameter = "parameter-name"): string[] {
  const text = single(raw, parameter);
  if (text === undefined || text.trim() === "") return [...known];
  const names = [...new Set(text.split(",").map((p) => p.trim()))];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0 || names.some((n) => n === "")) throw invalidParameter(parameter, `unknown parameter ${JSON.stringify((unknown[0] ?? "").slice(0, 80))} (this collection has: ${known.join(", ")})`);
  return names;
}

export const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const CRS_ALIASES = new Set([CRS84, "CRS84", "OGC:CRS84", "EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4326"]);

/** Only WGS 84 lon/lat is offered; coordinates are read lon then lat under either name. */
export function parseCrs(raw: RawValue, parameter = "crs"): string {
  const text = single(raw, parameter);
  if (text === undefined || text === "") return CRS84;
  if (!CRS_ALIASES.has(text.trim())) throw invalidParameter(parameter, `${JSON.stringify(text.slice(0, 80))} is not offered (use EPSG:4326 or ${CRS84})`);
  return text.trim();
}

export type OutputFormat = "CoverageJSON" | "CSV" | "GeoJSON";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["CoverageJSON", "CSV", "GeoJSON"];

export function parseFormat(raw: RawValue, parameter = "f"): OutputFormat {
  const text = single(raw, parameter);
  if (text === undefined || text === "") return "CoverageJSON";
  const found = OUTPUT_FORMATS.find((f) => f.toLowerCase() === text.trim().toLowerCase()) ?? (text.trim().toLowerCase() === "covjson" ? "CoverageJSON" : undefined);
  if (found === undefined) throw invalidParameter(parameter, `${JSON.stringify(text.slice(0, 40))} is not an output format (${OUTPUT_FORMATS.join(", ")})`);
  return found;
}
