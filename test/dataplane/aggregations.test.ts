// Acceptance: for each model family and aggregation, the Zarr store opens in xarray
// (open_zarr, consolidated) and equals the sources combined by xarray along time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { ingest } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, fvcomFile, fvcomTimes, romsFile, rtofsFile, rtofsValidTime, selfeFile, tempDir, validTime, type CycleFile } from "./fixtures.js";
import { execFileSync } from "node:child_process";
import { forecasts as fc, nowcasts as nc } from "../support/cycle-files.js";
import { expectedBest } from "./expected.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const c00 = cycleAt("2023-10-22T00:00:00Z");
const c06 = cycleAt("2023-10-22T06:00:00Z");
describe("ROMS (CBOFS-like, NetCDF-4)", () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp.path, "roms");
  });

  it("append: time-ordered, idempotent, grows on later runs", async () => {
    const store = join(dir, "append.zarr");
    const files = fc(c00, [1, 2, 3, 4, 5]).map((f) => romsFile(join(dir, "src"), f));
    const shuffled = [files[2], files[0], files[3], files[1]] as string[];
    const first = await ingest({ store, inputs: shuffled, concurrency: 0 });
    expect(first.files.every((f) => f.status === "ingested")).toBe(true);
    expect(first.timeSteps).toBe(4);

    const again = await ingest({ store, inputs: shuffled, concurrency: 0 });
    expect(again.timeSteps).toBe(0);
    expect(again.files.map((f) => f.status)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
    expect(again.lengths[""]).toBe(4);

    const more = await ingest({ store, inputs: [files[4] as string, files[1] as string], concurrency: 0 });
    expect(more.timeSteps).toBe(1);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
    expect(cmp.times).toHaveLength(5);
  });

  it("best forecast: smallest lead per valid time, nowcasts excluded, across runs", async () => {
    const store = join(dir, "best.zarr");
    const first = fc(c00, [1, 2, 3, 4, 5, 6, 7, 8]).map((f) => ({ f, path: romsFile(join(dir, "src"), f), valid: validTime(f).getTime() }));
    const second = [...fc(c06, [1, 2, 3, 4]), ...nc(c06, [5, 6])].map((f) => ({ f, path: romsFile(join(dir, "src"), f), valid: validTime(f).getTime() }));
    const r1 = await ingest({ store, inputs: first.map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0 });
    expect(r1.lengths[""]).toBe(8);
    const r2 = await ingest({ store, inputs: second.map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0 });
    expect(r2.files.filter((f) => f.status === "skipped").map((f) => f.reason)).toEqual([expect.stringContaining("nowcast"), expect.stringContaining("nowcast")]);
    // 06z f001/f002 replace 00z f007/f008; f003/f004 extend the axis.
    expect(r2.timeSteps).toBe(4);
    expect(r2.lengths[""]).toBe(10);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: expectedBest([...first, ...second]) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(10);
  });

  it("model run: one cycle, nowcast and forecast in separate groups, other cycles refused", async () => {
    const store = join(dir, "run.zarr");
    const now = nc(c06, [4, 5, 6]).map((f) => romsFile(join(dir, "src"), f));
    const fore = fc(c06, [1, 2, 3]).map((f) => romsFile(join(dir, "src"), f));
    const other = romsFile(join(dir, "src"), { cycle: c00, kind: "f", hour: 2 });
    const r = await ingest({ store, inputs: [...fore, other, ...now], aggregation: { type: "model-run" }, concurrency: 0 });
    const refused = r.files.filter((f) => f.status === "refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toContain(other);
    expect(refused[0]?.reason).toContain("cycle 2023-10-22T06:00Z".replace("06:00Z", "06:00:00Z"));
    expect(r.lengths).toEqual({ forecast: 3, nowcast: 3 });
    for (const [group, files] of [["forecast", fore], ["nowcast", now]] as const) {
      const cmp = await compareWithXarray({ store, group, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
      expect(cmp.detail).toBe("");
    }
  });
});

describe("FVCOM (NGOFS2-like, NetCDF-3 classic)", () => {
  it("append and best forecast equal xarray's combination", async () => {
    const dir = join(tmp.path, "fvcom");
    const a = fc(c00, [1, 2, 3, 4, 5, 6, 7]).map((f) => ({ f, path: fvcomFile(join(dir, "src"), f), valid: validTime(f).getTime() }));
    const b = [...fc(c06, [1, 2, 3]), ...nc(c06, [6])].map((f) => ({ f, path: fvcomFile(join(dir, "src"), f), valid: validTime(f).getTime() }));
    const append = join(dir, "append.zarr");
    await ingest({ store: append, inputs: a.map((x) => x.path), concurrency: 0 });
    const cmpA = await compareWithXarray({ store: append, concatDim: "time", undecodable: ["Itime2"], drop: ["siglay", "siglev"], sources: a.map((x) => [x.path, 0]) });
    expect(cmpA.detail).toBe("");

    const best = join(dir, "best.zarr");
    const r = await ingest({ store: best, inputs: [...b, ...a].map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0 });
    expect(r.lengths[""]).toBe(9);
    const cmpB = await compareWithXarray({ store: best, concatDim: "time", undecodable: ["Itime2"], drop: ["siglay", "siglev"], sources: expectedBest([...a, ...b]) });
    expect(cmpB.detail).toBe("");
  });
});

describe("RTOFS (2-D global diagnostics, MT)", () => {
  it("best forecast over two daily cycles", async () => {
    const dir = join(tmp.path, "rtofs");
    const d1 = cycleAt("2023-09-22T00:00:00Z");
    const d2 = cycleAt("2023-09-23T00:00:00Z");
    const files = [...fc(d1, [12, 24, 36]), ...fc(d2, [12, 24]), ...nc(d2, [0])].map((f) => ({ f, path: rtofsFile(join(dir, "src"), f), valid: rtofsValidTime(f).getTime() }));
    const store = join(dir, "best.zarr");
    const r = await ingest({ store, inputs: files.map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0, encoding: { codec: "blosc-lz4" } });
    expect(r.lengths[""]).toBe(4);
    const cmp = await compareWithXarray({ store, concatDim: "MT", sources: expectedBest(files) });
    expect(cmp.detail).toBe("");
  });
});

describe("SELFE/SCHISM (CREOFS-like, NetCDF-4 unstructured)", () => {
  const dir = (): string => join(tmp.path, "selfe");
  const at = (fs: CycleFile[]) => fs.map((f) => ({ f, path: selfeFile(join(dir(), "src"), f), valid: validTime(f).getTime() }));
  const same = { concatDim: "time" } as const;

  it("append: time-ordered and idempotent; the mesh (x, y, ele, depth, sigma) lands once", async () => {
    const files = at(fc(c00, [1, 2, 3, 4]));
    const store = join(dir(), "append.zarr");
    const r = await ingest({ store, inputs: [...files].reverse().map((x) => x.path), concurrency: 0 });
    expect(r.files.every((f) => f.status === "ingested")).toBe(true);
    expect((await ingest({ store, inputs: files.map((x) => x.path), concurrency: 0 })).timeSteps).toBe(0);
    const cmp = await compareWithXarray({ store, ...same, sources: files.map((x) => [x.path, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(4);
  });

  it("best forecast: smallest lead per valid time across two cycles, nowcasts skipped", async () => {
    const a = at(fc(c00, [1, 2, 3, 4, 5, 6, 7, 8]));
    const b = at([...fc(c06, [1, 2, 3]), ...nc(c06, [6])]);
    const store = join(dir(), "best.zarr");
    const r = await ingest({ store, inputs: [...b, ...a].map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0, encoding: { codec: "blosc-lz4" } });
    expect(r.lengths[""]).toBe(9);
    const cmp = await compareWithXarray({ store, ...same, sources: expectedBest([...a, ...b]) });
    expect(cmp.detail).toBe("");
  });

  it("model run: nowcast and forecast groups of one cycle", async () => {
    const now = at(nc(c06, [5, 6]));
    const fore = at(fc(c06, [1, 2, 3]));
    const store = join(dir(), "run.zarr");
    const r = await ingest({ store, inputs: [...now, ...fore].map((x) => x.path), aggregation: { type: "model-run" }, concurrency: 0 });
    expect(r.lengths).toEqual({ forecast: 3, nowcast: 2 });
    for (const [group, files] of [["forecast", fore], ["nowcast", now]] as const) {
      const cmp = await compareWithXarray({ store, group, ...same, sources: files.map((x) => [x.path, 0]) });
      expect(cmp.detail).toBe("");
    }
  });
});

describe("char variables (FVCOM Times(time, DateStrLen))", () => {
  for (const format of ["classic", "nc4"] as const) {
    it(`${format}: Times round-trips; xarray reads the same strings as from the sources`, async () => {
      const dir = join(tmp.path, `chars-${format}`);
      const a = fc(c00, [1, 2, 3, 4]).map((f) => ({ f, path: fvcomFile(join(dir, "src"), f, { times: true, format }), valid: validTime(f).getTime() }));
      const b = fc(c06, [1, 2]).map((f) => ({ f, path: fvcomFile(join(dir, "src"), f, { times: true, format }), valid: validTime(f).getTime() }));
      const spec = { concatDim: "time", undecodable: ["Itime2"], drop: ["siglay", "siglev"] };
      const append = join(dir, "append.zarr");
      const r = await ingest({ store: append, inputs: a.map((x) => x.path), concurrency: 1 });
      expect(r.files.map((f) => f.status)).toEqual(["ingested", "ingested", "ingested", "ingested"]);
      const cmpA = await compareWithXarray({ store: append, ...spec, sources: a.map((x) => [x.path, 0]) });
      expect(cmpA.detail).toBe("");
      // The strings themselves, as a scientist sees them (not only "equal to the sources").
      const times = execFileSync("/usr/bin/python3", ["-c", `import xarray as xr; print(",".join(v.decode() for v in xr.open_zarr(${JSON.stringify(append)}, decode_times=False, drop_variables=["siglay", "siglev"]).Times.values))`], { encoding: "utf8" }).trim();
      expect(times).toBe(a.map((x) => fvcomTimes(x.valid)).join(","));

      const best = join(dir, "best.zarr");
      await ingest({ store: best, inputs: a.map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0, encoding: { codec: "blosc-lz4" } });
      await ingest({ store: best, inputs: b.map((x) => x.path), aggregation: { type: "best-forecast" }, concurrency: 0 });
      const cmpB = await compareWithXarray({ store: best, ...spec, sources: expectedBest([...a, ...b]) });
      expect(cmpB.detail).toBe("");
    });
  }

  it("zarr-v3 refuses char variables before writing anything", async () => {
    const dir = join(tmp.path, "chars-v3");
    const file = fvcomFile(join(dir, "src"), { cycle: c00, kind: "f", hour: 1 }, { times: true });
    await expect(ingest({ store: join(dir, "v3.zarr"), inputs: [file], format: "zarr-v3", concurrency: 0 })).rejects.toThrow(/zarr-v3: char variable Times/);
  });
});
