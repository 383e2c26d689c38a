// Overview levels (issue #21 item 2, store side; format in docs/dataplane.md "Overviews
// (multiscale)"): on a ROMS-like curvilinear sample with land masks, NaN and fill values, every
// level equals a mask-aware numpy block mean computed by /usr/bin/python3 (overview_check.py),
// each level opens alone in xarray, level 0 is what it was without overviews, the `multiscales`
// attribute validates against the convention's schema, and levels follow appends, new runs and
// best-forecast replacements.
import { afterAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { FileStore, arrayOf, ingest, readConsolidated, readRegion, type Ledger } from "../../dataplane/index.js";
import { daskPayloadExecutor } from "../ingest-worker/harness.js";
import { curvilinearFile, hoursAfter } from "./curvilinear.js";
import { cycleAt, romsKey, tempDir, validTime } from "./fixtures.js";

const run = promisify(execFile);
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const src = join(tmp.path, "src");
const T0 = "2023-10-22T00:00:00Z";
// 37 x 45 rho cells with an 8-cell threshold: 45 -> 23 -> 12 -> 6, three levels; chunks of 16
// make every level span several chunks, with clipped blocks and chunks at the edges.
const GRID = { ny: 37, nx: 45, ns: 2 };
const small = { overviews: { gridThreshold: 8 }, chunking: { eta_rho: 16, xi_rho: 16, eta_u: 16, xi_u: 16 } };
const fixtures = fileURLToPath(new URL("../fixtures/multiscales/", import.meta.url));

interface Check {
  errors: string[];
  checked: Record<string, string[]>;
  levels: number;
  times: Record<string, number>;
}

async function check(store: string, extra: Record<string, unknown> = {}): Promise<Check> {
  const script = fileURLToPath(new URL("./overview_check.py", import.meta.url));
  const { stdout } = await run("/usr/bin/python3", [script, JSON.stringify({ store, ...extra })], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Check;
}

const ALL = ["h", "lat_rho", "lat_u", "lon_rho", "lon_u", "mask_rho", "mask_u", "salt", "temp", "u", "zeta"];

describe("overview levels of a curvilinear grid", () => {
  const files = [1, 2, 3].map((h) => curvilinearFile(src, `append-${h}.nc`, { ...GRID, times: [hoursAfter(T0, h)] }));

  it("equal numpy's mask-aware block means; each level opens alone in xarray; level 0 is unchanged", async () => {
    const store = join(tmp.path, "a.zarr");
    const reference = join(tmp.path, "a-reference.zarr");
    await ingest({ store, inputs: files, ...small });
    await ingest({ store: reference, inputs: files, ...small, overviews: { gridThreshold: Infinity } });
    const result = await check(store, { reference });
    expect(result.errors).toEqual([]);
    expect(result.levels).toBe(3);
    for (const k of ["1", "2", "3"]) {
      expect(result.checked[k]).toEqual(ALL);
      expect(result.times[k]).toBe(3);
    }
    const state = await readConsolidated<Ledger>(new FileStore(store));
    expect(state?.ledger?.overviews?.[""]).toEqual({ kind: "grid", levels: 3, length: 3 });
    const zeta1 = state?.hierarchy.arrays["overviews/1/zeta"];
    expect(zeta1?.meta).toMatchObject({ shape: [3, 19, 23], chunks: [1, 16, 16], dtype: "<f4", fill_value: "NaN" });
    expect(state?.hierarchy.arrays["overviews/3/temp"]?.meta).toMatchObject({ shape: [3, 2, 5, 6], chunks: [1, 1, 5, 6] });
    expect(String(zeta1?.attrs.cell_methods)).toMatch(/^eta_rho: xi_rho: mean \(comment: 2x2 blocks/);
    // The reference store has none of it.
    const ref = await readConsolidated<Ledger>(new FileStore(reference));
    expect(Object.keys(ref?.hierarchy.groups ?? {})).toEqual([""]);
    expect(ref?.ledger?.overviews).toBeUndefined();
  });

  it("the multiscales attribute validates against the convention's schema (v0.1.0) and the issue's format", async () => {
    const store = join(tmp.path, "a.zarr");
    const state = await readConsolidated<Ledger>(new FileStore(store));
    const attrs = state?.hierarchy.groups[""] as Record<string, unknown>;
    const official = JSON.parse(readFileSync(join(fixtures, "schema-v0.1.0.json"), "utf8")) as Record<string, unknown>;
    const ours = JSON.parse(readFileSync(join(fixtures, "dmac-group-attributes.schema.json"), "utf8")) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(official);
    const validOfficial = ajv.compile({ $ref: official.$id as string });
    expect(validOfficial(attrs.multiscales), JSON.stringify(validOfficial.errors)).toBe(true);
    const validOurs = ajv.compile(ours);
    expect(validOurs(attrs), JSON.stringify(validOurs.errors)).toBe(true);
    // The schemas are not vacuous: a derived level without a transform, or a wrong uuid, fails.
    const layout = (attrs.multiscales as { layout: Array<Record<string, unknown>> }).layout;
    expect(validOfficial({ layout: [layout[0], { asset: "overviews/1", derived_from: "." }] })).toBe(false);
    expect(validOurs({ ...attrs, zarr_conventions: [{ uuid: "x" }] })).toBe(false);
    expect(layout.map((l) => l["dmac:shape"])).toEqual([
      { eta_rho: 37, xi_rho: 45, eta_u: 37, xi_u: 44 },
      { eta_rho: 19, xi_rho: 23, eta_u: 19, xi_u: 22 },
      { eta_rho: 10, xi_rho: 12, eta_u: 10, xi_u: 11 },
      { eta_rho: 5, xi_rho: 6, eta_u: 5, xi_u: 6 },
    ]);
    // Each level's group carries the global attributes, not the layout.
    expect(state?.hierarchy.groups["overviews/1"]?.title).toBe("ROMS-like test grid");
    expect(state?.hierarchy.groups["overviews/1"]?.multiscales).toBeUndefined();
  });

  it("follow an append in another run: the new step's levels are written and published with it", async () => {
    const store = join(tmp.path, "append.zarr");
    await ingest({ store, inputs: files.slice(0, 2), ...small });
    expect((await check(store)).times["2"]).toBe(2);
    await ingest({ store, inputs: files.slice(2), ...small });
    const result = await check(store);
    expect(result.errors).toEqual([]);
    expect(result.times).toEqual({ "1": 3, "2": 3, "3": 3 });
  });

  it("a store made without overviews gets them for all its steps on its next run", async () => {
    const store = join(tmp.path, "late.zarr");
    await ingest({ store, inputs: files.slice(0, 2), ...small, overviews: { gridThreshold: Infinity } });
    expect((await readConsolidated<Ledger>(new FileStore(store)))?.ledger?.overviews).toBeUndefined();
    await ingest({ store, inputs: files.slice(2), ...small });
    const result = await check(store);
    expect(result.errors).toEqual([]);
    expect(result.times).toEqual({ "1": 3, "2": 3, "3": 3 });
  });

  it("the same levels when the copy tasks run on the Dask payload (apps/ingest-worker on a LocalCluster), as a DaskJob runs them", async () => {
    const store = join(tmp.path, "dask.zarr");
    const payload = daskPayloadExecutor(store, { workers: 1 });
    await ingest({ store, inputs: files.slice(0, 2), ...small, executor: payload.executor });
    await ingest({ store, inputs: files.slice(2), ...small, executor: payload.executor });
    expect(payload.runs.length).toBe(2);
    const result = await check(store, { reference: join(tmp.path, "a.zarr") });
    expect(result.errors).toEqual([]);
    expect(result.times).toEqual({ "1": 3, "2": 3, "3": 3 });
  });

  it("longitudes across the 0/360 wrap are averaged unwrapped, in level 0's range", async () => {
    // lon_rho 359.8 .. 0.37 (stored in [0, 360)): one jump of 360 along every row.
    const wrapped = curvilinearFile(src, "wrap.nc", { ...GRID, times: [hoursAfter(T0, 1)], lonOffset: 436.3, wrap360: true });
    const store = join(tmp.path, "wrap.zarr");
    await ingest({ store, inputs: [wrapped], ...small });
    const result = await check(store);
    expect(result.errors).toEqual([]);
    expect(result.checked["3"]).toEqual(ALL);
    const state = await readConsolidated<Ledger>(new FileStore(store));
    for (const k of [1, 2, 3]) {
      const a = arrayOf(new FileStore(store), state as NonNullable<typeof state>, `overviews/${k}/lon_rho`);
      if (a === undefined) throw new Error("no lon_rho");
      const [rows, cols] = a.meta.shape as [number, number];
      const lon = (await readRegion(a)) as Float64Array;
      for (let r = 0; r < rows; r++) {
        const steps = Array.from({ length: cols - 1 }, (_, c) => Math.abs((lon[r * cols + c + 1] as number) - (lon[r * cols + c] as number)));
        // Smooth but for the one wrap: no block averaged into the middle of the globe.
        expect(steps.filter((d) => d > 1)).toHaveLength(1);
        expect(steps.filter((d) => d > 1)[0]).toBeGreaterThan(358);
        expect(Math.min(...lon.subarray(r * cols, (r + 1) * cols))).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("a Zarr v3 store gets the same levels (read back through our reader)", async () => {
    const v2 = join(tmp.path, "a.zarr");
    const v3 = join(tmp.path, "v3.zarr");
    await ingest({ store: v3, inputs: files, ...small, format: "zarr-v3" });
    const [s2, s3] = [await readConsolidated<Ledger>(new FileStore(v2)), await readConsolidated<Ledger>(new FileStore(v3))];
    expect(s3?.format).toBe(3);
    expect(s3?.hierarchy.groups[""]?.multiscales).toEqual(s2?.hierarchy.groups[""]?.multiscales);
    for (const path of ["overviews/1/zeta", "overviews/2/temp", "overviews/3/lon_u", "overviews/2/mask_rho"]) {
      const a = arrayOf(new FileStore(v2), s2 as NonNullable<typeof s2>, path);
      const b = arrayOf(new FileStore(v3), s3 as NonNullable<typeof s3>, path);
      if (a === undefined || b === undefined) throw new Error(`no ${path}`);
      expect(Array.from((await readRegion(b)) as Float64Array)).toEqual(Array.from((await readRegion(a)) as Float64Array));
    }
  });
});

describe("overview levels across forecast cycles", () => {
  const c00 = cycleAt(T0);
  const c06 = cycleAt("2023-10-22T06:00:00Z");
  const cycleFile = (cycle: Date, hour: number, seed: number): string =>
    curvilinearFile(src, romsKey({ cycle, kind: "f", hour }), { ...GRID, times: [validTime({ cycle, kind: "f", hour })], seed });

  it("a new model run gets its own levels; a best forecast recomputes the steps a newer cycle replaces", async () => {
    const first = [4, 5, 6, 7, 8, 9].map((h) => cycleFile(c00, h, 0));
    const second = [1, 2, 3, 4, 5].map((h) => cycleFile(c06, h, 6));

    const store = join(tmp.path, "best.zarr");
    await ingest({ store, inputs: first, aggregation: { type: "best-forecast" }, ...small });
    const before = await readConsolidated<Ledger>(new FileStore(store));
    const level1 = async (s: NonNullable<typeof before>, step: number): Promise<number[]> => {
      const a = arrayOf(new FileStore(store), s, "overviews/1/zeta");
      if (a === undefined) throw new Error("no overviews/1/zeta");
      return Array.from(await readRegion(a, [step, 0, 0], [1, 19, 23]) as Float32Array);
    };
    const old = await level1(before as NonNullable<typeof before>, 3);
    // Cycle 06 replaces valid times 07-09 (leads 1-3 beat 7-9) and extends to 11.
    await ingest({ store, inputs: second, aggregation: { type: "best-forecast" }, ...small });
    const after = await readConsolidated<Ledger>(new FileStore(store));
    expect(after?.ledger?.groups[""]?.map((s) => s.leadMs !== undefined && s.leadMs / 3_600_000)).toEqual([4, 5, 6, 1, 2, 3, 4, 5]);
    expect(await level1(after as NonNullable<typeof after>, 3)).not.toEqual(old);
    const result = await check(store);
    expect(result.errors).toEqual([]);
    expect(result.times).toEqual({ "1": 8, "2": 8, "3": 8 });

    // model-run: each run type's group has its own levels and layout.
    const runStore = join(tmp.path, "run.zarr");
    await ingest({ store: runStore, inputs: second, aggregation: { type: "model-run" }, ...small });
    const forecast = await check(runStore, { group: "forecast" });
    expect(forecast.errors).toEqual([]);
    expect(forecast.times).toEqual({ "1": 5, "2": 5, "3": 5 });
  });
});

const child = fileURLToPath(new URL("./overview-child.ts", import.meta.url));

/** Runs the child and SIGKILLs it at its first "overview" line after `afterCommits` commits; resolves with what it printed. */
function killMidOverview(store: string, inputs: string[], afterCommits = 0, overviews: Record<string, number> = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DMAC_TEST_STALL_MS: "5000", DMAC_TEST_STALL_AFTER_COMMITS: String(afterCommits), DMAC_TEST_OVERVIEWS: JSON.stringify(overviews) };
    const proc = spawn(process.execPath, ["--import", "tsx", child, store, ...inputs], { stdio: ["ignore", "pipe", "pipe"], env });
    const lines: string[] = [];
    let stderr = "";
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n").filter((l) => l !== "")) {
        lines.push(line);
        if (line.startsWith("overview ") && lines.filter((l) => l === "commit").length >= afterCommits) proc.kill("SIGKILL");
      }
    });
    proc.on("error", reject);
    proc.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve(lines) : reject(new Error(`child was not killed mid-overview (${lines.join(", ")}): ${stderr}`))));
  });
}

describe("a crash while the levels are written", () => {
  it("kill -9 mid-overview leaves the last commit readable with complete levels; the next run finishes them, as one clean run does", async () => {
    const files = [1, 2, 3, 4].map((h) => curvilinearFile(src, `crash-${h}.nc`, { ...GRID, times: [hoursAfter(T0, h)] }));
    const crashed = join(tmp.path, "crashed.zarr");
    await ingest({ store: crashed, inputs: files.slice(0, 2), ...small });
    const lines = await killMidOverview(crashed, files.slice(2));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^overview 1\/\d+$/);
    // The level chunks of step 2 were being written beyond the committed shape: on disk, not visible.
    expect(existsSync(join(crashed, "overviews/1/zeta/2.0.0"))).toBe(true);
    const state = await readConsolidated<Ledger>(new FileStore(crashed));
    expect(state?.ledger?.groups[""]?.length).toBe(2);
    expect(state?.hierarchy.arrays["overviews/1/zeta"]?.meta.shape[0]).toBe(2);
    const readable = await check(crashed);
    expect(readable.errors).toEqual([]);
    expect(readable.times).toEqual({ "1": 2, "2": 2, "3": 2 });

    await ingest({ store: crashed, inputs: files.slice(2), ...small });
    const clean = join(tmp.path, "clean.zarr");
    await ingest({ store: clean, inputs: files, ...small });
    const finished = await check(crashed, { reference: clean });
    expect(finished.errors).toEqual([]);
    expect(finished.times).toEqual({ "1": 4, "2": 4, "3": 4 });
    const levels = "import sys, xarray as xr\nfor k in (1, 2, 3):\n    a, b = (xr.open_zarr(p, group=f'overviews/{k}').load() for p in sys.argv[1:])\n    xr.testing.assert_identical(a, b)";
    const same = await run("/usr/bin/python3", ["-c", levels, crashed, clean]);
    expect(same.stderr).toBe("");
  });
});

describe("levels catching up with a long store", () => {
  it("a store made without overviews gets them a batch per commit; a kill keeps the batches done and the next run finishes", async () => {
    const files = [1, 2, 3, 4, 5, 6, 7].map((h) => curvilinearFile(src, `late-${h}.nc`, { ...GRID, times: [hoursAfter(T0, h)] }));
    const store = join(tmp.path, "catch-up.zarr");
    await ingest({ store, inputs: files.slice(0, 6), ...small, overviews: { gridThreshold: Infinity } });

    // Two steps a commit: the first commit (with the 7th file) does steps 0-1, the next ones 2-3, 4-5, 6.
    // Killed while writing the third batch, after two commits.
    const lines = await killMidOverview(store, files.slice(6), 2, { catchUpSteps: 2 });
    expect(lines.filter((l) => l === "commit")).toHaveLength(2);

    // Readable, with the two batches kept: levels of 4 steps, not yet named by multiscales.
    let state = await readConsolidated<Ledger>(new FileStore(store));
    expect(state?.ledger?.groups[""]?.length).toBe(7);
    expect(state?.ledger?.overviews?.[""]).toEqual({ kind: "grid", levels: 3, length: 4 });
    expect(state?.hierarchy.groups[""]?.multiscales).toBeUndefined();
    expect(state?.hierarchy.arrays["overviews/2/temp"]?.meta.shape).toEqual([4, 2, 10, 12]);
    const partial = await run("/usr/bin/python3", ["-c", "import sys, xarray as xr; ds = xr.open_zarr(sys.argv[1], group='overviews/1'); print(len(ds.ocean_time), len(xr.open_zarr(sys.argv[1]).ocean_time))", store]);
    expect(partial.stdout.trim()).toBe("4 7");

    // The next run (nothing new to ingest) finishes the levels: named, equal to numpy's.
    await ingest({ store, inputs: files, ...small, overviews: { gridThreshold: 8, catchUpSteps: 2 } });
    state = await readConsolidated<Ledger>(new FileStore(store));
    expect(state?.ledger?.overviews?.[""]).toEqual({ kind: "grid", levels: 3, length: 7 });
    const result = await check(store);
    expect(result.errors).toEqual([]);
    expect(result.times).toEqual({ "1": 7, "2": 7, "3": 7 });
  });
});
