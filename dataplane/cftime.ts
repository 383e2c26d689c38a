// CF time coordinates ("<unit> since <reference>") to and from epoch milliseconds, for the
// standard (Gregorian) calendar NOAA's models write. Times are rounded to whole milliseconds:
// FVCOM stores days in float32, so finer digits are noise.

export interface TimeUnits {
  unitMs: number;
  referenceMs: number;
}

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  milliseconds: 1,
  msec: 1,
  second: 1000,
  seconds: 1000,
  sec: 1000,
  secs: 1000,
  s: 1000,
  minute: 60_000,
  minutes: 60_000,
  min: 60_000,
  mins: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  h: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
  d: 86_400_000,
};

const CALENDARS = new Set(["standard", "gregorian", "proleptic_gregorian"]);

/** A CF `calendar` attribute by meaning: absent and "gregorian" are "standard" (CF's default and alias). */
export function calendarName(calendar: unknown): string {
  if (calendar === undefined) return "standard";
  if (typeof calendar !== "string") return JSON.stringify(calendar);
  const name = calendar.trim().toLowerCase();
  return name === "gregorian" ? "standard" : name;
}

/** Parses CF time units; throws an error naming the attribute when they are not a time axis we decode. */
export function parseTimeUnits(units: unknown, calendar?: unknown): TimeUnits {
  if (typeof units !== "string") throw new Error(`units: missing on the time coordinate`);
  if (calendar !== undefined && (typeof calendar !== "string" || !CALENDARS.has(calendar.toLowerCase())))
    throw new Error(`calendar: ${JSON.stringify(calendar)} is not supported (standard/gregorian only)`);
  const m = /^\s*(\w+)\s+since\s+(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i.exec(units);
  if (m === null) throw new Error(`units: ${JSON.stringify(units)} is not "<unit> since <date>"`);
  const unitMs = UNIT_MS[(m[1] ?? "").toLowerCase()];
  if (unitMs === undefined) throw new Error(`units: unknown time unit ${JSON.stringify(m[1])}`);
  let referenceMs = Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]), Number(m[5] ?? 0), Number(m[6] ?? 0), 0) + Math.round(Number(m[7] ?? 0) * 1000);
  // Date.UTC maps years 0-99 to 1900-1999.
  if (Number(m[2]) < 100) {
    const d = new Date(referenceMs);
    d.setUTCFullYear(Number(m[2]));
    referenceMs = d.getTime();
  }
  const tz = m[8];
  if (tz !== undefined && /^[+-]/.test(tz)) {
    const t = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(tz);
    const sign = t?.[1] === "-" ? -1 : 1;
    referenceMs -= sign * (Number(t?.[2] ?? 0) * 60 + Number(t?.[3] ?? 0)) * 60_000;
  }
  return { unitMs, referenceMs };
}

export function decodeTime(value: number, units: TimeUnits): number {
  return Math.round(units.referenceMs + value * units.unitMs);
}
