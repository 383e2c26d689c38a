// Acceptance for derived Datasets on the sample CBOFS best forecast: resample and select+resample
// equal xarray's resample on the source store (provisional last period included), and a later
// cycle recomputes exactly the periods its steps touch. Expectations come from the store through
// xarray (/usr/bin/python3) and from the sample files' names, never hard-coded values.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { derive } from "../../dataplane/transform/derive.js";
import { transformOptionsFor } from "../../dataplane/transform/options.js";
import { periodStart } from "../../dataplane/transform/periods.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { forecasts } from "../support/cycle-files.js";
import { ingest } from "../../dataplane/index.js";
import { checkWithXarray, ingestSample, sameAsSource, sampleCycles, validTimeOf } from "./samples.js";

const tmp = tempDir("dmac-derive-");
afterAll(() => tmp.cleanup());
const layout = { sourceName: "maracoos/cbofs-best-forecast", encoding: { codec: "blosc-lz4" as const, level: 5 } };

describe("derived Datasets from the sample CBOFS best forecast", () => {
  const cycles = sampleCycles();
  const all = cycles.flatMap((c) => c.files);
  const source = join(tmp.path, "best.zarr");
  beforeAll(async () => {
    expect(cycles.length).toBeGreaterThanOrEqual(2);
    await ingestSample(source, all);
  }, 120_000);

  it("resample 1d max of zeta equals xarray's resample(ocean_time='1D').max(), provisional last day included", async () => {
    const derived = join(tmp.path, "zeta-daily-max.zarr");
    const transform = transformOptionsFor({ select: { variables: ["zeta"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } });
    const report = await derive({ source, target: derived, transform, layout });
    const check = await checkWithXarray({ source, derived, variable: "zeta", period: "1D", statistic: "max" });
    expect(check.detail).toBe("");
    expect(check.ok).toBe(true);
    expect(report.steps).toBe(check.times.length);
    // The newest day ends after the last step (the sample's last valid time is not 23:00): provisional.
    const last = Math.max(...all.map(validTimeOf));
    const lastDayComplete = last >= periodStart(last, { periodMs: 86_400_000, offsetMs: 0 }) + 86_400_000 - 3_600_000;
    expect(check.complete[check.complete.length - 1]).toBe(lastDayComplete ? 1 : 0);
    expect(report.provisional).toBe(check.complete.filter((c) => c === 0).length);
    expect(check.cell_methods).toMatch(/^ocean_time: maximum/);
    expect(check.source).toContain("maracoos/cbofs-best-forecast");
    // The check can fail: the same store is not xarray's minimum.
    expect((await checkWithXarray({ source, derived, variable: "zeta", period: "1D", statistic: "min" })).ok).toBe(false);
    // Run again with nothing new: nothing is rewritten.
    const again = await derive({ source, target: derived, transform, layout });
    expect(again.unchanged).toBe(true);
    expect(again.chunksRewritten).toBe(0);
  }, 120_000);

  it("select surface + resample 1d mean of temp equals xarray's isel(s_rho=-1).resample(...).mean()", async () => {
    const derived = join(tmp.path, "sst-daily-mean.zarr");
    const transform = transformOptionsFor({ select: { variables: ["temp"], level: "surface" }, resample: { period: "1d", statistic: "mean", utcOffset: "+00:00" } });
    await derive({ source, target: derived, transform, layout });
    const check = await checkWithXarray({ source, derived, variable: "temp", period: "1D", statistic: "mean", isel: { s_rho: -1 } });
    expect(check.detail).toBe("");
    expect(check.ok).toBe(true);
  }, 120_000);

  it("a utcOffset shifts the periods as xarray's offset does (6h periods from 01:00 UTC)", async () => {
    const derived = join(tmp.path, "zeta-6h-min.zarr");
    const transform = transformOptionsFor({ select: { variables: ["zeta"] }, resample: { period: "6h", statistic: "min", utcOffset: "-01:00" } });
    await derive({ source, target: derived, transform, layout });
    const check = await checkWithXarray({ source, derived, variable: "zeta", period: "6H", statistic: "min", offset: "1H" });
    expect(check.detail).toBe("");
    expect(check.ok).toBe(true);
  }, 120_000);

  it("rechunk: the time-series layout holds the source's values in long time chunks over small tiles", async () => {
    const derived = join(tmp.path, "series.zarr");
    const transform = transformOptionsFor({ select: { variables: ["zeta", "temp"] }, rechunk: {} });
    await derive({ source, target: derived, transform, layout });
    const check = await sameAsSource(source, derived, ["zeta", "temp"]);
    expect(check.detail).toBe("");
    // The rule: 30 days of hourly steps a chunk (720), tiles of floor(sqrt(2^20 / (4 x 720))) = 19.
    expect(check.chunks.zeta).toEqual([720, 19, 19]);
    expect(check.chunks.temp).toEqual([720, 1, 19, 19]);
  }, 120_000);

  it("bad input is refused naming the field, and nothing is written", async () => {
    const cases: [Parameters<typeof transformOptionsFor>[0], RegExp][] = [
      [{ select: { variables: ["sst"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } }, /^spec\.transform\.select\.variables: the source Dataset has no variable sst/],
      [{ select: { variables: ["zeta"], level: "surface" } }, /^spec\.transform\.select\.level: zeta\(ocean_time, eta_rho, xi_rho\) has no vertical dimension/],
      [{ select: { variables: ["temp"], level: 7 } }, /^spec\.transform\.select\.level: temp: index 7 is outside s_rho's/],
      [{ select: { variables: ["zeta"] }, resample: { period: "1h", statistic: "max", utcOffset: "+00:00" } }, /^spec\.transform\.resample\.period: 1h is shorter than the source's time step \(2 h\)/],
    ];
    // A source with two-hourly steps for the period case.
    const coarse = join(tmp.path, "coarse.zarr");
    await ingestSample(coarse, all.filter((f) => validTimeOf(f) % 7_200_000 === 0));
    for (const [i, [spec, message]] of cases.entries()) {
      const target = join(tmp.path, `bad-${i}.zarr`);
      await expect(derive({ source: spec.resample?.period === "1h" ? coarse : source, target, transform: transformOptionsFor(spec), layout })).rejects.toThrow(message);
      expect(existsSync(target), `case ${i} wrote into ${target}`).toBe(false);
    }
  }, 120_000);

  it("a later cycle recomputes exactly the periods (6h, and days) its steps touch (chunks counted)", async () => {
    const growing = join(tmp.path, "growing.zarr");
    const derived = join(tmp.path, "zeta-6h-max.zarr");
    const transform = transformOptionsFor({ select: { variables: ["zeta"] }, resample: { period: "6h", statistic: "max", utcOffset: "+00:00" } });
    const period = { periodMs: 6 * 3_600_000, offsetMs: 0 };
    const DAY = { periodMs: 86_400_000, offsetMs: 0 };
    const dailyStore = join(tmp.path, "zeta-daily-max-growing.zarr");
    const dailyMax = transformOptionsFor({ select: { variables: ["zeta"] }, resample: { period: "1d", statistic: "max", utcOffset: "+00:00" } });
    let before: number[] = [];
    for (const [i, cycle] of cycles.entries()) {
      await ingestSample(growing, cycle.files);
      const report = await derive({ source: growing, target: derived, transform, layout });
      const periods = [...new Set(cycles.slice(0, i + 1).flatMap((c) => c.files.map((f) => periodStart(validTimeOf(f), period))))].sort((a, b) => a - b);
      // Best forecast: the new cycle's steps are new or replace longer leads; the periods they fall in are recomputed, no others.
      const touched = [...new Set(cycle.files.map((f) => periodStart(validTimeOf(f), period)))].map((t) => periods.indexOf(t)).sort((a, b) => a - b);
      expect(report.recomputed).toEqual(touched);
      // zeta is chunked one period a chunk: one chunk per recomputed period.
      expect(report.chunksRewritten).toBe(touched.length);
      expect(report.steps).toBe(periods.length);
      before = periods;
      const check = await checkWithXarray({ source: growing, derived, variable: "zeta", period: "6H", statistic: "max" });
      expect(check.detail).toBe("");
      // The same for days: the daily maximum rewrites the days the cycle's valid times fall in.
      const days = [...new Set(cycles.slice(0, i + 1).flatMap((c) => c.files.map((f) => periodStart(validTimeOf(f), DAY))))].sort((x, y) => x - y);
      const touchedDays = [...new Set(cycle.files.map((f) => periodStart(validTimeOf(f), DAY)))].map((t) => days.indexOf(t)).sort((x, y) => x - y);
      const daily = await derive({ source: growing, target: dailyStore, transform: dailyMax, layout });
      expect(daily.recomputed).toEqual(touchedDays);
      expect(daily.chunksRewritten).toBe(touchedDays.length);
      expect((await checkWithXarray({ source: growing, derived: dailyStore, variable: "zeta", period: "1D", statistic: "max" })).detail).toBe("");
    }
    expect(before.length).toBeGreaterThan(1);
  }, 240_000);

  it("a best forecast replacing steps with shorter leads recomputes the periods those steps touch, and only them", async () => {
    // Cycle 00 with 12 hourly leads, then cycle 06 with 6: its steps replace 07:00-12:00 (leads 7-12 by 1-6).
    const dir = join(tmp.path, "replace");
    const c00 = forecasts(cycleAt("2023-10-22T00:00:00Z"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).map((f) => romsFile(join(dir, "src"), f));
    const c06 = forecasts(cycleAt("2023-10-22T06:00:00Z"), [1, 2, 3, 4, 5, 6]).map((f) => romsFile(join(dir, "src"), f));
    const best = join(dir, "best.zarr");
    const derived = join(dir, "zeta-6h-max.zarr");
    const transform = transformOptionsFor({ select: { variables: ["zeta"] }, resample: { period: "6h", statistic: "max", utcOffset: "+00:00" } });
    await ingest({ store: best, inputs: c00, aggregation: { type: "best-forecast", concatDim: "ocean_time" }, concurrency: 0 });
    const first = await derive({ source: best, target: derived, transform, layout });
    expect(first.recomputed).toEqual([0, 1, 2]);
    await ingest({ store: best, inputs: c06, aggregation: { type: "best-forecast", concatDim: "ocean_time" }, concurrency: 0 });
    const update = await derive({ source: best, target: derived, transform, layout });
    // 07:00-11:00 lie in [06:00, 12:00), 12:00 in [12:00, 18:00); [00:00, 06:00) keeps its chunk.
    expect(update.recomputed).toEqual([1, 2]);
    expect(update.chunksRewritten).toBe(2);
    const check = await checkWithXarray({ source: best, derived, variable: "zeta", period: "6H", statistic: "max" });
    expect(check.detail).toBe("");
    expect(check.ok).toBe(true);
  }, 120_000);
});
