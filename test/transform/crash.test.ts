// Kill -9 during a derived update, then restart: the store equals an uninterrupted run. Killed
// while chunks go to staging, the store is as before (xarray-identical to the store before the
// update); killed while staged chunks are copied into place, the next run finishes the journal.
// Both then end identical (xarray assert_identical) to an update that was never interrupted.
import { spawn, execFile } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derive } from "../../dataplane/transform/derive.js";
import { transformOptionsFor } from "../../dataplane/transform/options.js";
import { tempDir } from "../dataplane/fixtures.js";
import { ingestSample, sampleCycles } from "./samples.js";

const tmp = tempDir("dmac-derive-crash-");
afterAll(() => tmp.cleanup());
const child = fileURLToPath(new URL("./derive-child.ts", import.meta.url));
const identical = "import sys, xarray as xr\nxr.testing.assert_identical(xr.open_zarr(sys.argv[1], consolidated=True).load(), xr.open_zarr(sys.argv[2], consolidated=True).load())\nprint('identical')";
const sameStore = async (a: string, b: string) => (await promisify(execFile)("/usr/bin/python3", ["-c", identical, a, b])).stdout.trim();
const layout = { sourceName: "test/source" };
const transform = transformOptionsFor({ select: { variables: ["temp"], level: "surface" }, resample: { period: "6h", statistic: "mean", utcOffset: "+00:00" } });

function runChild(source: string, target: string, killAt: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, source, target, JSON.stringify(transform), killAt], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("kill -9 during a derived update", () => {
  const cycles = sampleCycles();
  const source = join(tmp.path, "source.zarr");
  const before = join(tmp.path, "before.zarr");
  const after = join(tmp.path, "after.zarr");

  beforeAll(async () => {
    // The derived store as of the first cycle, then the source gets the rest: the update under test.
    await ingestSample(source, cycles[0]?.files ?? []);
    await derive({ source, target: before, transform, layout });
    await ingestSample(source, cycles.slice(1).flatMap((c) => c.files));
    cpSync(before, after, { recursive: true });
    const uninterrupted = await derive({ source, target: after, transform, layout });
    expect(uninterrupted.chunksRewritten).toBeGreaterThan(1);
  }, 180_000);

  for (const killAt of ["stage:1", "apply:1", "apply:3"]) {
    it(`killed at ${killAt}: ${killAt.startsWith("stage") ? "the store is as before; " : ""}restarted, it equals the uninterrupted update`, async () => {
      const store = join(tmp.path, `crash-${killAt.replace(":", "-")}.zarr`);
      cpSync(before, store, { recursive: true });
      const killed = await runChild(source, store, killAt);
      expect(killed.signal, killed.stderr).toBe("SIGKILL");
      expect(killed.stdout).not.toContain("done");
      if (killAt.startsWith("stage")) expect(await sameStore(store, before)).toBe("identical");
      const restarted = await derive({ source, target: store, transform, layout });
      expect(restarted.recovered).toBe(killAt.startsWith("apply"));
      expect(await sameStore(store, after)).toBe("identical");
    }, 120_000);
  }
});
