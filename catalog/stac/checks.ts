// Input checks shared by the builders and the store. Each names the offending field.
import { parseRfc3339 } from "../../apps/shared/rfc3339.js";
import { CatalogInputError } from "./errors.js";
import type { Bbox } from "./types.js";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === "string" && ID_PATTERN.test(id);
}

/** Collection and item ids go into URLs and SQL parameters: keep them URL-safe and bounded. */
export function checkId(id: unknown, field: string): asserts id is string {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) {
    throw new CatalogInputError(field, `"${String(id)}" is not a valid id (letters, digits, '_', '.', '-'; at most 200)`);
  }
}

export function checkBbox(bbox: unknown, field: string): asserts bbox is Bbox {
  if (!Array.isArray(bbox) || (bbox.length !== 4 && bbox.length !== 6) || !bbox.every((n) => typeof n === "number" && Number.isFinite(n))) {
    throw new CatalogInputError(field, "must be 4 or 6 finite numbers");
  }
  const half = bbox.length / 2;
  const [w, s] = [bbox[0] as number, bbox[1] as number];
  const [e, n] = [bbox[half] as number, bbox[half + 1] as number];
  if (s > n) throw new CatalogInputError(field, "south must not be greater than north");
  if (w < -180 || e > 360 || s < -90 || n > 90) throw new CatalogInputError(field, "is outside longitude [-180, 360] / latitude [-90, 90]");
  if (half === 3 && (bbox[2] as number) > (bbox[5] as number)) throw new CatalogInputError(field, "minimum elevation must not be greater than maximum");
}

/** Milliseconds since the epoch, or throws naming `field`: RFC 3339 date-times and dates, years 0001-9999 (apps/shared/rfc3339.ts). */
export function parseInstant(value: string, field: string): number {
  const parsed = parseRfc3339(value);
  if (!parsed.ok) throw new CatalogInputError(field, parsed.problem);
  return parsed.ms;
}

export function checkInterval(interval: [string | null, string | null], field: string): void {
  const [start, end] = interval;
  const a = start === null ? -Infinity : parseInstant(start, `${field}[0]`);
  const b = end === null ? Infinity : parseInstant(end, `${field}[1]`);
  if (a > b) throw new CatalogInputError(field, "start must not be after end");
}

export function checkUrl(url: string, field: string): void {
  try {
    new URL(url);
  } catch {
    throw new CatalogInputError(field, `"${url}" is not an absolute URL`);
  }
}
