// QC in front of the real ingest: a file with an injected spike is refused under the refuse
// policy, its report says where the spike is, and the Zarr store is byte-for-byte unchanged.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ingest } from "../../dataplane/ingest.js";
import { loadCfContext } from "../../dataplane/qc/cf/context.js";
import { checkFiles } from "../../dataplane/qc/check-files.js";
import { parseQcConfig } from "../../dataplane/qc/load-config.js";
import { reportPathFor } from "../../dataplane/qc/report-path.js";
import type { QcReport } from "../../dataplane/qc/report.js";
import { writeReportFile } from "../../dataplane/qc/write-report.js";

const dir = mkdtempSync(join(tmpdir(), "qc-gate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cdl = readFileSync(fileURLToPath(new URL("./fixtures/qc-stations.cdl", import.meta.url)), "utf8");

/** Builds a variant of the fixture: hours `first..first+11`, with or without the spike at [5, 1]. */
function build(name: string, first: number, spike: boolean): string {
  let text = cdl.replace(/time = 0, 1, [\d, ]+;/, `time = ${Array.from({ length: 12 }, (_, i) => first + i).join(", ")} ;`).replace("3500, 400, 440", "300, 400, 440");
  if (!spike) text = text.replace("250, 1350, 430", "250, 350, 430");
  const cdlPath = join(dir, `${name}.cdl`);
  writeFileSync(cdlPath, text.replace("netcdf qc-stations", `netcdf ${name}`));
  const nc = join(dir, `${name}.nc`);
  execFileSync("ncgen", ["-k", "nc4", "-o", nc, cdlPath]);
  return nc;
}

/** Every file of a store with its bytes, to compare a store before and after. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p).toString("base64");
    }
  };
  walk(root);
  return out;
}

const config = parseQcConfig(
  ["onFailure: refuse", "cfChecks: false", "variables:", "  - variable: temp", "    spike: {suspectThreshold: 6, failThreshold: 8}", "    grossRange: {failMin: -2, failMax: 40}", ""].join("\n"),
  "gate.yaml",
);

describe("QC as the ingest's gate", () => {
  it("refuses a spiked file under the refuse policy and leaves the store unchanged", async () => {
    const clean = build("clean", 0, false);
    const spiked = build("spiked", 12, true);
    const store = join(dir, "stations.zarr");
    const cf = loadCfContext();

    const first = await checkFiles([clean], config, { cf });
    expect(first.accepted).toEqual([clean]);
    const created = await ingest({ store, inputs: first.accepted, concurrency: 0 });
    expect(created.files.map((f) => f.status)).toEqual(["ingested"]);
    const before = snapshot(store);

    const second = await checkFiles([spiked], config, { cf });
    expect(second.accepted).toEqual([]);
    expect(second.refused).toEqual([{ input: spiked, reason: expect.stringContaining("temp: spike failed 1 value(s)") }]);
    const check = second.checks[0];
    const report = check !== undefined && "report" in check ? check.report : undefined;
    expect(report?.variables[0]?.tests.spike?.offending).toEqual([{ index: [5, 1], flag: 4, value: expect.closeTo(23.5, 4) }]);
    const written = await writeReportFile(reportPathFor(store, spiked), report as QcReport);
    expect(written).toBe(`${store}.qc/spiked.nc.qc.json`);
    expect(snapshot(store)).toEqual(before);

    // The refusal is QC's: without the gate the same file lands (in a scratch copy of the store).
    const scratch = join(dir, "scratch.zarr");
    await ingest({ store: scratch, inputs: [clean], concurrency: 0 });
    const ungated = await ingest({ store: scratch, inputs: [spiked], concurrency: 0 });
    expect(ungated.files.map((f) => f.status)).toEqual(["ingested"]);
  });

  it("lets unreadable files through for the ingest to refuse with its own reason", async () => {
    const junk = join(dir, "junk.nc");
    writeFileSync(junk, "not netcdf");
    const result = await checkFiles([junk], config);
    expect(result.accepted).toEqual([junk]);
    expect(result.checks).toEqual([{ input: junk, unreadable: expect.stringContaining("not a NetCDF file") }]);
  });
});
