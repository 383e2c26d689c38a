// `dmac convert` end to end through bin/dmac.js: globs, a refused file, summary and exit code;
// --references (no-copy kerchunk documents) and --qc (quality control in front of the writer).
import { afterAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cycleAt, romsFile, tempDir, truncatedCopy } from "./fixtures.js";
import { compareWithXarray } from "./xarray.js";
import { convertOptions } from "../../apps/cli/commands/convert.js";
import { ingestOptionsFor } from "../../dataplane/index.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const bin = fileURLToPath(new URL("../../bin/dmac.js", import.meta.url));

function dmac(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, DMAC_FROM_SOURCE: "1" } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, stdout, stderr });
    });
  });
}

describe("dmac convert", () => {
  it("converts a glob, refuses a truncated file without stopping, exits 2, then 0 when rerun clean", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const src = join(tmp.path, "src");
    const files = [1, 2, 3].map((hour) => romsFile(src, { cycle: c, kind: "f", hour }));
    const cut = truncatedCopy(files[0] as string, join(tmp.path, "cut", "broken.nc"), 0.4);
    const out = join(tmp.path, "out.zarr");
    const first = await dmac(["convert", `${src}/**/*.nc`, cut, "--out", out, "--codec", "zstd", "-j", "0"]);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(2);
    expect(first.stdout).toContain("4 given, 3 ingested, 0 skipped, 1 refused");
    expect(first.stdout).toContain("3 written; store now 3");
    expect(first.stdout).toContain(`REFUSED  ${cut}: truncated`);
    const cmp = await compareWithXarray({ store: out, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");

    const again = await dmac(["convert", ...files, "--out", out, "--json", "-j", "0"]);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { timeSteps: number; files: Array<{ status: string }> };
    expect(report.timeSteps).toBe(0);
    expect(report.files.map((f) => f.status)).toEqual(["skipped", "skipped", "skipped"]);
  });

  it("rejects bad options with a message naming them", async () => {
    const r = await dmac(["convert", "x.nc", "--out", join(tmp.path, "o.zarr"), "--chunk", "ocean_time=0"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--chunk takes DIM=LENGTH");
  });
});

describe("dmac convert: the API's fields as flags, through ingestOptionsFor", () => {
  const c00 = cycleAt("2023-10-22T00:00:00Z");
  const c06 = cycleAt("2023-10-22T06:00:00Z");
  const src = join(tmp.path, "flags-src");
  const arrays = (store: string): string[] => Object.keys((JSON.parse(readFileSync(join(store, ".zmetadata"), "utf8")) as { metadata: Record<string, unknown> }).metadata).filter((k) => k.endsWith("/.zarray")).map((k) => k.slice(0, -"/.zarray".length)).sort();

  it("maps each flag as the operator maps the field it is named after", () => {
    const base = { aggregation: "model-run" as const, chunk: { ocean_time: 2 }, attr: { title: "t" }, progress: false };
    expect(convertOptions({ ...base, variables: ["zeta"], model: "roms", inputFormat: "netcdf4", cycle: "2023-10-22T00:00:00Z", runType: "forecast", format: "zarr-v3", codec: "zstd", level: 3 })).toEqual(
      ingestOptionsFor(
        { spec: { aggregation: { type: "model-run", cycle: "2023-10-22T00:00:00Z", runType: "forecast" }, dimensions: [{ name: "ocean_time", chunk: 2 }], attributes: { title: "t" }, model: "roms", storage: { format: "zarr-v3" }, encoding: { codec: "zstd", level: 3 } } },
        { spec: { variables: { include: ["zeta"] }, format: "netcdf4" } },
      ),
    );
    expect(convertOptions({ ...base, aggregation: "append", excludeVariables: ["salt"] }).variables).toEqual({ exclude: ["salt"] });
  });

  it("--variables keeps those variables and what they need; --exclude-variables drops them", async () => {
    const files = [1, 2].map((hour) => romsFile(src, { cycle: c00, kind: "f", hour }));
    const only = join(tmp.path, "only-zeta.zarr");
    const r = await dmac(["convert", ...files, "--out", only, "--variables", "zeta", "--model", "roms", "-j", "0"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(arrays(only)).toEqual(["lat_rho", "lon_rho", "mask_rho", "ocean_time", "zeta"]);
    const without = join(tmp.path, "no-salt.zarr");
    expect((await dmac(["convert", ...files, "--out", without, "--exclude-variables", "salt,temp", "-j", "0"])).code).toBe(0);
    expect(arrays(without)).not.toContain("salt");
    expect(arrays(without)).toContain("zeta");
    const missing = await dmac(["convert", ...files, "--out", join(tmp.path, "missing.zarr"), "--variables", "zeta,u", "-j", "0"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("variable u listed in variables.include is not in the file");
  });

  it("--input-format refuses a file whose magic bytes disagree, naming both", async () => {
    const file = romsFile(src, { cycle: c00, kind: "f", hour: 3 });
    const r = await dmac(["convert", file, "--out", join(tmp.path, "fmt.zarr"), "--input-format", "netcdf3", "-j", "0"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("is netcdf4 (HDF5) by its magic bytes, not netcdf3");
  });

  it("--cycle and --run-type keep one run of a model-run; the other files are skipped, not refused (exit 0)", async () => {
    const files = [...[1, 2].map((hour) => romsFile(src, { cycle: c00, kind: "f", hour })), ...[1, 2].map((hour) => romsFile(src, { cycle: c06, kind: "f", hour })), romsFile(src, { cycle: c00, kind: "n", hour: 5 })];
    const r = await dmac(["convert", ...files, "--out", join(tmp.path, "run.zarr"), "--aggregation", "model-run", "--cycle", "2023-10-22T00:00:00Z", "--run-type", "forecast", "-j", "0"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("5 given, 2 ingested, 3 skipped, 0 refused");
    expect(r.stdout).toContain("belongs to cycle 2023-10-22T06:00:00Z; the Dataset's aggregation.cycle is 2023-10-22T00:00:00Z");
    expect(r.stdout).toContain("is a nowcast file; the Dataset's aggregation.runType is forecast");
  });

  it("refuses flag combinations the API refuses, naming them", async () => {
    const out = ["--out", join(tmp.path, "x.zarr")];
    expect((await dmac(["convert", "x.nc", ...out, "--variables", "a", "--exclude-variables", "b"])).stderr).toContain("--variables and --exclude-variables are mutually exclusive");
    expect((await dmac(["convert", "x.nc", ...out, "--cycle", "2023-10-22T00:00:00Z"])).stderr).toContain("--cycle and --run-type apply only to --aggregation model-run");
    expect((await dmac(["convert", "x.nc", ...out, "--aggregation", "model-run", "--cycle", "yesterday"])).stderr).toContain("--cycle takes an RFC 3339 date-time");
    expect((await dmac(["convert", "x.nc", "--references", join(tmp.path, "r.json"), "--variables", "zeta"])).stderr).toContain("--variables: not used with --references");
  });
});

const rewrite = fileURLToPath(new URL("./rewrite_nc.py", import.meta.url));

/** Every file under `root` with its bytes: a store before and after must compare equal. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = join(entry.parentPath, entry.name);
    out[relative(root, p)] = readFileSync(p).toString("base64");
  }
  return out;
}

describe("dmac convert --references", () => {
  it("writes a kerchunk document xarray opens equal to the sources; refusals and exit codes as convert", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const src = join(tmp.path, "refs-src");
    const files = [1, 2, 3].map((hour) => romsFile(src, { cycle: c, kind: "f", hour }));
    const cut = truncatedCopy(files[0] as string, join(tmp.path, "refs-cut", "broken.nc"), 0.4);
    const out = join(tmp.path, "refs", "cbofs.json");
    const r = await dmac(["convert", `${src}/**/*.nc`, cut, "--references", out, "--inline-threshold", "0"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`references:  ${out} (append)`);
    expect(r.stdout).toContain("4 given, 3 referenced, 0 skipped, 1 refused");
    expect(r.stdout).toContain("time steps:  dataset 3");
    expect(r.stdout).toContain(`REFUSED  ${cut}: truncated`);
    const doc = JSON.parse(readFileSync(out, "utf8")) as { version: number; refs: Record<string, unknown> };
    expect(doc.version).toBe(1);
    expect(doc.refs["zeta/2.0.0"]).toEqual([files[2], expect.any(Number), expect.any(Number)]);
    const cmp = await compareWithXarray({ store: "reference://", storageOptions: { fo: out }, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(join(tmp.path, "refs"))).toEqual(["cbofs.json"]);

    const json = await dmac(["convert", ...files, "--references", out, "--json", "-a", "best-forecast"]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { aggregation: string; lengths: Record<string, number>; files: Array<{ status: string }> };
    expect(report).toMatchObject({ aggregation: "best-forecast", lengths: { "": 3 } });
    expect(report.files.map((f) => f.status)).toEqual(["referenced", "referenced", "referenced"]);
  });

  it("refuses options that only mean something when copying, and needs exactly one output", async () => {
    const withCodec = await dmac(["convert", "x.nc", "--references", join(tmp.path, "r.json"), "--codec", "zstd", "--chunk", "ocean_time=2"]);
    expect(withCodec.code).toBe(1);
    expect(withCodec.stderr).toContain("--codec, --chunk: not used with --references");
    const neither = await dmac(["convert", "x.nc"]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("give exactly one of --out STORE");
    const both = await dmac(["convert", "x.nc", "--out", join(tmp.path, "b.zarr"), "--references", join(tmp.path, "b.json")]);
    expect(both.code).toBe(1);
  });
});

describe("dmac convert --qc", () => {
  const c = cycleAt("2023-10-22T00:00:00Z");
  const dir = join(tmp.path, "qc");
  /** Hours `first..first+5` of one cycle merged into one file (six steps), optionally with a spike. */
  function merged(first: number, spike?: number[]): string {
    const parts = [0, 1, 2, 3, 4, 5].map((i) => romsFile(join(dir, "parts"), { cycle: c, kind: "f", hour: first + i }));
    const out = join(dir, "in", "cbofs.20231022", `nos.cbofs.fields.f${String(first).padStart(3, "0")}.20231022.t00z.nc`);
    mkdirSync(dirname(out), { recursive: true });
    const add = spike === undefined ? [] : [{ variable: "temp", index: spike, value: 10 }];
    execFileSync("/usr/bin/python3", [rewrite, JSON.stringify({ sources: parts, out, concatDim: "ocean_time", add })]);
    return out;
  }
  const config = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const tests = ["variables:", "  - variable: temp", "    spike: {suspectThreshold: 6, failThreshold: 8}", ""];

  it("refuse: a spiked file is refused at its index and the store stays byte for byte; flag: it lands, flagged", async () => {
    const clean = merged(1);
    const spiked = merged(7, [3, 1, 2, 4]);
    const store = join(dir, "cbofs.zarr");
    const refuse = config("refuse.yaml", ["onFailure: refuse", ...tests].join("\n"));
    const first = await dmac(["convert", clean, "--out", store, "--qc", refuse, "-j", "0"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`qc:          1 checked with ${refuse}: 1 accepted, 0 flagged, 0 refused; reports in ${store}.qc/`);
    const cleanReport = JSON.parse(readFileSync(`${store}.qc/${basename(clean)}.qc.json`, "utf8")) as { decision: string; source: string };
    expect(cleanReport).toMatchObject({ decision: "accept", source: clean });
    const before = snapshot(store);

    const second = await dmac(["convert", spiked, "--out", store, "--qc", refuse, "-j", "0"]);
    expect(second.code).toBe(2);
    expect(second.stdout).toContain("1 given, 0 ingested, 0 skipped, 1 refused");
    expect(second.stdout).toContain(`REFUSED  ${spiked}: quality control refused it: temp: spike failed 1 value(s)`);
    expect(second.stdout).toContain("temp spike: 1 fail, 0 suspect (first at [3, 1, 2, 4]");
    expect(snapshot(store)).toEqual(before);
    const report = JSON.parse(readFileSync(`${store}.qc/${basename(spiked)}.qc.json`, "utf8")) as { decision: string; variables: Array<{ tests: { spike: { offending: unknown[] } } }> };
    expect(report.decision).toBe("refuse");
    expect(report.variables[0]?.tests.spike.offending).toEqual([{ index: [3, 1, 2, 4], flag: 4, value: expect.any(Number) }]);

    const flag = config("flag.yaml", ["onFailure: flag", ...tests].join("\n"));
    const third = await dmac(["convert", spiked, "--out", store, "--qc", flag, "-j", "0", "--json"]);
    expect(third.code).toBe(0);
    const out = JSON.parse(third.stdout) as { lengths: Record<string, number>; qc: { reports: Array<{ input: string; decision: string; report: string }> } };
    expect(out.lengths).toEqual({ "": 12 });
    expect(out.qc.reports).toEqual([{ input: spiked, decision: "flag", report: `${store}.qc/${basename(spiked)}.qc.json` }]);
    expect(JSON.parse(readFileSync(out.qc.reports[0]?.report as string, "utf8"))).toMatchObject({ decision: "flag" });
  });

  it("gates references too, and a bad config stops the run with the file, line and field", async () => {
    const spiked = merged(13, [2, 0, 1, 1]);
    const refs = join(dir, "refs.json");
    const refuse = config("refuse-refs.yaml", ["onFailure: refuse", ...tests].join("\n"));
    const r = await dmac(["convert", spiked, "--references", refs, "--qc", refuse]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("1 given, 0 referenced, 0 skipped, 1 refused");
    expect(existsSync(refs)).toBe(false);
    expect(existsSync(`${refs}.qc/${basename(spiked)}.qc.json`)).toBe(true);

    const bad = config("bad.yaml", ["onFailure: refuse", "variables:", "  - variable: temp", "    spike: {suspectThreshold: 9, failThreshold: 8}", ""].join("\n"));
    const b = await dmac(["convert", spiked, "--out", join(dir, "never.zarr"), "--qc", bad]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`${bad}:4:\\d+: variables\\[0\\]\\.spike`));
    expect(existsSync(join(dir, "never.zarr"))).toBe(false);
  });
});
