// The payload's Python unit tests (apps/ingest-worker/tests), run with Debian's Python.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { workerRoot } from "./harness.js";

const run = promisify(execFile);

describe("ingest_worker unit tests", () => {
  it("pass under /usr/bin/python3 -m unittest", async () => {
    const out = await run("/usr/bin/python3", ["-m", "unittest", "discover", "-s", join(workerRoot, "tests"), "-t", workerRoot], {
      env: { ...process.env, PYTHONPATH: workerRoot, PYTHONDONTWRITEBYTECODE: "1" },
    }).catch((err: { stderr?: string }) => {
      throw new Error(`unit tests failed:\n${err.stderr ?? String(err)}`);
    });
    expect(out.stderr).toMatch(/Ran (\d+) tests[\s\S]*\nOK\s*$/);
    expect(Number(/Ran (\d+) tests/.exec(out.stderr)?.[1])).toBeGreaterThanOrEqual(13);
  });
});
