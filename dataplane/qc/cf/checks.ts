// CF compliance checks of one file's metadata. Pure: the unit database and the standard name
// table are passed in, so the checks run the same with the full tables, a subset, or none.
import type { Lookup } from "../units/expression.js";
import { parseUnit } from "../units/expression.js";
import { convertible } from "../units/quantity.js";
import { timeCoordinates } from "../time-axis.js";
import type { QcFile, QcVariable } from "../types.js";
import { checkFillValues } from "./fill-values.js";
import type { CfFinding } from "./findings.js";
import { lookUpStandardName, type StandardNameTable } from "./standard-names.js";
import { cfCalendars, checkTimeUnits } from "./time-units.js";

export interface CfContext {
  /** UDUNITS-2 lookup, or why there is none (units are then reported as not checked). */
  readonly units: { readonly lookup: Lookup; readonly source: string } | { readonly unavailable: string };
  readonly standardNames: StandardNameTable;
}

function needsUnits(v: QcVariable, canonicalUnits: string | undefined): boolean {
  if (v.attrs.flag_values !== undefined || v.attrs.flag_masks !== undefined || v.attrs.grid_mapping_name !== undefined) return false;
  if (canonicalUnits === "1") return false;
  return true;
}

function names(value: unknown): string[] {
  return typeof value === "string" ? value.trim().split(/\s+/).filter((n) => n !== "") : [];
}

export function checkCf(file: QcFile, context: CfContext): CfFinding[] {
  const findings: CfFinding[] = [];
  const byName = new Map(file.variables.map((v) => [v.name, v]));
  const lookup = "lookup" in context.units ? context.units.lookup : undefined;
  if (!lookup) findings.push({ severity: "info", code: "units.unchecked", message: `units were not parsed: ${"unavailable" in context.units ? context.units.unavailable : ""}` });
  const timeAxes = new Set(timeCoordinates(file).map((v) => v.name));

  for (const v of file.variables) {
    const add = (severity: CfFinding["severity"], code: string, attribute: string | undefined, message: string) =>
      findings.push({ severity, code, variable: v.name, ...(attribute !== undefined ? { attribute } : {}), message });
    const units = v.attrs.units;

    // standard_name
    let canonicalUnits: string | undefined;
    const standardName = v.attrs.standard_name;
    if (standardName !== undefined) {
      if (typeof standardName !== "string") add("warning", "standard_name.malformed", "standard_name", "standard_name must be text");
      else {
        const found = lookUpStandardName(context.standardNames, standardName);
        if (found.known) canonicalUnits = found.canonicalUnits;
        else add("warning", "standard_name.unknown", "standard_name", found.problem);
        if (found.known && found.alias !== undefined) add("info", "standard_name.alias", "standard_name", `${JSON.stringify(found.alias)} is an alias of ${JSON.stringify(found.name)}`);
      }
    }

    // units
    const isTimeLike = typeof units === "string" && /\ssince\s/i.test(units);
    if (units === undefined) {
      if (needsUnits(v, canonicalUnits)) add(v.dims.length === 0 && standardName === undefined ? "info" : "warning", "units.missing", "units", "no units attribute");
    } else if (typeof units !== "string") {
      add("warning", "units.unparseable", "units", "units must be text");
    } else if (isTimeLike || timeAxes.has(v.name)) {
      const check = checkTimeUnits(units, lookup);
      const severity = timeAxes.has(v.name) ? "error" : "warning";
      if (!check.ok) add(severity, "time.units-unparseable", "units", check.problem);
      else if (check.calendarWarning) add("warning", "time.units-mean-length", "units", check.calendarWarning);
      const calendar = v.attrs.calendar;
      if (calendar !== undefined && (typeof calendar !== "string" || !cfCalendars.has(calendar.toLowerCase()))) {
        add(severity, "time.calendar-unknown", "calendar", `calendar ${JSON.stringify(calendar)} is not a CF calendar (${[...cfCalendars].join(", ")})`);
      }
    } else if (lookup) {
      try {
        const parsed = parseUnit(units, lookup);
        if (parsed.reference !== undefined) add("warning", "units.unparseable", "units", `${JSON.stringify(units)} has an origin but is not a time unit`);
        else if (canonicalUnits !== undefined) {
          const canonical = parseUnit(canonicalUnits, lookup);
          if (!convertible(parsed.quantity, canonical.quantity)) {
            add("warning", "units.incompatible", "units", `${JSON.stringify(units)} cannot be converted to ${JSON.stringify(canonicalUnits)}, the canonical units of ${JSON.stringify(standardName)}`);
          }
        }
      } catch (err) {
        add("warning", "units.unparseable", "units", `not a UDUNITS-2 unit: ${(err as Error).message}`);
      }
    }

    // references to other variables
    for (const name of names(v.attrs.coordinates)) {
      const target = byName.get(name);
      if (!target) add("error", "coordinates.unresolved", "coordinates", `coordinate ${JSON.stringify(name)} is not a variable in the file`);
      else {
        const foreign = target.dims.filter((d) => !v.dims.includes(d));
        if (foreign.length > 0) add("warning", "coordinates.dimensions", "coordinates", `coordinate ${JSON.stringify(name)} has dimension(s) ${foreign.join(", ")} that ${v.name} does not have`);
      }
    }
    for (const attribute of ["bounds", "grid_mapping", "ancillary_variables", "climatology"]) {
      const value = v.attrs[attribute];
      // grid_mapping may use the extended form "crs: lat lon"; the names before colons are the variables.
      const referenced = attribute === "grid_mapping" && typeof value === "string" && value.includes(":")
        ? [...value.matchAll(/(\S+):/g)].map((m) => m[1] as string)
        : names(value);
      for (const name of referenced) {
        if (!byName.has(name)) add("warning", `${attribute}.unresolved`, attribute, `${attribute} names ${JSON.stringify(name)}, which is not a variable in the file`);
      }
    }

    findings.push(...checkFillValues(v));
  }
  return findings;
}
