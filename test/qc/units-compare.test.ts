// Units related by UDUNITS-2 (Debian libudunits2-data), as the observations merge and the
// model-vs-observation comparison use them.
import { describe, expect, it } from "vitest";
import { relateUnits } from "../../dataplane/qc/units/compare.js";
import { loadUnitDatabase } from "../../dataplane/qc/units/load-udunits.js";

const database = loadUnitDatabase();
if (!database.ok) throw new Error(database.reason);
const lookup = database.database.lookup;

describe("relateUnits", () => {
  it("knows spellings of one unit as the same", () => {
    expect(relateUnits("m", "meter", lookup).kind).toBe("same");
    expect(relateUnits("m s-1", "m/s", lookup).kind).toBe("same");
    expect(relateUnits("degree_Celsius", "degC", lookup).kind).toBe("same");
  });

  it("converts between units of one quantity, with origins", () => {
    const fahrenheit = relateUnits("degF", "degree_Celsius", lookup);
    if (fahrenheit.kind !== "convertible") throw new Error(`degF to degC: ${fahrenheit.kind}`);
    expect(fahrenheit.convert(32)).toBeCloseTo(0, 10);
    expect(fahrenheit.convert(212)).toBeCloseTo(100, 10);
    const feet = relateUnits("ft", "m", lookup);
    if (feet.kind !== "convertible") throw new Error(`ft to m: ${feet.kind}`);
    expect(feet.convert(1)).toBeCloseTo(0.3048, 12);
    const kelvin = relateUnits("K", "degC", lookup);
    if (kelvin.kind !== "convertible") throw new Error(`K to degC: ${kelvin.kind}`);
    expect(kelvin.convert(273.15)).toBeCloseTo(0, 10);
  });

  it("refuses other quantities, and says why a unit is unknown", () => {
    expect(relateUnits("m", "s", lookup).kind).toBe("incompatible");
    const unknown = relateUnits("furlongs per fortnight-ish", "m", lookup);
    expect(unknown.kind).toBe("unknown");
    expect(relateUnits("m", "meter", undefined)).toEqual({ kind: "unknown", reason: "the UDUNITS-2 database is not available" });
  });
});
