// QARTOD tests on synthetic series with injected faults: each must be found at its index, with
// its flag, and nowhere else; fill values count as missing, never as failures.
import { describe, expect, it } from "vitest";
import type { VariableTests } from "../../dataplane/qc/config.js";
import { createVariableChecker, flatLineFlag, spikeFlag, type VariableQcResult } from "../../dataplane/qc/qartod.js";
import type { QcVariable } from "../../dataplane/qc/types.js";

const T = 20;
const Y = 3;
const X = 4;

/** A smooth field: rises 0.1 per step, differs by point, never flat, never jumps. */
function baseline(t: number, y: number, x: number): number {
  return 10 + 0.1 * t + 0.5 * y + 0.25 * x;
}

function field(edit: (t: number, y: number, x: number, v: number) => number = (_t, _y, _x, v) => v): Float32Array {
  const out = new Float32Array(T * Y * X);
  for (let t = 0; t < T; t++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) out[(t * Y + y) * X + x] = edit(t, y, x, baseline(t, y, x));
  return out;
}

const temp: QcVariable = { name: "temp", dtype: "<f4", dims: ["time", "y", "x"], shape: [T, Y, X], attrs: { units: "degree_C", _FillValue: -999 } };

function run(variable: QcVariable, values: ArrayLike<number>, tests: VariableTests, timeAxis = 0, stepsPerPush = 1): VariableQcResult {
  const checker = createVariableChecker(variable, tests, timeAxis, { maxOffending: 50 });
  const perStep = checker.pointsPerStep;
  if (timeAxis !== 0) {
    checker.push(Array.from(values), checker.steps);
    return checker.finish();
  }
  for (let t = 0; t < checker.steps; t += stepsPerPush) {
    const n = Math.min(stepsPerPush, checker.steps - t);
    checker.push(Float32Array.from(Array.from(values).slice(t * perStep, (t + n) * perStep)), n);
  }
  return checker.finish();
}

function offences(result: VariableQcResult, test: keyof VariableQcResult["tests"]) {
  return (result.tests[test]?.offending ?? []).map((o) => ({ index: o.index, flag: o.flag }));
}

describe("gross range", () => {
  it("flags values outside the fail span as 4 and outside the suspect span as 3, at their indices", () => {
    const values = field((t, y, x, v) => (t === 12 && y === 0 && x === 0 ? 40 : t === 3 && y === 2 && x === 3 ? 31 : t === 4 && y === 1 && x === 1 ? -3 : v));
    const r = run(temp, values, { variable: "temp", grossRange: { failMin: -2, failMax: 35, suspectMin: 0, suspectMax: 30 } });
    expect(offences(r, "grossRange")).toEqual([
      { index: [3, 2, 3], flag: 3 },
      { index: [4, 1, 1], flag: 4 },
      { index: [12, 0, 0], flag: 4 },
    ]);
    expect(r.tests.grossRange?.counts).toEqual({ pass: T * Y * X - 3, notEvaluated: 0, suspect: 1, fail: 2, missing: 0 });
    expect(r.tests.grossRange?.offending[2]?.value).toBe(40);
  });
});

describe("spike", () => {
  it("finds an injected spike at its index with flag 4, and its neighbours pass", () => {
    const values = field((t, y, x, v) => (t === 7 && y === 1 && x === 2 ? v + 5 : v));
    const r = run(temp, values, { variable: "temp", spike: { suspectThreshold: 3, failThreshold: 4 } });
    expect(offences(r, "spike")).toEqual([{ index: [7, 1, 2], flag: 4 }]);
    // First and last steps have no neighbour on one side: not evaluated.
    expect(r.tests.spike?.counts).toEqual({ pass: (T - 2) * Y * X - 1, notEvaluated: 2 * Y * X, suspect: 0, fail: 1, missing: 0 });
  });

  it("flags a smaller spike suspect", () => {
    const values = field((t, y, x, v) => (t === 10 && y === 0 && x === 3 ? v - 3.5 : v));
    const r = run(temp, values, { variable: "temp", spike: { suspectThreshold: 3, failThreshold: 4 } });
    expect(offences(r, "spike")).toEqual([{ index: [10, 0, 3], flag: 3 }]);
  });

  it("gives the same answer however many time steps arrive per push", () => {
    const values = field((t, y, x, v) => (t === 7 && y === 1 && x === 2 ? v + 5 : t === 13 && y === 2 && x === 0 ? v - 9 : v));
    const tests: VariableTests = { variable: "temp", spike: { suspectThreshold: 3, failThreshold: 4 }, flatLine: { tolerance: 0.01, suspectCount: 2, failCount: 4 } };
    const one = run(temp, values, tests, 0, 1);
    for (const n of [3, 7, T]) expect(run(temp, values, tests, 0, n)).toEqual(one);
  });

  it("is not evaluated next to a missing value", () => {
    expect(spikeFlag(1, 9, Number.NaN, { suspectThreshold: 1, failThreshold: 2 })).toBe(2);
    expect(spikeFlag(undefined, 9, 1, { suspectThreshold: 1, failThreshold: 2 })).toBe(2);
    expect(spikeFlag(1, Number.NaN, 1, { suspectThreshold: 1, failThreshold: 2 })).toBe(9);
  });
});

describe("rate of change", () => {
  it("flags the step of a jump suspect, and only that step", () => {
    const values = field((t, y, x, v) => (y === 0 && x === 3 && t >= 15 ? v + 3 : v));
    const r = run(temp, values, { variable: "temp", rateOfChange: { threshold: 1 } });
    expect(offences(r, "rateOfChange")).toEqual([{ index: [15, 0, 3], flag: 3 }]);
    expect(r.tests.rateOfChange?.counts.notEvaluated).toBe(Y * X); // the first step has no predecessor
    expect(r.tests.rateOfChange?.counts.fail).toBe(0); // QARTOD's rate of change has no fail level
  });
});

describe("flat line", () => {
  it("flags repeats: suspect after suspectCount equal predecessors, fail after failCount", () => {
    const values = field((t, y, x, v) => (y === 2 && x === 1 && t >= 10 && t <= 16 ? baseline(10, 2, 1) : v));
    const r = run(temp, values, { variable: "temp", flatLine: { tolerance: 0.001, suspectCount: 3, failCount: 5 } });
    expect(offences(r, "flatLine")).toEqual([
      { index: [13, 2, 1], flag: 3 },
      { index: [14, 2, 1], flag: 3 },
      { index: [15, 2, 1], flag: 4 },
      { index: [16, 2, 1], flag: 4 },
    ]);
  });

  it("honours the tolerance and says 'not evaluated' while the history is too short to decide", () => {
    const c = { tolerance: 0.5, suspectCount: 2, failCount: 3 };
    const series = [1, 1.2, 0.9, 1.1];
    const history = (t: number) => (back: number) => series[t - back] as number;
    expect(flatLineFlag(series[1] as number, history(1), 1, c)).toBe(2); // one flat predecessor, then the start of the series
    expect(flatLineFlag(series[2] as number, history(2), 2, c)).toBe(3);
    expect(flatLineFlag(series[3] as number, history(3), 3, c)).toBe(4);
    expect(flatLineFlag(5, history(3), 3, c)).toBe(1);
    expect(flatLineFlag(1, () => Number.NaN, 3, c)).toBe(2); // a gap before the answer is known
  });
});

describe("missing values", () => {
  it("counts _FillValue and NaN as missing (9) in every test, never as failures", () => {
    const values = field((t, y, x, v) => (y === 0 && x === 1 && (t === 5 || t === 6) ? -999 : t === 9 && y === 1 && x === 1 ? Number.NaN : v));
    const tests: VariableTests = {
      variable: "temp",
      grossRange: { failMin: 0, failMax: 35 },
      spike: { suspectThreshold: 3, failThreshold: 4 },
      rateOfChange: { threshold: 1 },
      flatLine: { tolerance: 0.001, suspectCount: 3, failCount: 5 },
    };
    const r = run(temp, values, tests);
    for (const name of ["grossRange", "spike", "rateOfChange", "flatLine", "aggregate"] as const) {
      expect(r.tests[name]?.counts.missing, name).toBe(3);
      expect(r.tests[name]?.counts.fail, name).toBe(0);
      expect(r.tests[name]?.counts.suspect, name).toBe(0);
    }
    const c = r.tests.aggregate?.counts;
    expect(c && c.pass + c.notEvaluated + c.suspect + c.fail + c.missing).toBe(T * Y * X);
  });

  it("applies scale_factor/add_offset after comparing packed fill and valid range", () => {
    const packed: QcVariable = {
      name: "zeta", dtype: "<i2", dims: ["ocean_time", "node"], shape: [3, 3],
      attrs: { scale_factor: 0.01, add_offset: 20, valid_min: -3000, valid_max: 3000 }, fillValue: -32767,
    };
    // Physical: 20 + 0.01 * raw. raw 2000 → 40 fails failMax 35; -32767 is the fill; 3500 is outside valid_max → missing.
    const r = run(packed, Int16Array.from([0, 100, -32767, 10, 2000, 3500, 20, 110, 0]), { variable: "zeta", grossRange: { failMin: 0, failMax: 35 } }, 0);
    expect(r.tests.grossRange?.counts).toEqual({ pass: 6, notEvaluated: 0, suspect: 0, fail: 1, missing: 2 });
    expect(r.tests.grossRange?.offending).toEqual([{ index: [1, 1], flag: 4, value: 40 }]);
  });

  it("reads signed storage as unsigned when _Unsigned is true", () => {
    const bytes: QcVariable = { name: "b", dtype: "|i1", dims: ["time"], shape: [3], attrs: { _Unsigned: "true", _FillValue: -1 } };
    // -56 stored is 200 unsigned; -1 is the fill (255 unsigned).
    const r = run(bytes, Int8Array.from([10, -56, -1]), { variable: "b", grossRange: { failMin: 0, failMax: 100 } });
    expect(r.tests.grossRange?.offending).toEqual([{ index: [1], flag: 4, value: 200 }]);
    expect(r.tests.grossRange?.counts.missing).toBe(1);
  });
});

describe("time axis placement", () => {
  it("runs along a time dimension that is not the first and reports indices in the variable's dims", () => {
    const v: QcVariable = { name: "s", dtype: "<f8", dims: ["station", "time"], shape: [2, 5], attrs: {} };
    // station 0 is smooth; station 1 spikes at time 2 (height 9.8; its neighbours see half of it).
    const values = [1, 1.1, 1.2, 1.3, 1.4, 5, 5.1, 15, 5.3, 5.4];
    const r = run(v, values, { variable: "s", spike: { suspectThreshold: 6, failThreshold: 8 } }, 1);
    expect(offences(r, "spike")).toEqual([{ index: [1, 2], flag: 4 }]);
    expect(r.timeDim).toBe("time");
  });

  it("without a time dimension, only the gross range test evaluates values", () => {
    const v: QcVariable = { name: "h", dtype: "<f8", dims: ["node"], shape: [4], attrs: {} };
    const checker = createVariableChecker(v, { variable: "h", grossRange: { failMin: 0, failMax: 100 }, spike: { suspectThreshold: 1, failThreshold: 2 } }, -1);
    checker.push([1, 200, 3, 4], 1);
    const r = checker.finish();
    expect(offences(r, "grossRange")).toEqual([{ index: [1], flag: 4 }]);
    expect(r.tests.spike?.counts.notEvaluated).toBe(4);
    expect(r.timeDim).toBeNull();
  });

  it("refuses a slab of the wrong size, naming the variable", () => {
    const checker = createVariableChecker(temp, { variable: "temp", grossRange: { failMin: 0, failMax: 1 } }, 0);
    expect(() => checker.push(new Float32Array(5), 1)).toThrow(/temp: .* 12 values, got 5/);
    expect(() => checker.finish()).toThrow(/temp: only 0 of 20/);
  });
});
