// The report end to end: runQc on a file with an injected spike, the refuse/flag/accept decision,
// a JSON round trip validated by the published schema, the summary paragraph, and where it is written.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { validateQcConfig, type QcConfig } from "../../dataplane/qc/config.js";
import { loadCfContext } from "../../dataplane/qc/cf/context.js";
import { qcReportJsonSchema, qcReportSchemaVersion, summarizeReport, type QcReport } from "../../dataplane/qc/report.js";
import { reportLocationFor, reportName, reportPathFor } from "../../dataplane/qc/report-path.js";
import { runQc, type ReadSlab } from "../../dataplane/qc/run.js";
import type { QcFile } from "../../dataplane/qc/types.js";
import { schemaFile, schemaText } from "../../dataplane/qc/write-schema.js";
import { reportJson, writeReportFile } from "../../dataplane/qc/write-report.js";

const T = 6;
const N = 5;
const file: QcFile = {
  source: "s3://noaa-nos-ofs-pds/cbofs/nos.cbofs.fields.f001.nc",
  attrs: {},
  variables: [
    { name: "time", dtype: "<f8", dims: ["time"], shape: [T], attrs: { units: "hours since 2024-01-01 00:00:00", standard_name: "time" } },
    { name: "temp", dtype: "<f4", dims: ["time", "node"], shape: [T, N], attrs: { units: "degC", standard_name: "sea_water_temperature" }, fillValue: -999 },
  ],
};
const temp = new Float32Array(T * N).map((_, i) => 12 + 0.1 * Math.floor(i / N) + 0.01 * (i % N));
temp[3 * N + 2] = 30; // the spike
temp[1 * N + 4] = -999; // a fill value

const reads: { start: number[]; count: number[] }[] = [];
const read: ReadSlab = (name, start, count) => {
  if (name === "time") return Float64Array.from({ length: T }, (_, t) => t);
  if (name !== "temp") throw new Error(`unexpected read of ${name}`);
  reads.push({ start, count });
  const t0 = start[0] as number;
  return temp.slice(t0 * N, (t0 + (count[0] as number)) * N);
};

function config(value: unknown): QcConfig {
  const result = validateQcConfig(value);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}
// The spike is ~17.7 high; its neighbours see half of it (average method), below suspectThreshold.
const tests = [{ variable: "temp", spike: { suspectThreshold: 10, failThreshold: 15 }, grossRange: { failMin: -2, failMax: 40 } }];
const cf = loadCfContext();

const dir = mkdtempSync(join(tmpdir(), "qc-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runQc", () => {
  it("reports an injected spike at its index and refuses the file under the refuse policy", async () => {
    reads.length = 0;
    const report = await runQc(file, read, config({ onFailure: "refuse", variables: tests }), { cf, maxSliceValues: 2 * N, checkedAt: "2026-11-24T12:00:00Z" });
    expect(report.decision).toBe("refuse");
    const spike = report.variables[0]?.tests.spike;
    expect(spike?.offending).toEqual([{ index: [3, 2], flag: 4, value: 30 }]);
    expect(spike?.counts.missing).toBe(1);
    expect(report.variables[0]?.tests.grossRange?.counts).toEqual({ pass: T * N - 1, notEvaluated: 0, suspect: 0, fail: 0, missing: 1 });
    expect(report.reasons[0]).toBe("temp: spike failed 1 value(s)");
    // Bounded reads: two time steps at a time, never the whole variable.
    expect(reads.map((r) => r.start[0])).toEqual([0, 2, 4]);
    expect(reads.every((r) => r.count[0] === 2 && r.count[1] === N)).toBe(true);
  });

  it("flags instead under the flag policy, and accepts a clean file", async () => {
    expect((await runQc(file, read, config({ onFailure: "flag", variables: tests }), { cf })).decision).toBe("flag");
    const clean = Float32Array.from(temp, (v, i) => (i === 3 * N + 2 ? 12.32 : v));
    const report = await runQc(file, (n, s, c) => n === "time" ? [0, 1, 2, 3, 4, 5] : clean.slice((s[0] as number) * N, ((s[0] as number) + (c[0] as number)) * N), config({ onFailure: "refuse", variables: tests }), { cf });
    expect(report.decision).toBe("accept");
    expect(report.reasons).toEqual([]);
  });

  it("does nothing when disabled", async () => {
    const report = await runQc(file, read, config({ enabled: false, onFailure: "refuse", variables: tests }), { cf });
    expect(report).toMatchObject({ decision: "accept", variables: [], cf: { checked: false, findings: [] } });
  });

  it("refuses a file whose time coordinate goes backwards", async () => {
    const report = await runQc(file, (n, s, c) => (n === "time" ? [0, 1, 2, 2, 4, 5] : read(n, s, c)), config({ onFailure: "refuse" }), { cf });
    expect(report.cf.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "time.not-monotonic", variable: "time", message: expect.stringContaining("index 3") }));
    expect(report.decision).toBe("refuse");
  });

  it("refuses on a CF error and notes configured variables that are absent", async () => {
    const broken: QcFile = { ...file, variables: file.variables.map((v) => (v.name === "temp" ? { ...v, attrs: { ...v.attrs, coordinates: "lon lat" } } : v)) };
    const report = await runQc(broken, read, config({ onFailure: "refuse", variables: [{ variable: "salt", grossRange: { failMin: 0, failMax: 40 } }] }), { cf });
    expect(report.decision).toBe("refuse");
    expect(report.cf.findings.filter((f) => f.severity === "error").map((f) => f.code)).toEqual(["coordinates.unresolved", "coordinates.unresolved"]);
    expect(report.findings).toEqual([expect.objectContaining({ code: "qc.variable-absent", variable: "salt" })]);
  });
});

describe("report JSON", () => {
  it("round-trips through its versioned JSON schema", async () => {
    const report = await runQc(file, read, config({ onFailure: "refuse", variables: tests }), { cf, checkedAt: "2026-11-24T12:00:00Z" });
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(qcReportJsonSchema());
    const parsed: unknown = JSON.parse(reportJson(report));
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    expect(parsed).toEqual(report);
    expect((parsed as QcReport).schemaVersion).toBe(qcReportSchemaVersion);
    // The schema rejects what a report must not contain.
    expect(validate({ ...report, decision: "maybe" })).toBe(false);
    expect(validate({ ...report, schemaVersion: "dmac.ioos.us/qc-report/v0" })).toBe(false);
    const { cf: _cf, ...withoutCf } = report;
    expect(validate(withoutCf)).toBe(false);
  });

  it("is published as the committed qc-report.schema.json (regenerate: npx tsx dataplane/qc/write-schema.ts)", () => {
    expect(readFileSync(schemaFile, "utf8")).toBe(schemaText());
  });

  it("summarises in one paragraph with the decision, the offending index and CF findings", async () => {
    const report = await runQc(file, read, config({ onFailure: "refuse", variables: tests }), { cf });
    const text = summarizeReport(report);
    expect(text).not.toContain("\n");
    expect(text).toContain("REFUSED (onFailure=refuse)");
    expect(text).toContain("temp spike: 1 fail, 0 suspect (first at [3, 2] = 30, flag 4)");
    expect(text).toContain("1 value(s) missing");
    expect(text).toContain("CF: 0 error(s), 0 warning(s)");
  });
});

describe("report location", () => {
  it("puts the report in a sibling <store>.qc/ prefix named after the source file", () => {
    expect(reportPathFor("s3://bucket/ofs/cbofs.zarr/", "s3://noaa-nos-ofs-pds/cbofs.20240101/nos.cbofs.fields.f001.20240101.t00z.nc"))
      .toBe("s3://bucket/ofs/cbofs.zarr.qc/nos.cbofs.fields.f001.20240101.t00z.nc.qc.json");
    expect(reportPathFor("/data/cbofs.zarr", "/raw/a b.nc")).toBe("/data/cbofs.zarr.qc/a_b.nc.qc.json");
    expect(reportPathFor("file:///data/x.zarr", "https://host/f.nc?x=1")).toBe("file:///data/x.zarr.qc/f.nc.qc.json");
    expect(reportName("../../etc/passwd")).toBe("passwd.qc.json");
    expect(reportLocationFor("s3://bucket/ofs/cbofs.zarr", "f.nc")).toEqual({ prefix: "s3://bucket/ofs/cbofs.zarr.qc", key: "/f.nc.qc.json" });
    expect(reportName(".hidden.nc")).toBe("_hidden.nc.qc.json"); // never a dot file or a traversal
    expect(() => reportName("..")).toThrow(/sourceFile/);
    expect(() => reportPathFor("s3://", "f.nc")).toThrow(/storeUrl/);
    expect(() => reportPathFor("/data/x.zarr", "/raw/")).toThrow(/sourceFile/);
  });

  it("writes a local report atomically and refuses object-store URLs", async () => {
    const report = await runQc(file, read, config({ variables: tests }), { cf });
    const target = reportPathFor(pathToFileURL(join(dir, "cbofs.zarr")).href, file.source);
    const written = await writeReportFile(target, report);
    expect(JSON.parse(readFileSync(written, "utf8"))).toEqual(report);
    expect(readdirSync(join(dir, "cbofs.zarr.qc"))).toEqual(["nos.cbofs.fields.f001.nc.qc.json"]);
    await expect(writeReportFile("s3://bucket/x.qc.json", report)).rejects.toThrow(/local files only/);
  });
});
