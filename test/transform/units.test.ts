// The pure parts of the transform: period starts under an offset, completeness, changed steps,
// the vertical axis and which level surface and bottom name for ROMS s-coordinates, FVCOM sigma
// (2-D) and depth coordinates, and the rechunk sizing rule.
import { describe, expect, it } from "vitest";
import type { Hierarchy } from "../../dataplane/index.js";
import { levelIndex, verticalAxisOf } from "../../dataplane/transform/levels.js";
import { changedSteps, outputSteps, periodStart } from "../../dataplane/transform/periods.js";
import { seriesChunks, tileFor, timeChunkFor } from "../../dataplane/transform/rechunk.js";

const H = 3_600_000;
const day = { periodMs: 24 * H, offsetMs: 0 };

function hierarchy(arrays: Record<string, { dims: string[]; attrs?: Record<string, string> }>): Hierarchy {
  const meta = { zarr_format: 2 as const, shape: [1], chunks: [1], dtype: "<f4" as const, compressor: null, fill_value: null, order: "C" as const, filters: null, dimension_separator: "." as const };
  return { groups: { "": {} }, arrays: Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, { meta, attrs: { ...v.attrs, _ARRAY_DIMENSIONS: v.dims } }])) };
}

describe("periods", () => {
  it("periods start at midnight of the offset's clock", () => {
    const t = Date.UTC(2023, 9, 22, 3);
    expect(periodStart(t, day)).toBe(Date.UTC(2023, 9, 22));
    // -05:00: the day starts at 05:00 UTC, so 03:00 UTC belongs to the day before.
    expect(periodStart(t, { periodMs: 24 * H, offsetMs: -5 * H })).toBe(Date.UTC(2023, 9, 21, 5));
  });

  it("the newest period is provisional until the source reaches its last step; counts and fingerprints per period", () => {
    const steps = [1, 2, 22, 23, 24, 25].map((h) => ({ t: Date.UTC(2023, 9, 22) + h * H, source: `f${h}` }));
    const out = outputSteps(steps, day);
    expect(out.map((s) => [s.count, s.complete])).toEqual([[4, true], [2, false]]);
    const more = outputSteps([...steps, { t: Date.UTC(2023, 9, 22) + 26 * H, source: "f26" }], day);
    expect(changedSteps(out.map((s) => ({ ...s, source: "", t: s.t })), more)).toEqual([1]);
    // A replaced step (best forecast, shorter lead) changes its period only.
    const replaced = steps.map((s, i) => (i === 1 ? { ...s, source: "g2" } : s));
    expect(changedSteps(out.map((s) => ({ ...s, source: "" })), outputSteps(replaced, day))).toEqual([0]);
  });
});

describe("levels", () => {
  it("ROMS s_rho (positive up, -1 at the bottom): surface is the last index, bottom the first", () => {
    const h = hierarchy({ temp: { dims: ["ocean_time", "s_rho", "eta_rho", "xi_rho"] }, s_rho: { dims: ["s_rho"], attrs: { positive: "up", standard_name: "ocean_s_coordinate_g2" } } });
    const axis = verticalAxisOf(h, "temp", "ocean_time");
    expect(axis).toEqual({ dim: "s_rho", coordinate: "s_rho", positive: "up" });
    const values = [-0.83, -0.5, -0.17];
    expect(levelIndex("surface", axis!, 3, values)).toBe(2);
    expect(levelIndex("bottom", axis!, 3, values)).toBe(0);
    expect(() => levelIndex(3, axis!, 3, values)).toThrow(/index 3 is outside s_rho's 3 levels/);
  });

  it("FVCOM siglay(siglay, node) (0 at the surface, first level on top) and depths with positive down", () => {
    const fvcom = hierarchy({ temp: { dims: ["time", "siglay", "node"] }, siglay: { dims: ["siglay", "node"], attrs: { positive: "up", standard_name: "ocean_sigma/general_coordinate" } } });
    const axis = verticalAxisOf(fvcom, "temp", "time");
    expect(axis?.dim).toBe("siglay");
    expect(levelIndex("surface", axis!, 2, [-0.25, -0.75])).toBe(0);
    const depth = hierarchy({ temp: { dims: ["time", "depth", "lat", "lon"] }, depth: { dims: ["depth"], attrs: { positive: "down", units: "m" } } });
    const d = verticalAxisOf(depth, "temp", "time");
    expect(levelIndex("surface", d!, 3, [0, 10, 50])).toBe(0);
    expect(levelIndex("bottom", d!, 3, [0, 10, 50])).toBe(2);
  });

  it("a 2-D variable has no vertical axis", () => {
    expect(verticalAxisOf(hierarchy({ zeta: { dims: ["ocean_time", "eta_rho", "xi_rho"] } }), "zeta", "ocean_time")).toBeUndefined();
  });
});

describe("the rechunk rule", () => {
  it("30 days of steps, tiles of about 1 MiB, levels by one; an unstructured mesh gets tile² nodes", () => {
    expect(timeChunkFor({}, H)).toBe(720);
    expect(timeChunkFor({}, 24 * H)).toBe(30);
    expect(timeChunkFor({}, 60_000)).toBe(8760);
    expect(tileFor({}, 4, 720)).toBe(19);
    expect(seriesChunks([1000, 20, 291, 332], 720, 19, 2)).toEqual([720, 1, 19, 19]);
    expect(seriesChunks([1000, 90000], 720, 19, 1)).toEqual([720, 361]);
  });
});
