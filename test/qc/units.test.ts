// UDUNITS-2 parsing against Debian's real database (libudunits2-data, in .ci/apt-packages.txt),
// and what happens without it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCfContext } from "../../dataplane/qc/cf/context.js";
import { parseUnit } from "../../dataplane/qc/units/expression.js";
import { defaultUdunitsPath, loadUnitDatabase } from "../../dataplane/qc/units/load-udunits.js";
import { convertible } from "../../dataplane/qc/units/quantity.js";
import { regularPlural } from "../../dataplane/qc/units/udunits-xml.js";

const db = loadUnitDatabase(defaultUdunitsPath);
if (!db.ok) throw new Error(`${db.reason}: install libudunits2-data (listed in .ci/apt-packages.txt)`);
const lookup = db.database.lookup;
const parse = (u: string) => parseUnit(u, lookup).quantity;

describe("UDUNITS-2 unit strings", () => {
  it("reduces units to SI base dimensions with the right scale", () => {
    expect(parse("m s-1")).toMatchObject({ scale: 1, dims: [1, 0, -1, 0, 0, 0, 0] });
    expect(parse("km/h").scale).toBeCloseTo(1000 / 3600, 12);
    expect(parse("kg m-3").dims).toEqual([-3, 1, 0, 0, 0, 0, 0]);
    expect(parse("W m^-2").dims).toEqual(parse("kg s-3").dims);
    expect(parse("dbar").scale).toBe(1e4);
    expect(parse("degrees_C")).toMatchObject({ dims: [0, 0, 0, 0, 1, 0, 0], offset: 273.15 });
    expect(parse("1e-3").scale).toBe(1e-3);
    expect(parse("m²").dims).toEqual([2, 0, 0, 0, 0, 0, 0]);
    expect(parse("lg(re 1 mW)").logarithmic).toBe(true);
  });

  it("accepts the spellings NOAA model files use", () => {
    for (const u of ["meter", "meters", "meter second-1", "meters s-1", "degree_north", "degrees_east", "Celsius", "degC", "kilogram meter-3", "Pa", "N m-2", "m2 s-1", "percent"]) {
      expect(() => parse(u), u).not.toThrow();
    }
    expect(convertible(parse("Celsius"), parse("K"))).toBe(true);
    expect(convertible(parse("meters s-1"), parse("knots"))).toBe(true);
    expect(convertible(parse("m"), parse("s"))).toBe(false);
  });

  it("rejects what is not a unit, naming the unknown name and position", () => {
    expect(() => parse("PSU")).toThrow(/unknown unit "PSU" at character 1/);
    expect(() => parse("m s-1 wibbles")).toThrow(/unknown unit "wibbles" at character 7/);
    expect(() => parse("m/")).toThrow(/unit expected/);
    expect(() => parse("(m")).toThrow(/missing "\)"/);
    expect(() => parse("")).toThrow(/empty unit/);
  });

  it("separates a time origin from the unit", () => {
    expect(parseUnit("days since 1858-11-17 00:00:00", lookup)).toEqual({ quantity: expect.objectContaining({ scale: 86400 }), reference: "1858-11-17 00:00:00" });
  });

  it("forms regular plurals as UDUNITS does", () => {
    expect(regularPlural("foot")).toBe("foots");
    expect(regularPlural("henry")).toBe("henries");
    expect(regularPlural("inch")).toBe("inches");
  });
});

describe("without the UDUNITS-2 database", () => {
  const dir = mkdtempSync(join(tmpdir(), "qc-units-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports why instead of throwing", () => {
    const missing = loadUnitDatabase(join(dir, "nope.xml"));
    expect(missing).toEqual({ ok: false, reason: expect.stringMatching(/nope\.xml: not found \(install Debian package libudunits2-data\)/) });
    const broken = join(dir, "broken.xml");
    writeFileSync(broken, "<unit-system><unit><def>m</def></unit></unit-system>");
    expect(loadUnitDatabase(broken)).toEqual({ ok: false, reason: expect.stringContaining("broken.xml") });
    const context = loadCfContext({ udunitsPath: join(dir, "nope.xml") });
    expect(context.units).toEqual({ unavailable: expect.stringContaining("not found") });
  });
});
