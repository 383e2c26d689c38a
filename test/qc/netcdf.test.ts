// QC on a real NetCDF file: ncgen builds it from test/qc/fixtures/qc-stations.cdl (NetCDF-3 and
// NetCDF-4), Python's netCDF4 (the reference reader) dumps it as the QC input, and every injected
// fault must come back at its index with its flag.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSource } from "../../dataplane/source/open.js";
import { loadCfContext } from "../../dataplane/qc/cf/context.js";
import { qcInputFromSource } from "../../dataplane/qc/from-source.js";
import { parseQcConfig } from "../../dataplane/qc/load-config.js";
import { summarizeReport } from "../../dataplane/qc/report.js";
import { runQc } from "../../dataplane/qc/run.js";
import type { QcFile, QcVariable } from "../../dataplane/qc/types.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "qc-netcdf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Dumped = { source: string; format: string; attrs: QcFile["attrs"]; variables: (QcVariable & { values: (number | null)[] })[] };

function dump(kind: "nc3" | "nc4"): Dumped {
  const nc = join(dir, `qc-stations-${kind}.nc`);
  execFileSync("ncgen", ["-k", kind, "-o", nc, join(fixtures, "qc-stations.cdl")]);
  const json = execFileSync("/usr/bin/python3", [join(fixtures, "nc_to_qc_json.py"), nc], { encoding: "utf8", maxBuffer: 16 << 20 });
  return JSON.parse(json) as Dumped;
}

const config = parseQcConfig(
  `
onFailure: refuse
variables:
  - variable: temp
    grossRange: {failMin: -2, failMax: 40, suspectMin: 0, suspectMax: 30}
    spike: {suspectThreshold: 6, failThreshold: 8}
    rateOfChange: {threshold: 5}
    flatLine: {tolerance: 0.001, suspectCount: 3, failCount: 5}
`,
  "inline.yaml",
);

const at = (index: number[], flag: 3 | 4) => ({ index, flag });

describe.each(["nc3", "nc4"] as const)("QC of an ncgen-built %s file", (kind) => {
  const dumped = dump(kind);
  const file: QcFile = { source: dumped.source, attrs: dumped.attrs, variables: dumped.variables };
  const values = new Map(dumped.variables.map((v) => [v.name, v.values.map((x) => (x === null ? Number.NaN : x))]));

  it("finds the injected faults at their indices, counts the fill as missing, and refuses the file", async () => {
    expect(dumped.format).toBe(kind === "nc3" ? "NETCDF3_CLASSIC" : "NETCDF4");
    const report = await runQc(
      file,
      (name, start, count) => {
        const all = values.get(name) ?? [];
        const per = count.slice(1).reduce((a, b) => a * b, 1);
        return all.slice((start[0] as number) * per, ((start[0] as number) + (count[0] as number)) * per);
      },
      config,
      { cf: loadCfContext(), maxSliceValues: 6 },
    );
    const temp = report.variables.find((v) => v.variable === "temp");
    const flags = (test: "grossRange" | "spike" | "rateOfChange" | "flatLine") => temp?.tests[test]?.offending.map((o) => ({ index: o.index, flag: o.flag }));
    expect(temp?.timeDim).toBe("time");
    expect(flags("grossRange")).toEqual([at([10, 0], 4)]);
    expect(temp?.tests.grossRange?.offending[0]?.value).toBeCloseTo(45, 4); // unpacked: 10 + 0.01 * 3500
    // The spike at [5, 1]; the 45 °C value at [10, 0] is a spike too, and its predecessor sees half of it (average method).
    expect(flags("spike")).toEqual([at([5, 1], 4), at([9, 0], 4), at([10, 0], 4)]);
    expect(flags("rateOfChange")).toEqual([at([5, 1], 3), at([6, 1], 3), at([10, 0], 3), at([11, 0], 3)]);
    expect(flags("flatLine")).toEqual([at([6, 2], 3), at([7, 2], 3), at([8, 2], 4), at([9, 2], 4)]);
    for (const test of ["grossRange", "spike", "rateOfChange", "flatLine", "aggregate"] as const) expect(temp?.tests[test]?.counts.missing, test).toBe(1);

    const cf = report.cf.findings.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.variable} ${f.code}`);
    expect(cf.sort()).toEqual([
      "error zeta coordinates.unresolved",
      "error zeta fill.missing-value-disagrees",
      "error zeta valid.order",
      "warning zeta standard_name.unknown",
      "warning zeta units.unparseable",
    ]);
    expect(report.decision).toBe("refuse");
    expect(summarizeReport(report)).toMatch(/REFUSED .* temp spike: 3 fail, 0 suspect \(first at \[5, 1\] = 23\.5, flag 4\)/);

    // The data plane's own reader gives QC the same input, so the same report.
    const source = await openSource(join(dir, `qc-stations-${kind}.nc`));
    try {
      const { file: fromReader, read } = qcInputFromSource(source);
      const viaReader = await runQc(fromReader, read, config, { cf: loadCfContext(), maxSliceValues: 6 });
      expect(viaReader.variables).toEqual(report.variables);
      expect(viaReader.decision).toBe("refuse");
      expect(viaReader.cf.findings.map((f) => f.code).sort()).toEqual(report.cf.findings.map((f) => f.code).sort());
    } finally {
      source.close();
    }
  });
});
