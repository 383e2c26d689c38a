// The one RFC 3339 parser of the STAC API (catalog/) and the EDR API (apps/data-api/), so an
// instant means the same in both and every accepted instant fits every store that keeps it.
//
// Accepted: a full-date (`2023-10-22`, midnight UTC) or a date-time with seconds and an offset
// (`2023-10-22T06:00:00Z`, `...T06:00:00.5+02:00`; `t`, `z` and a space for `T` as RFC 3339
// section 5.6 allows). A leap second (`:60`, only at minute 59) is the instant one second after
// `:59`, as POSIX time and PostgreSQL read it. The instant must lie in years 0001-9999 (UTC):
// PostgreSQL has no year 0 and JavaScript's Date no year 10000 in this notation.

/** 0001-01-01T00:00:00Z in epoch milliseconds. */
export const MIN_INSTANT_MS = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z in epoch milliseconds. */
export const MAX_INSTANT_MS = 253_402_300_799_999;

export type Rfc3339Result = { ok: true; ms: number } | { ok: false; problem: string };

const GRAMMAR = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

const daysIn = (year: number, month: number): number => (month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/** Epoch milliseconds of an RFC 3339 date-time or full-date, or the reason it is not one. */
export function parseRfc3339(text: string): Rfc3339Result {
  const shown = JSON.stringify(text.slice(0, 60));
  const m = text.length <= 64 ? GRAMMAR.exec(text) : null;
  if (m === null) return { ok: false, problem: `${shown} is not an RFC 3339 date-time (e.g. 2023-10-22T06:00:00Z) or date (2023-10-22)` };
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { ok: false, problem: `${shown} is not a calendar date` };
  if (hour > 23 || minute > 59 || second > 60 || (second === 60 && minute !== 59)) return { ok: false, problem: `${shown} has a time of day out of range` };
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return { ok: false, problem: `${shown} has an offset out of range` };
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ms = date.getTime() + Math.floor(Number(`0${m[7] ?? ""}`) * 1000) - offsetMinutes * 60_000;
  if (!(ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS)) return { ok: false, problem: `${shown} is outside the supported range 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z` };
  return { ok: true, ms };
}
