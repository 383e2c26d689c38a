// `dmac convert` end to end through bin/dmac.js: globs, a refused file, summary and exit code.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cycleAt, romsFile, tempDir, truncatedCopy } from "./fixtures.js";
import { compareWithXarray } from "./xarray.js";

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
