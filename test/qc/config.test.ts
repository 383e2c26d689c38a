// The --qc config file: same shape and rules as an IngestJob's spec.qualityControl; errors name
// the file, line and field.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultQcConfig, validateQcConfig } from "../../dataplane/qc/config.js";
import { loadQcConfig, parseQcConfig, QcConfigError, type QcConfigProblem } from "../../dataplane/qc/load-config.js";

const dir = mkdtempSync(join(tmpdir(), "qc-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(text: string): QcConfigProblem[] {
  try {
    parseQcConfig(text, "qc.yaml");
  } catch (err) {
    if (err instanceof QcConfigError) return [...err.problems];
    throw err;
  }
  throw new Error("expected the config to be refused");
}

describe("loadQcConfig", () => {
  it("loads YAML and applies the CRD defaults", async () => {
    const path = join(dir, "qc.yaml");
    writeFileSync(path, ["onFailure: refuse", "variables:", "  - variable: temp", "    grossRange: {failMin: -2, failMax: 35}", "    spike: {suspectThreshold: 2, failThreshold: 4}", ""].join("\n"));
    const config = await loadQcConfig(path);
    expect(config).toEqual({
      enabled: true,
      onFailure: "refuse",
      cfChecks: true,
      variables: [{ variable: "temp", grossRange: { failMin: -2, failMax: 35 }, spike: { suspectThreshold: 2, failThreshold: 4 } }],
    });
  });

  it("loads JSON and an IngestJob-style `qualityControl:` wrapper", async () => {
    const path = join(dir, "qc.json");
    writeFileSync(path, JSON.stringify({ qualityControl: { cfChecks: false, variables: [{ variable: "zeta", rateOfChange: { threshold: 0.5 } }] } }));
    const config = await loadQcConfig(path);
    expect(config.cfChecks).toBe(false);
    expect(config.onFailure).toBe("flag");
    expect(config.variables?.[0]?.rateOfChange?.threshold).toBe(0.5);
  });

  it("names the file when it cannot be read", async () => {
    await expect(loadQcConfig(join(dir, "absent.yaml"))).rejects.toThrow(/absent\.yaml:0:0: cannot read \(ENOENT\)/);
  });

  it("reports structural errors with line and field path", () => {
    const found = problems(["onFailure: explode", "variables:", "  - variable: temp", "    grossRange: {failMin: low, failMax: 35}", "    colour: blue", ""].join("\n"));
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ line: 1, field: "onFailure", message: expect.stringContaining('Unsupported value: "explode"') }),
      expect.objectContaining({ line: 4, field: "variables[0].grossRange.failMin", message: expect.stringContaining("must be of type number") }),
      expect.objectContaining({ line: 5, field: "variables[0].colour" }),
    ]));
  });

  it("applies the CRD's CEL rules (threshold order, at least one test)", () => {
    expect(problems(["variables:", "  - variable: temp", "    spike: {suspectThreshold: 5, failThreshold: 4}", ""].join("\n"))).toEqual([
      expect.objectContaining({ file: "qc.yaml", line: 3, field: "variables[0].spike.suspectThreshold", message: "Invalid value: suspectThreshold must not exceed failThreshold" }),
    ]);
    expect(problems(["variables:", "  - variable: temp", "    flatLine: {tolerance: 0.1, suspectCount: 5, failCount: 3}", ""].join("\n"))[0]?.field).toBe("variables[0].flatLine.suspectCount");
    expect(problems(["variables:", "  - variable: temp", ""].join("\n"))[0]?.message).toMatch(/at least one test/);
    expect(problems(["variables:", "  - variable: temp", "    grossRange: {failMin: 5, failMax: 1}", ""].join("\n"))[0]?.field).toBe("variables[0].grossRange.failMin");
  });

  it("refuses YAML syntax errors and non-mappings with a position", () => {
    expect(problems("variables: [\n")[0]).toMatchObject({ file: "qc.yaml", line: expect.any(Number) });
    expect(problems("- 1\n- 2\n")[0]?.message).toMatch(/must be a mapping/);
    expect(() => parseQcConfig("onFailure: nope\n", "x.yaml")).toThrow(/^x\.yaml:1:\d+: onFailure: Unsupported value/);
  });

  it("has valid defaults", () => {
    expect(defaultQcConfig()).toEqual({ enabled: true, onFailure: "flag", cfChecks: true });
    expect(validateQcConfig({ variables: [{ variable: "bad name!", grossRange: { failMin: 0, failMax: 1 } }] }).ok).toBe(false);
  });
});
