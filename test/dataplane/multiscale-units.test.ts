// The pure parts of the overview levels (dataplane/multiscale/): level counts and sizes as the
// issue's format fixes them, block means with edge clipping, masks and missing values, carrying
// sums and counts from level to level, the plan of a ROMS-like template, the attributes builder.
import { describe, expect, it } from "vitest";
import { MULTISCALES_CONVENTION, multiscalesLayout, withMultiscales } from "../../dataplane/multiscale/attributes.js";
import { bandLevels, blockSums, levelCount, levelSize, meansInto, reduceBlocks } from "../../dataplane/multiscale/block-mean.js";
import { defaultSpatialChunking, gridsOf } from "../../dataplane/multiscale/grids.js";
import { intoRange, lonBlockSums, lonMeansInto, reduceLonBlocks } from "../../dataplane/multiscale/longitude.js";
import { overviewPlan } from "../../dataplane/multiscale/plan.js";
import { staleSteps } from "../../dataplane/multiscale/writer.js";
import type { DatasetTemplate } from "../../dataplane/index.js";

describe("levels", () => {
  it("4500x3298 gets four levels (2250, 1125, 563, 282); 512 none; 513 one", () => {
    expect(levelCount([3298, 4500], 512)).toBe(4);
    expect([1, 2, 3, 4].map((k) => levelSize(4500, k))).toEqual([2250, 1125, 563, 282]);
    expect([1, 2, 3, 4].map((k) => levelSize(3298, k))).toEqual([1649, 825, 413, 207]);
    expect(levelCount([512, 300], 512)).toBe(0);
    expect(levelCount([513], 512)).toBe(1);
    expect(levelCount([700], Infinity)).toBe(0);
  });
});

describe("block means", () => {
  // 3 x 5 values: blocks clip at the last row and column.
  const values = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  const mean = (b: ReturnType<typeof blockSums>): number[] => {
    const out = new Float64Array(b.rows * b.cols);
    meansInto(b, out);
    return Array.from(out);
  };

  it("clips blocks at the edges", () => {
    const b = blockSums(values, 3, 5);
    expect([b.rows, b.cols]).toEqual([2, 3]);
    expect(mean(b)).toEqual([(1 + 2 + 6 + 7) / 4, (3 + 4 + 8 + 9) / 4, (5 + 10) / 2, (11 + 12) / 2, (13 + 14) / 2, 15]);
  });

  it("skips land, NaN, infinities and missing values; NaN where nothing counts", () => {
    const v = Float32Array.from([1, NaN, 3, -999, 5, Infinity, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0]);
    expect(mean(blockSums(v, 3, 5, { mask, missing: [-999] }))).toEqual([1, (3 + 8 + 9) / 3, 5, (11 + 12) / 2, (13 + 14) / 2, NaN]);
  });

  it("levels carried as sums and counts equal the direct mean over 2^k blocks", () => {
    const rows = 37;
    const cols = 45;
    const v = Float64Array.from({ length: rows * cols }, (_, i) => (i % 7 === 0 ? NaN : Math.sin(i) * 10));
    const levels: number[][] = [];
    bandLevels(v, rows, cols, 3, {}, (k, b) => (levels[k] = mean(b)));
    for (const k of [1, 2, 3]) {
      const f = 2 ** k;
      const direct: number[] = [];
      for (let i = 0; i < levelSize(rows, k); i++)
        for (let j = 0; j < levelSize(cols, k); j++) {
          const xs: number[] = [];
          for (let r = i * f; r < Math.min(rows, (i + 1) * f); r++) for (let c = j * f; c < Math.min(cols, (j + 1) * f); c++) if (!Number.isNaN(v[r * cols + c])) xs.push(v[r * cols + c] as number);
          direct.push(xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
        }
      expect(levels[k]?.length).toBe(direct.length);
      levels[k]?.forEach((x, i) => expect(x).toBeCloseTo(direct[i] as number, 10));
    }
    // Reused buffers give the same numbers.
    const again = reduceBlocks(blockSums(v, rows, cols), blockSums(v, rows, cols));
    expect(mean(again)).toEqual(levels[2]);
  });
});

const roms: DatasetTemplate = {
  concatDim: "ocean_time",
  dims: { eta_rho: 3298, xi_rho: 4500, eta_u: 3298, xi_u: 4499, s_rho: 2 },
  attrs: {},
  variables: [
    { name: "ocean_time", dtype: "<f8", dims: ["ocean_time"], attrs: { units: "seconds since 2016-01-01" }, fillValue: null },
    { name: "s_rho", dtype: "<f8", dims: ["s_rho"], attrs: {}, fillValue: null },
    { name: "lon_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], attrs: { units: "degree_east" }, fillValue: null },
    { name: "lat_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], attrs: { units: "degree_north" }, fillValue: null },
    { name: "mask_rho", dtype: "<f8", dims: ["eta_rho", "xi_rho"], attrs: {}, fillValue: null },
    { name: "lon_u", dtype: "<f8", dims: ["eta_u", "xi_u"], attrs: { standard_name: "longitude" }, fillValue: null },
    { name: "lat_u", dtype: "<f8", dims: ["eta_u", "xi_u"], attrs: { standard_name: "latitude" }, fillValue: null },
    { name: "mask_u", dtype: "<f8", dims: ["eta_u", "xi_u"], attrs: {}, fillValue: null },
    { name: "h", dtype: "<f8", dims: ["eta_rho", "xi_rho"], attrs: {}, fillValue: null },
    { name: "temp", dtype: "<f4", dims: ["ocean_time", "s_rho", "eta_rho", "xi_rho"], attrs: {}, fillValue: 1e37 },
    { name: "u", dtype: "<f4", dims: ["ocean_time", "s_rho", "eta_u", "xi_u"], attrs: {}, fillValue: 1e37 },
  ],
};

describe("plan", () => {
  it("finds ROMS's rho and u grids with their masks, the data, the coordinates and what is copied", () => {
    expect(gridsOf(roms).structured.map((g) => [g.dims, g.mask])).toEqual([
      [["eta_rho", "xi_rho"], "mask_rho"],
      [["eta_u", "xi_u"], "mask_u"],
    ]);
    const plan = overviewPlan(roms);
    if (plan?.kind !== "grid") throw new Error("no grid plan");
    expect(plan.levels).toBe(4);
    expect(plan.data.map((d) => d.name)).toEqual(["h", "temp", "u"]);
    expect(plan.coords2d.map((d) => d.name)).toEqual(["lon_rho", "lat_rho", "lon_u", "lat_u"]);
    expect(plan.masks.map((d) => d.name)).toEqual(["mask_rho", "mask_u"]);
    expect(plan.copied).toEqual(["s_rho"]);
    expect(overviewPlan(roms, { gridThreshold: 5000 })).toBeUndefined();
    expect(defaultSpatialChunking(roms, { xi_u: 100 }, 512)).toEqual({ eta_rho: 512, xi_rho: 512, eta_u: 512 });
  });

  it("a regular grid's 1-D coordinates are averaged along their own dimension", () => {
    const regular: DatasetTemplate = {
      concatDim: "time",
      dims: { lat: 600, lon: 1200 },
      attrs: {},
      variables: [
        { name: "time", dtype: "<f8", dims: ["time"], attrs: {}, fillValue: null },
        { name: "lat", dtype: "<f4", dims: ["lat"], attrs: { units: "degrees_north" }, fillValue: null },
        { name: "lon", dtype: "<f4", dims: ["lon"], attrs: { units: "degrees_east" }, fillValue: null },
        { name: "sst", dtype: "<f4", dims: ["time", "lat", "lon"], attrs: {}, fillValue: null },
      ],
    };
    const plan = overviewPlan(regular);
    if (plan?.kind !== "grid") throw new Error("no grid plan");
    expect([plan.levels, plan.grids[0]?.kind, plan.coords1d]).toEqual([2, "regular", [{ name: "lat", dim: "lat", lon: false }, { name: "lon", dim: "lon", lon: true }]]);
    expect(plan.data.map((d) => d.name)).toEqual(["sst"]);
  });
});

describe("attributes and stale steps", () => {
  it("names the convention once, keeps other conventions, and removes both keys when levels go", () => {
    const other = { uuid: "other", name: "proj" };
    const layout = multiscalesLayout([{ shape: { y: 10 } }, { shape: { y: 5 } }], "mean");
    const attrs = withMultiscales(withMultiscales({ title: "t", zarr_conventions: [other] as never }, layout), layout);
    expect(attrs.zarr_conventions).toEqual([other, MULTISCALES_CONVENTION]);
    expect(withMultiscales(attrs, undefined)).toEqual({ title: "t", zarr_conventions: [other] });
  });

  it("recomputes new steps and steps whose source changed", () => {
    const steps = [{ t: 1, source: "a" }, { t: 2, source: "b2", cycleMs: 6, leadMs: 1 }, { t: 3, source: "c" }];
    const before = [{ t: 1, source: "a" }, { t: 2, source: "b", cycleMs: 0, leadMs: 2 }];
    expect(staleSteps(steps, before, { kind: "grid", levels: 2, length: 2 })).toEqual([1, 2]);
    expect(staleSteps(steps, before, undefined)).toEqual([0, 1, 2]);
  });
});

describe("longitudes", () => {
  it("a block across 360/0 averages unwrapped and lands in level 0's range; others are plain means", () => {
    // One row as RTOFS stores it: ... 359.84, 359.92 | 360.0, 0.08 | 0.16, 0.24 ...
    const row = Float64Array.from([359.76, 359.84, 359.92, 360.0, 0.08, 0.16, 0.24, 0.32]);
    const b = lonBlockSums(row, 1, row.length);
    const out = new Float64Array(b.cols);
    lonMeansInto(b, out);
    intoRange(out, 0.08);
    expect(Array.from(out).map((x) => Math.round(x * 1000) / 1000)).toEqual([359.8, 359.96, 0.12, 0.28]);
    const level2 = new Float64Array(2);
    lonMeansInto(reduceLonBlocks(b), level2);
    intoRange(level2, 0.08);
    expect(Array.from(level2).map((x) => Math.round(x * 1000) / 1000)).toEqual([359.88, 0.2]);
    // Western longitudes stay exactly what a plain mean gives.
    const west = Float64Array.from([-76.5, -76.49, -76.48, -76.47]);
    const w = new Float64Array(2);
    lonMeansInto(lonBlockSums(west, 1, 4), w);
    intoRange(w, -76.5);
    expect(Array.from(w)).toEqual([(-76.5 + -76.49) / 2, (-76.48 + -76.47) / 2]);
  });
});
