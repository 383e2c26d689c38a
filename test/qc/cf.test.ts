// CF checks on a well-formed ROMS-like file (no errors or warnings) and on copies broken one
// attribute at a time (each break found, with its variable, attribute and severity).
import { describe, expect, it } from "vitest";
import { checkCf, type CfContext } from "../../dataplane/qc/cf/checks.js";
import { loadCfContext } from "../../dataplane/qc/cf/context.js";
import { checkFillValues } from "../../dataplane/qc/cf/fill-values.js";
import { bundledStandardNames, lookUpStandardName, parseStandardNameXml } from "../../dataplane/qc/cf/standard-names.js";
import { checkTimeUnits } from "../../dataplane/qc/cf/time-units.js";
import { checkTimeValues } from "../../dataplane/qc/cf/time-values.js";
import type { QcAttributes, QcFile, QcVariable } from "../../dataplane/qc/types.js";

const context = loadCfContext();
if (!("lookup" in context.units)) throw new Error(`${context.units.unavailable}: install libudunits2-data (listed in .ci/apt-packages.txt)`);

const good: QcFile = {
  source: "good.nc",
  attrs: { Conventions: "CF-1.8" },
  variables: [
    { name: "ocean_time", dtype: "<f8", dims: ["ocean_time"], shape: [4], attrs: { units: "seconds since 2016-01-01 00:00:00", calendar: "gregorian", standard_name: "time" } },
    { name: "lat_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], shape: [3, 4], attrs: { units: "degree_north", standard_name: "latitude" } },
    { name: "lon_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], shape: [3, 4], attrs: { units: "degree_east", standard_name: "longitude" } },
    { name: "s_rho", dtype: "<f8", dims: ["s_rho"], shape: [2], attrs: { standard_name: "ocean_s_coordinate_g2", positive: "up" } },
    {
      name: "temp", dtype: "<f4", dims: ["ocean_time", "s_rho", "eta_rho", "xi_rho"], shape: [4, 2, 3, 4],
      attrs: { units: "Celsius", standard_name: "sea_water_potential_temperature", coordinates: "lon_rho lat_rho s_rho ocean_time", valid_min: -5, valid_max: 40 }, fillValue: 1e37,
    },
    {
      name: "zeta", dtype: "<i2", dims: ["ocean_time", "eta_rho", "xi_rho"], shape: [4, 3, 4],
      attrs: { units: "m", standard_name: "sea_surface_height_above_geoid", coordinates: "lon_rho lat_rho", scale_factor: 0.001, _FillValue: -32767, missing_value: -32767 },
      attrTypes: { _FillValue: "<i2", missing_value: "<i2" },
    },
    { name: "mask_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], shape: [3, 4], attrs: { flag_values: [0, 1], flag_meanings: "land water" } },
  ],
};

function withAttrs(name: string, change: (attrs: QcAttributes) => QcAttributes, extra: Partial<QcVariable> = {}): QcFile {
  return { ...good, variables: good.variables.map((v) => (v.name === name ? { ...v, attrs: change(v.attrs), ...extra } : v)) };
}

function codes(file: QcFile, ctx: CfContext = context) {
  return checkCf(file, ctx).filter((f) => f.severity !== "info").map((f) => ({ severity: f.severity, code: f.code, variable: f.variable, attribute: f.attribute }));
}

describe("CF checks", () => {
  it("find nothing wrong in a well-formed file", () => {
    expect(codes(good)).toEqual([]);
  });

  it("report missing, unparseable and incompatible units", () => {
    expect(codes(withAttrs("temp", ({ units: _u, ...rest }) => rest))).toEqual([{ severity: "warning", code: "units.missing", variable: "temp", attribute: "units" }]);
    const bad = checkCf(withAttrs("temp", (a) => ({ ...a, units: "degrees Celsius-ish" })), context);
    expect(bad).toContainEqual(expect.objectContaining({ severity: "warning", code: "units.unparseable", variable: "temp", message: expect.stringContaining("unknown unit") }));
    expect(codes(withAttrs("zeta", (a) => ({ ...a, units: "m s-1" })))).toEqual([{ severity: "warning", code: "units.incompatible", variable: "zeta", attribute: "units" }]);
  });

  it("report a standard_name that is not in the table, and accept aliases and modifiers", () => {
    expect(codes(withAttrs("temp", (a) => ({ ...a, standard_name: "sea_water_hotness" })))).toEqual([{ severity: "warning", code: "standard_name.unknown", variable: "temp", attribute: "standard_name" }]);
    expect(codes(withAttrs("zeta", (a) => ({ ...a, standard_name: "sea_surface_elevation" })))).toEqual([]);
    expect(codes(withAttrs("zeta", (a) => ({ ...a, standard_name: "sea_surface_height_above_geoid standard_error" })))).toEqual([]);
    expect(codes(withAttrs("zeta", (a) => ({ ...a, standard_name: "sea_surface_height_above_geoid extra words" })))).toEqual([{ severity: "warning", code: "standard_name.unknown", variable: "zeta", attribute: "standard_name" }]);
  });

  it("report coordinates that name no variable as errors", () => {
    const findings = checkCf(withAttrs("temp", (a) => ({ ...a, coordinates: "lon_rho lat_psi" })), context);
    expect(findings).toContainEqual({ severity: "error", code: "coordinates.unresolved", variable: "temp", attribute: "coordinates", message: 'coordinate "lat_psi" is not a variable in the file' });
  });

  it("report unparseable time units: an error on the time axis, a warning elsewhere", () => {
    expect(codes(withAttrs("ocean_time", (a) => ({ ...a, units: "seconds after the start" })))).toEqual([{ severity: "error", code: "time.units-unparseable", variable: "ocean_time", attribute: "units" }]);
    expect(codes(withAttrs("ocean_time", (a) => ({ ...a, units: "furlongs since 2016-01-01" })))).toContainEqual(expect.objectContaining({ severity: "error", code: "time.units-unparseable" }));
    expect(codes(withAttrs("ocean_time", (a) => ({ ...a, units: "seconds since 2016-13-01" })))).toContainEqual(expect.objectContaining({ severity: "error", code: "time.units-unparseable" }));
    expect(codes(withAttrs("ocean_time", (a) => ({ ...a, calendar: "mayan" })))).toEqual([{ severity: "error", code: "time.calendar-unknown", variable: "ocean_time", attribute: "calendar" }]);
    // FVCOM's Itime2 ("msec since 00:00:00") is not the time axis: a warning, not a refusal.
    const fvcom: QcFile = { ...good, variables: [...good.variables, { name: "Itime2", dtype: "<i4", dims: ["ocean_time"], shape: [4], attrs: { units: "msec since 00:00:00" } }] };
    expect(codes(fvcom)).toEqual([{ severity: "warning", code: "time.units-unparseable", variable: "Itime2", attribute: "units" }]);
  });

  it("report inconsistent fill values", () => {
    expect(codes(withAttrs("zeta", (a) => a, { attrTypes: { _FillValue: "<f4" } }))).toEqual([{ severity: "error", code: "fill.type-mismatch", variable: "zeta", attribute: "_FillValue" }]);
    expect(codes(withAttrs("zeta", (a) => ({ ...a, _FillValue: 99999, missing_value: 99999 }), { attrTypes: {} }))).toEqual([
      { severity: "error", code: "fill.type-mismatch", variable: "zeta", attribute: "_FillValue" },
      { severity: "error", code: "fill.type-mismatch", variable: "zeta", attribute: "missing_value" },
    ]);
    expect(codes(withAttrs("zeta", (a) => ({ ...a, missing_value: -9999 })))).toEqual([{ severity: "error", code: "fill.missing-value-disagrees", variable: "zeta", attribute: "missing_value" }]);
    expect(codes(withAttrs("temp", (a) => ({ ...a, valid_min: 40, valid_max: -5 })))).toEqual([{ severity: "error", code: "valid.order", variable: "temp", attribute: "valid_min" }]);
    expect(codes(withAttrs("temp", (a) => a, { fillValue: 0 }))).toEqual([{ severity: "warning", code: "fill.in-valid-range", variable: "temp", attribute: "_FillValue" }]);
    expect(codes(withAttrs("temp", ({ valid_min: _a, valid_max: _b, ...rest }) => ({ ...rest, valid_range: [1, 2, 3] })))).toEqual([{ severity: "error", code: "valid.malformed", variable: "temp", attribute: "valid_range" }]);
  });

  it("accept a float32 fill written as a short decimal", () => {
    expect(checkFillValues({ name: "u", dtype: "<f4", dims: [], shape: [], attrs: { _FillValue: 9.96921e36 } })).toEqual([]);
    expect(checkFillValues({ name: "u", dtype: "<f4", dims: [], shape: [], attrs: { _FillValue: 1e300 } })).toContainEqual(expect.objectContaining({ code: "fill.type-mismatch" }));
  });

  it("say that units were not checked when UDUNITS-2 is unavailable, and still check time units", () => {
    const without: CfContext = { units: { unavailable: "UDUNITS-2 database /x.xml: not found" }, standardNames: context.standardNames };
    const findings = checkCf(withAttrs("temp", (a) => ({ ...a, units: "not a unit" })), without);
    expect(findings[0]).toEqual({ severity: "info", code: "units.unchecked", message: expect.stringContaining("/x.xml") });
    expect(findings.filter((f) => f.code.startsWith("units.") && f.code !== "units.unchecked")).toEqual([]);
    expect(codes(withAttrs("ocean_time", (a) => ({ ...a, units: "seconds since yesterday" })), without)).toEqual([{ severity: "error", code: "time.units-unparseable", variable: "ocean_time", attribute: "units" }]);
  });
});

describe("time units", () => {
  it("parse the forms model files use", () => {
    for (const u of ["days since 1858-11-17 00:00:00", "seconds since 2016-01-01", "hours since 2024-1-1 0:0:0", "seconds since 1970-01-01T00:00:00Z", "days since 1900-12-31 00:00:00 -6:00"]) {
      expect(checkTimeUnits(u, undefined), u).toMatchObject({ ok: true });
    }
    expect(checkTimeUnits("months since 2000-01-01", undefined)).toMatchObject({ ok: true, calendarWarning: expect.stringContaining("mean length") });
  });
});

describe("time coordinate values", () => {
  const time: QcVariable = { name: "time", dtype: "<f8", dims: ["time"], shape: [4], attrs: { units: "hours since 2024-01-01" }, fillValue: -1 };
  it("must be strictly monotonic and complete", () => {
    expect(checkTimeValues(time, [0, 1, 2, 3])).toEqual([]);
    expect(checkTimeValues(time, [3, 2, 1, 0])).toEqual([]);
    expect(checkTimeValues(time, [0, 1, 1, 3])).toEqual([expect.objectContaining({ severity: "error", code: "time.not-monotonic", message: expect.stringContaining("index 2 (1 then 1)") })]);
    expect(checkTimeValues(time, [0, 2, 1, 3])).toEqual([expect.objectContaining({ code: "time.not-monotonic" })]);
    expect(checkTimeValues(time, [0, -1, 2, 3])).toEqual([expect.objectContaining({ code: "time.missing-values", message: expect.stringContaining("index 1") })]);
  });
});

describe("standard name table", () => {
  it("bundles a documented subset and reads the official XML format", () => {
    const bundled = bundledStandardNames();
    expect(bundled.version).toMatch(/^83/);
    expect(lookUpStandardName(bundled, "sea_water_temperature")).toEqual({ known: true, name: "sea_water_temperature", canonicalUnits: "K" });
    const xml = `<?xml version="1.0"?><standard_name_table><version_number>99</version_number>
      <entry id="sea_water_temperature"><canonical_units>K</canonical_units><description>x</description></entry>
      <alias id="sea_water_temp"><entry_id>sea_water_temperature</entry_id></alias></standard_name_table>`;
    const table = parseStandardNameXml(xml);
    expect(table.version).toBe("99");
    expect(lookUpStandardName(table, "sea_water_temp")).toEqual({ known: true, name: "sea_water_temperature", canonicalUnits: "K", alias: "sea_water_temp" });
    expect(() => parseStandardNameXml("<html/>")).toThrow(/not a CF standard name table/);
  });
});
