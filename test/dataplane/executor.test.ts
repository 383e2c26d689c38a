// The local executor runs task documents in worker threads and gives the same store as running
// them inline; the task contract is validated with errors that name the field.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ingest, validateTask, TASK_CONTRACT, runLocal, type IngestTask } from "../../dataplane/index.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";
import { sampleTask } from "../support/sample-task.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("task contract", () => {
  const good = sampleTask;
  it("accepts a well-formed document and survives a JSON round trip", () => {
    expect(validateTask(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });
  it("rejects documents naming the bad field", () => {
    expect(() => validateTask({ ...good, contract: "v0" })).toThrow(/ingest task\/contract/);
    expect(() => validateTask({ ...good, steps: [{ source: -1, target: 0 }] })).toThrow(/\/steps\/0\/source/);
    expect(() => validateTask({ ...good, arrays: [{ ...good.arrays[0], path: "../escape" }] })).toThrow(/\/arrays\/0\/path/);
    expect(() => validateTask({ ...good, extra: 1 })).toThrow(/additional properties/);
  });
});

describe("local executor", () => {
  it("worker threads and inline execution write identical stores, with progress callbacks", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    const files = [1, 2, 3, 4].map((hour) => romsFile(join(tmp.path, "src"), { cycle: c, kind: "f", hour }));
    const progress: number[] = [];
    const threaded = join(tmp.path, "threaded.zarr");
    const inline = join(tmp.path, "inline.zarr");
    const r = await ingest({ store: threaded, inputs: files, concurrency: 2, onProgress: (p) => p.phase === "write" && progress.push(p.done) });
    await ingest({ store: inline, inputs: files, concurrency: 0 });
    expect(r.timeSteps).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4]);
    for (const v of ["zeta", "temp", "salt", "ocean_time"]) {
      const names = readdirSync(join(inline, v)).filter((f) => !f.startsWith(".tmp")).sort();
      expect(readdirSync(join(threaded, v)).filter((f) => !f.startsWith(".tmp")).sort()).toEqual(names);
      for (const n of names) expect(readFileSync(join(threaded, v, n))).toEqual(readFileSync(join(inline, v, n)));
    }
  });

  it("a task that fails in a worker is reported, not thrown, and the others complete", async () => {
    const task: IngestTask = {
      contract: TASK_CONTRACT,
      id: "missing",
      source: { url: join(tmp.path, "does-not-exist.nc") },
      target: { store: join(tmp.path, "fail.zarr") },
      concatDim: "ocean_time",
      steps: [{ source: 0, target: 0 }],
      arrays: [],
    };
    const out = await runLocal([[task]], { concurrency: 1 });
    expect(out.results).toEqual([]);
    expect(out.failures).toEqual([{ id: "missing", error: expect.stringContaining("does-not-exist.nc: cannot read") }]);
  });
});
