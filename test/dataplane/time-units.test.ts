// Files whose time coordinate has other CF units in every file, as SELFE/SCHISM (NOAA CREOFS)
// writes them: `time:units = "seconds since <start of this run>"`. The store keeps the first
// file's units and every later file's decoded times are written in them; the xarray combination
// of the sources (decoded times) must equal the store, whatever units each source used.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildReferences, ingest, writeReferences, type IngestOptions } from "../../dataplane/index.js";
import { parseTimeUnits } from "../../dataplane/cftime.js";
import { encodeTimes } from "../../dataplane/aggregate/time-axis.js";
import type { TypedArray } from "../../dataplane/source/types.js";
import { compareWithXarray } from "./xarray.js";
import { expectedBest } from "./expected.js";
import { cycleAt, runStart, selfeFile, tempDir, validTime, type CycleFile, type SelfeOptions } from "./fixtures.js";
import { forecasts as fc, nowcasts as nc } from "../support/cycle-files.js";
import { daskPayloadExecutor } from "../ingest-worker/harness.js";

const tmp = tempDir("dmac-tu-");
afterAll(() => tmp.cleanup());

const c00 = cycleAt("2023-10-22T00:00:00Z");
const c06 = cycleAt("2023-10-22T06:00:00Z");
const c12 = cycleAt("2023-10-22T12:00:00Z");

/** Per-run units, as CREOFS writes them: every cycle (and its nowcast) has its own epoch. */
const creofs = (dir: string, fs: CycleFile[], opts: SelfeOptions = { time: "run" }) =>
  fs.map((f) => ({ f, path: selfeFile(join(tmp.path, dir, "src"), f, opts), valid: validTime(f).getTime() }));

const cf = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
const unitsOfRun = (f: CycleFile): string => `seconds since ${cf(runStart(f))}`;

/** The `time` attributes and raw stored values as zarr-python (through xarray) reads them. */
function storedTime(store: string, group?: string): { units: string; values: number[] } {
  const py = `import json, xarray as xr
ds = xr.open_zarr(${JSON.stringify(store)}, group=${group === undefined ? "None" : JSON.stringify(group)}, consolidated=True, decode_times=False)
print(json.dumps({"units": ds.time.attrs["units"], "values": [float(x) for x in ds.time.values]}))`;
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", py], { encoding: "utf8" })) as { units: string; values: number[] };
}

const run = (store: string, inputs: string[], rest: Partial<IngestOptions> = {}) => ingest({ store, inputs, concurrency: 0, ...rest });

describe("SELFE/SCHISM with per-run time units (seconds since the start of each run)", () => {
  it("the fixtures do carry different units per cycle", () => {
    const [a, b] = creofs("units", [
      { cycle: c00, kind: "f", hour: 1 },
      { cycle: c06, kind: "f", hour: 1 },
    ]);
    const units = [a, b].map((x) => execFileSync("ncdump", ["-h", x?.path as string], { encoding: "utf8" }).match(/time:units = "([^"]+)"/)?.[1]);
    expect(units).toEqual(["seconds since 2023-10-22 00:00:00", "seconds since 2023-10-22 06:00:00"]);
  });

  it("append across cycles, in two runs: equals xarray's combination; the store keeps the first file's units", async () => {
    const first = creofs("append", fc(c00, [1, 2, 3, 4, 5, 6]));
    const second = creofs("append", [...fc(c06, [1, 2, 3]), ...fc(c12, [1, 2])]);
    const store = join(tmp.path, "append", "append.zarr");
    const r1 = await run(store, first.map((x) => x.path));
    expect(r1.files.map((f) => f.status)).toEqual(first.map(() => "ingested"));
    // The existing store's units (from its ledger) govern the later cycles.
    const r2 = await run(store, [...second].reverse().map((x) => x.path));
    expect(r2.files.map((f) => [f.status, f.reason])).toEqual(second.map(() => ["ingested", undefined]));
    expect(r2.lengths[""]).toBe(11);
    const cmp = await compareWithXarray({ store, concatDim: "time", sources: [...first, ...second].map((x) => [x.path, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(11);
    const stored = storedTime(store);
    expect(stored.units).toBe("seconds since 2023-10-22 00:00:00");
    expect(stored.values).toEqual([...first, ...second].map((x) => (x.valid - c00.getTime()) / 1000));
    // Idempotent whatever the units: the same files again add nothing.
    expect((await run(store, second.map((x) => x.path))).timeSteps).toBe(0);
  });

  it("model run: nowcast (units since its start, six hours before the cycle) and forecast groups", async () => {
    const fore = creofs("run", fc(c06, [1, 2, 3]));
    const now = creofs("run", nc(c06, [4, 5, 6]));
    const store = join(tmp.path, "run", "run.zarr");
    // The first input is a forecast: the store's units are the cycle's, so nowcast times go negative.
    const r = await run(store, [...fore, ...now].map((x) => x.path), { aggregation: { type: "model-run" } });
    expect(r.lengths).toEqual({ forecast: 3, nowcast: 3 });
    for (const [group, files] of [["forecast", fore], ["nowcast", now]] as const) {
      const cmp = await compareWithXarray({ store, group, concatDim: "time", sources: files.map((x) => [x.path, 0]) });
      expect(cmp.detail).toBe("");
      const stored = storedTime(store, group);
      expect(stored.units).toBe(unitsOfRun(fore[0]?.f as CycleFile));
      expect(stored.values).toEqual(files.map((x) => (x.valid - c06.getTime()) / 1000));
    }
    expect(unitsOfRun(now[0]?.f as CycleFile)).toBe("seconds since 2023-10-22 00:00:00");
  });

  it("best forecast over three cycles with overlapping forecasts, the third cycle in a later run", async () => {
    const a = creofs("best", fc(c00, [1, 2, 3, 4, 5, 6, 7, 8]));
    const b = creofs("best", [...fc(c06, [1, 2, 3, 4, 5, 6, 7, 8]), ...nc(c06, [6])]);
    const c = creofs("best", fc(c12, [1, 2, 3, 4, 5, 6]));
    const store = join(tmp.path, "best", "best.zarr");
    // Newest cycle's files first, so the dataset's units are 06z's: the 00z values are re-encoded too.
    const r1 = await run(store, [...b, ...a].map((x) => x.path), { aggregation: { type: "best-forecast" } });
    expect(r1.lengths[""]).toBe(14);
    const r2 = await run(store, c.map((x) => x.path), { aggregation: { type: "best-forecast" } });
    // 12z f001/f002 replace 06z f007/f008; f003-f006 extend the axis.
    expect(r2.timeSteps).toBe(6);
    expect(r2.lengths[""]).toBe(18);
    const all = [...a, ...b, ...c];
    const sources = expectedBest(all);
    const cmp = await compareWithXarray({ store, concatDim: "time", sources });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(18);
    // The smallest lead per valid time: hours 1-6 of every cycle, 7 and 8 of the last only.
    const leads = sources.map(([path]) => all.find((x) => x.path === path)).map((x) => (x === undefined ? -1 : x.f.hour));
    expect(leads).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    const stored = storedTime(store);
    expect(stored.units).toBe("seconds since 2023-10-22 06:00:00");
    expect(stored.values).toEqual(Array.from({ length: 18 }, (_, i) => (i + 1) * 3600 - 6 * 3600));
  });

  it("an integer time that the dataset's units cannot hold exactly is refused, naming the file and the value", async () => {
    const hourly = { referenceMs: c00.getTime(), unit: "hours", type: "int" } as const;
    const [ok] = creofs("int", [{ cycle: c00, kind: "f", hour: 1 }], { time: hourly });
    // Half past two, in whole seconds since its run: 9000 s is 2.5 h, not a whole number of hours.
    const [half] = creofs("int", [{ cycle: c00, kind: "f", hour: 2 }], { time: { referenceMs: c00.getTime(), unit: "seconds", type: "int" }, shiftMinutes: 30 });
    const [whole] = creofs("int-ok", [{ cycle: c06, kind: "f", hour: 1 }], { time: { referenceMs: c06.getTime(), unit: "seconds", type: "int" } });
    const store = join(tmp.path, "int", "int.zarr");
    const r = await run(store, [ok?.path, half?.path, whole?.path] as string[]);
    expect(r.files.map((f) => f.status)).toEqual(["ingested", "refused", "ingested"]);
    const reason = r.files[1]?.reason ?? "";
    expect(reason).toContain(half?.path);
    expect(reason).toContain("value 9000 (2023-10-22T02:30:00Z) is 2.5 hours since 2023-10-22 00:00:00");
    expect(reason).toContain("not a whole number as the dataset's <i4 time needs");
    const stored = storedTime(store);
    expect(stored).toEqual({ units: "hours since 2023-10-22 00:00:00", values: [1, 7] });
    const cmp = await compareWithXarray({ store, concatDim: "time", sources: [[ok?.path as string, 0], [whole?.path as string, 0]] });
    expect(cmp.detail).toBe("");
  });

  it("a different calendar is refused, naming the file, the variable and both calendars; an alias of the same one is not", async () => {
    const [std] = creofs("cal", [{ cycle: c00, kind: "f", hour: 1 }]);
    const [alias] = creofs("cal-alias", [{ cycle: c06, kind: "f", hour: 1 }], { time: { referenceMs: c06.getTime(), unit: "seconds", calendar: "gregorian" } });
    const [noleap] = creofs("cal-noleap", [{ cycle: c12, kind: "f", hour: 1 }], { time: { referenceMs: c12.getTime(), unit: "seconds", calendar: "noleap" } });
    const store = join(tmp.path, "cal", "cal.zarr");
    const r = await run(store, [std?.path, alias?.path, noleap?.path] as string[]);
    expect(r.files.map((f) => f.status)).toEqual(["ingested", "ingested", "refused"]);
    expect(r.files[2]?.reason).toBe(`${noleap?.path}: does not match the dataset's grid: time coordinate time has calendar "noleap", the dataset has "standard"`);
  });

  it("the Dask payload runs the same tasks (no time coordinate in them) and the store is the same", async () => {
    const a = creofs("dask", fc(c00, [1, 2, 3, 4, 5, 6, 7]));
    const b = creofs("dask", fc(c06, [1, 2, 3]));
    const store = join(tmp.path, "dask", "best.zarr");
    const payload = daskPayloadExecutor(store);
    const r = await ingest({ store, inputs: [...a, ...b].map((x) => x.path), aggregation: { type: "best-forecast" }, executor: payload.executor });
    expect(r.lengths[""]).toBe(9);
    const tasks = payload.runs.flatMap((x) => x.tasks);
    expect(tasks).toHaveLength(9);
    expect(tasks.every((t) => t.arrays.map((x) => x.variable).sort().join(",") === "elev,temp")).toBe(true);
    const cmp = await compareWithXarray({ store, concatDim: "time", sources: expectedBest([...a, ...b]) });
    expect(cmp.detail).toBe("");
    expect(storedTime(store).units).toBe("seconds since 2023-10-22 00:00:00");
  });

  it("references (--references) inline the time coordinate in the first file's units", async () => {
    const a = creofs("refs", fc(c00, [1, 2, 3, 4, 5, 6, 7, 8]));
    const b = creofs("refs", fc(c06, [1, 2, 3, 4]));
    const all = [...a, ...b];
    const result = await buildReferences({ inputs: all.map((x) => ({ path: x.path })), aggregation: { type: "best-forecast" } });
    expect(result.report.files.map((f) => f.status)).toEqual(all.map(() => "referenced").map((s, i) => (i === 6 || i === 7 ? "skipped" : s)));
    const out = join(tmp.path, "refs", "best.json");
    if (result.document === undefined) throw new Error("no reference document");
    await writeReferences(out, result.document);
    const cmp = await compareWithXarray({ store: "reference://", storageOptions: { fo: out }, concatDim: "time", sources: expectedBest(all) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(10);
  });
});

describe("encodeTimes", () => {
  const values = (a: TypedArray): Array<number | bigint> => Array.from(a as ArrayLike<number | bigint>);
  const axis = (units: string, dtype: "<f8" | "<f4" | "<i4" | "<i8" | "|u1") => ({ name: "time", dtype, units: parseTimeUnits(units), text: units });

  it("keeps values in the dataset's units bit for bit and re-encodes others", () => {
    const days = parseTimeUnits("days since 1858-11-17 00:00:00");
    const raw = [Math.fround(60239.041666)];
    expect(values(encodeTimes("f.nc", raw, days, axis("days since 1858-11-17 00:00:00", "<f4")))).toEqual(raw);
    expect(values(encodeTimes("f.nc", [3600, 7200], parseTimeUnits("seconds since 2023-10-22 06:00"), axis("hours since 2023-10-22 00:00", "<i4")))).toEqual([7, 8]);
    expect(values(encodeTimes("f.nc", [-1], parseTimeUnits("hours since 2023-10-22 06:00"), axis("seconds since 2023-10-22 00:00:00", "<i8")))).toEqual([18000n]);
  });

  it("refuses what the dataset's dtype cannot hold: fractions and overflow in integers, lost milliseconds in float32", () => {
    const secs = parseTimeUnits("seconds since 2023-10-22 06:00");
    expect(() => encodeTimes("f.nc", [1800], secs, axis("hours since 2023-10-22 00:00", "<i4"))).toThrow(/^f\.nc: time coordinate time: value 1800 \(2023-10-22T06:30:00Z\) is 6\.5 hours since .*not a whole number/);
    expect(() => encodeTimes("f.nc", [0], secs, axis("hours since 2023-10-01 00:00", "|u1"))).toThrow(/is 510 hours since .*outside the range of the dataset's \|u1 time/);
    expect(() => encodeTimes("f.nc", [1], secs, axis("seconds since 1970-01-01", "<f4"))).toThrow(/float32 time rounds to/);
    expect(values(encodeTimes("f.nc", [1.5], secs, axis("seconds since 2023-10-22 00:00", "<f8")))).toEqual([6 * 3600 + 1.5]);
  });
});
