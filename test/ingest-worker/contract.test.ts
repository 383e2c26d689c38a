// The payload's side of the task contract: it validates with the very schema the TypeScript side
// compiles (exported to JSON, checked current here), names bad fields as Ajv does, and its command
// line refuses unusable task lists before starting a cluster. One invalid task among good ones
// fails alone, with the same message the local executor's worker threads give.
import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TASK_CONTRACT, ingestTaskSchema, validateTask, type IngestTask } from "../../dataplane/index.js";
import { schemaFile, schemaJson } from "../../apps/ingest-worker/export-schema.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { runPayload, workerRoot } from "./harness.js";
import { sampleTask } from "../support/sample-task.js";

const run = promisify(execFile);
const tmp = tempDir("dmac-iw-contract-");
afterAll(() => tmp.cleanup());

const good = sampleTask;
const zarray = good.arrays[0]!.zarray;
const bad: Array<[string, unknown]> = [
  ["wrong contract", { ...good, contract: "v0" }],
  ["missing id", { ...good, id: undefined }],
  ["empty id", { ...good, id: "" }],
  ["negative step", { ...good, steps: [{ source: -1, target: 0 }] }],
  ["fractional step", { ...good, steps: [{ source: 0.5, target: 0 }] }],
  ["extra step field", { ...good, steps: [{ source: 0, target: 0, length: 2 }] }],
  ["escaping path", { ...good, arrays: [{ ...good.arrays[0], path: "../escape" }] }],
  ["extra top-level field", { ...good, extra: 1 }],
  ["zarr_format 3 metadata", { ...good, arrays: [{ ...good.arrays[0], zarray: { ...zarray, zarr_format: 3 } }] }],
  ["unknown dtype", { ...good, arrays: [{ ...good.arrays[0], zarray: { ...zarray, dtype: ">f4" } }] }],
  ["zero chunk length", { ...good, arrays: [{ ...good.arrays[0], zarray: { ...zarray, chunks: [0, 5, 7] } }] }],
  ["filters set", { ...good, arrays: [{ ...good.arrays[0], zarray: { ...zarray, filters: [{ id: "delta" }] } }] }],
  ["zarrFormat 4", { ...good, target: { store: "x", zarrFormat: 4 } }],
  ["boolean where a number is due", { ...good, target: { store: "x", zarrFormat: true } }],
  ["source without url", { ...good, source: {} }],
];

async function pythonValidate(docs: unknown[]): Promise<Array<string | null>> {
  const code = `
import json, sys
from ingest_worker.contract import ContractError, validate_task
out = []
for doc in json.load(sys.stdin):
    try:
        validate_task(doc)
        out.append(None)
    except ContractError as err:
        out.append(str(err))
print(json.dumps(out))`;
  const child = run("/usr/bin/python3", ["-c", code], { env: { ...process.env, PYTHONPATH: workerRoot } });
  child.child.stdin?.end(JSON.stringify(docs));
  return JSON.parse((await child).stdout) as Array<string | null>;
}

const ajvError = (doc: unknown): string | null => {
  try {
    validateTask(doc);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

describe("task contract in Python", () => {
  it("the exported JSON Schema is the one dataplane/task.ts compiles (regenerate: npx tsx apps/ingest-worker/export-schema.ts)", () => {
    expect(readFileSync(schemaFile, "utf8")).toBe(schemaJson());
    expect(JSON.parse(readFileSync(schemaFile, "utf8"))).toEqual(ingestTaskSchema);
  });

  it("accepts what Ajv accepts and rejects what Ajv rejects, with the same field path and message", async () => {
    const docs = [good, JSON.parse(JSON.stringify(bad.map(([, d]) => d))) as unknown[]].flat();
    const python = await pythonValidate(docs);
    expect(python[0]).toBeNull();
    expect(python.filter((m) => m !== null)).toHaveLength(bad.length);
    bad.forEach(([what], i) => {
      const expected = ajvError(docs[i + 1]);
      expect(expected, what).not.toBeNull();
      expect(python[i + 1], what).toBe(expected);
    });
  });
});

describe("the payload's command line", () => {
  it("exits 2 naming the URL when the task list is missing, not JSON, or of another contract", async () => {
    const missing = await runPayload(["--tasks", join(tmp.path, "none.json"), "--results", join(tmp.path, "r.json"), "--local-workers", "1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(tmp.path, "none.json")}: not found`);

    const notJson = join(tmp.path, "bad.json");
    writeFileSync(notJson, "{");
    const parsed = await runPayload(["--tasks", `file://${notJson}`, "--results", join(tmp.path, "r.json"), "--local-workers", "1"]);
    expect(parsed.code).toBe(2);
    expect(parsed.stderr).toContain(`file://${notJson}`);

    const other = join(tmp.path, "other.json");
    writeFileSync(other, JSON.stringify({ contract: "dmac.ioos.us/ingest-task/v2", chains: [] }));
    const refused = await runPayload(["--tasks", other, "--results", join(tmp.path, "r.json"), "--local-workers", "1"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("task list/contract: 'dmac.ioos.us/ingest-task/v2' is not dmac.ioos.us/ingest-task/v1");

    const env = await runPayload(["--tasks", other, "--results", join(tmp.path, "r.json")], { DMAC_TASK_CONTRACT: "dmac.ioos.us/ingest-task/v2" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("the operator speaks dmac.ioos.us/ingest-task/v2");
  });

  it("an invalid task and a task naming a missing variable fail alone; the valid task lands", async () => {
    const file = romsFile(join(tmp.path, "src"), { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour: 1 });
    const store = join(tmp.path, "out.zarr");
    const meta = { zarr_format: 2 as const, shape: [1, 5, 7], chunks: [1, 5, 7], dtype: "<f4" as const, compressor: { id: "zlib", level: 1 }, fill_value: 1e37, order: "C" as const, filters: null, dimension_separator: "." as const };
    const ok: IngestTask = { contract: TASK_CONTRACT, id: "ok", source: { url: file }, target: { store }, concatDim: "ocean_time", steps: [{ source: 0, target: 0 }], arrays: [{ variable: "zeta", path: "zeta", zarray: meta }] };
    const invalid = { ...ok, id: "invalid", steps: [{ source: -1, target: 0 }] };
    const noVariable: IngestTask = { ...ok, id: "no-variable", arrays: [{ variable: "ubar", path: "ubar", zarray: meta }] };
    const tasks = join(tmp.path, "mixed.json");
    writeFileSync(tasks, JSON.stringify({ contract: TASK_CONTRACT, chains: [[invalid, ok], [noVariable]] }));
    const results = join(tmp.path, "mixed-results.json");
    const out = await runPayload(["--tasks", tasks, "--results", results, "--local-workers", "2"]);
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(results, "utf8")) as { contract: string; results: Array<{ id: string; chunks: number }>; failures: Array<{ id: string; error: string }> };
    expect(doc.contract).toBe(TASK_CONTRACT);
    expect(doc.results).toEqual([{ id: "ok", chunks: 1, bytesWritten: expect.any(Number), bytesRead: 140 }]);
    expect(doc.failures).toEqual([
      { id: "invalid", error: ajvError(invalid) },
      { id: "no-variable", error: `${file}: variable ubar is missing` },
    ]);
    // The chunk and nothing else: metadata is the planner's to write.
    expect(readdirSync(store, { recursive: true }).map(String).sort()).toEqual(["zeta", join("zeta", "0.0.0")]);
  });
});
