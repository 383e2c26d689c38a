// CF time units (CF 1.11 §4.4): "<time unit> since <reference date-time>", with a calendar.
import { parseUnit, type Lookup } from "../units/expression.js";
import { isTime } from "../units/quantity.js";

export const cfCalendars = new Set(["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day", "all_leap", "366_day", "360_day", "julian", "none", "utc", "tai"]);

// Used when the UDUNITS-2 database is unavailable: the time units CF files use in practice.
const fallbackTimeUnits = /^(?:(?:milli|micro)?sec(?:ond)?s?|msecs?|s|ms|min(?:ute)?s?|h|hr|hrs|hours?|d|days?|weeks?|months?|years?|yr|common_years?)$/i;

const reference = /^(-?\d{1,4})-(\d{1,2})(?:-(\d{1,2}))?(?:(?:[ T]|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?))?$/i;

export type TimeUnitsCheck = { ok: true; unit: string; reference: string; calendarWarning?: string } | { ok: false; problem: string };

/** Checks a time coordinate's units; `lookup` is the UDUNITS-2 table, or undefined to use a fixed list of time units. */
export function checkTimeUnits(units: string, lookup: Lookup | undefined): TimeUnitsCheck {
  const m = /^\s*(.*?)\s+since\s+(.*?)\s*$/i.exec(units);
  if (!m) return { ok: false, problem: `${JSON.stringify(units)} is not "<unit> since <date>"` };
  const unit = m[1] as string;
  const origin = m[2] as string;
  if (lookup) {
    try {
      const parsed = parseUnit(unit, lookup);
      if (!isTime(parsed.quantity) || parsed.quantity.offset !== 0) return { ok: false, problem: `${JSON.stringify(unit)} in ${JSON.stringify(units)} is not a unit of time` };
    } catch (err) {
      return { ok: false, problem: `${JSON.stringify(unit)} in ${JSON.stringify(units)}: ${(err as Error).message}` };
    }
  } else if (!fallbackTimeUnits.test(unit)) {
    return { ok: false, problem: `${JSON.stringify(unit)} in ${JSON.stringify(units)} is not a known unit of time` };
  }
  const d = reference.exec(origin);
  if (!d) return { ok: false, problem: `${JSON.stringify(origin)} in ${JSON.stringify(units)} is not a date ("YYYY-MM-DD[ hh:mm:ss][ zone]")` };
  const [month, day, hour, minute, second] = [d[2], d[3] ?? "1", d[4] ?? "0", d[5] ?? "0", d[6] ?? "0"].map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second >= 61) {
    return { ok: false, problem: `${JSON.stringify(origin)} in ${JSON.stringify(units)} is not a valid date-time` };
  }
  // CF 1.11 §4.4: month and year are UDUNITS' mean lengths, rarely what the data meant.
  const calendarWarning = /^(months?|years?|yr|common_years?)$/i.test(unit) ? `"${unit}" is a mean length in UDUNITS (a year is 365.242198781 days); CF recommends not to use it` : undefined;
  return calendarWarning ? { ok: true, unit, reference: origin, calendarWarning } : { ok: true, unit, reference: origin };
}
