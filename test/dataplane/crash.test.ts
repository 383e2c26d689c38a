// Killing the ingest (SIGKILL) mid-run: the store is readable at every moment, and a second run
// ends with exactly what an uninterrupted run writes.
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStore, ingest, readConsolidated, type Ledger } from "../../dataplane/index.js";
import { chunkKey } from "../../dataplane/zarr/metadata.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, romsFile, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const child = fileURLToPath(new URL("./ingest-child.ts", import.meta.url));

/** Every chunk that the committed shapes cover exists and every array's metadata is consistent. */
async function assertReadable(storePath: string): Promise<number> {
  const store = new FileStore(storePath);
  const state = await readConsolidated<Ledger>(store);
  if (state === undefined) return 0;
  const length = state.ledger?.groups[""]?.length ?? 0;
  for (const [path, node] of Object.entries(state.hierarchy.arrays)) {
    const grid = node.meta.shape.map((s, i) => Math.ceil(s / (node.meta.chunks[i] ?? 1)));
    const walk = async (dim: number, index: number[]): Promise<void> => {
      if (dim === grid.length) {
        const bytes = await store.get(chunkKey(path, index, state.format));
        if (bytes === undefined) throw new Error(`${path}: chunk ${index.join(".")} is inside the committed shape but missing`);
        return;
      }
      for (let k = 0; k < (grid[dim] ?? 0); k++) await walk(dim + 1, [...index, k]);
    };
    await walk(0, []);
    const dims = node.attrs._ARRAY_DIMENSIONS;
    if (Array.isArray(dims) && dims[0] === "ocean_time") expect(node.meta.shape[0]).toBe(length);
  }
  return length;
}

function runChild(store: string, inputs: string[], killAfterCommits: number): Promise<{ commits: number; killed: boolean; lengths: number[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, store, ...inputs], { stdio: ["ignore", "pipe", "pipe"] });
    let commits = 0;
    let killed = false;
    const lengths: number[] = [];
    let checking = Promise.resolve();
    let stderr = "";
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n")) {
        if (line !== "commit") continue;
        commits += 1;
        // Check while the child keeps writing: the store must be readable at any moment.
        checking = checking.then(async () => {
          lengths.push(await assertReadable(store));
        });
        if (commits === killAfterCommits && !killed) {
          killed = true;
          proc.kill("SIGKILL");
        }
      }
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => {
      checking.then(() => {
        if (!killed && code !== 0) reject(new Error(`child failed (${code ?? signal}): ${stderr}`));
        else resolve({ commits, killed, lengths });
      }, reject);
    });
  });
}

describe("crash safety", () => {
  it("kill -9 mid-ingest, then run again: readable throughout, same result as one clean run", async () => {
    const src = join(tmp.path, "src");
    const c00 = cycleAt("2023-10-22T00:00:00Z");
    const files = Array.from({ length: 10 }, (_, i) => romsFile(src, { cycle: c00, kind: "f", hour: i + 1 }));

    const crashed = join(tmp.path, "crashed.zarr");
    const first = await runChild(crashed, files, 4);
    expect(first.killed).toBe(true);
    const afterKill = await assertReadable(crashed);
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(files.length);
    const partial = await compareWithXarray({ store: crashed, concatDim: "ocean_time", sources: files.slice(0, afterKill).map((p) => [p, 0]) });
    expect(partial.detail).toBe("");

    const second = await runChild(crashed, files, Infinity);
    expect(second.killed).toBe(false);
    expect(second.lengths.every((n, i) => i === 0 || n >= (second.lengths[i - 1] ?? 0))).toBe(true);

    const clean = join(tmp.path, "clean.zarr");
    await ingest({ store: clean, inputs: files, concurrency: 0 });
    const [a, b] = await Promise.all([readConsolidated<Ledger>(new FileStore(crashed)), readConsolidated<Ledger>(new FileStore(clean))]);
    expect(a?.hierarchy).toEqual(b?.hierarchy);
    expect(a?.ledger?.groups).toEqual(b?.ledger?.groups);
    const chunks = (p: string) => readdirSync(join(p, "temp")).filter((f) => !f.startsWith(".")).sort();
    expect(chunks(crashed)).toEqual(chunks(clean));
    const full = await compareWithXarray({ store: crashed, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(full.detail).toBe("");
  });
});
