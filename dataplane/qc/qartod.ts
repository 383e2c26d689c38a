// QARTOD tests for one variable, fed one time slice (or a few) at a time. State is per spatial
// point: the last few values along time, never the whole variable, so memory is
// O(points × max(2, flatLine.failCount)) whatever the number of time steps.
//
// Definitions (IOOS QARTOD manuals; ioos_qc for the details they leave open):
// - gross range: value outside [failMin, failMax] fails; outside [suspectMin, suspectMax] is suspect.
// - spike (ioos_qc "average" method): |x[t] - (x[t-1] + x[t+1]) / 2| above failThreshold fails,
//   above suspectThreshold is suspect. The first and last steps, and steps next to a missing value,
//   cannot be evaluated (flag 2).
// - rate of change: |x[t] - x[t-1]| above threshold (per time step, in the variable's units, as the
//   IngestJob defines it) is suspect; QARTOD has no fail level for it. The first step is flag 2.
// - flat line: x[t] within `tolerance` (|Δ| <= tolerance, so 0 catches exact repeats) of each of
//   the previous failCount values fails, of the previous suspectCount values is suspect. When the
//   history is too short or has a gap before the answer is known, the flag is 2.
// Missing values (fill, missing_value, outside valid range, NaN) are flag 9 in every test, never failures.
import type { FlatLineConfig, GrossRangeConfig, RateOfChangeConfig, SpikeConfig, VariableTests } from "./config.js";
import { makeUnpacker } from "./packing.js";
import { Flag, type FlagValue, type QcValues, type QcVariable } from "./types.js";

export const testNames = ["grossRange", "spike", "rateOfChange", "flatLine"] as const;
export type TestName = (typeof testNames)[number];
/** The per-point combination of all tests run (QARTOD's aggregate/primary flag). */
export type ResultName = TestName | "aggregate";

export interface FlagCounts {
  pass: number;
  notEvaluated: number;
  suspect: number;
  fail: number;
  missing: number;
}

export interface Offence {
  /** Position in the variable, one entry per dimension (its `dims`). */
  index: number[];
  flag: 3 | 4;
  /** The physical (unpacked) value at that position. */
  value: number;
}

export interface TestResult {
  counts: FlagCounts;
  /** The first offending values (suspect or fail), in the order checked: time step by time step, C order within a step. */
  offending: Offence[];
  /** How many offending values were not listed. */
  unlisted: number;
}

export interface VariableQcResult {
  variable: string;
  dims: string[];
  shape: number[];
  /** The dimension the time-series tests ran along; null when the variable has none (they are then flag 2). */
  timeDim: string | null;
  tests: Partial<Record<ResultName, TestResult>>;
}

export interface VariableChecker {
  /** Steps along the time dimension (1 when the variable has none). */
  readonly steps: number;
  /** Values per time step (the product of the other dimensions). */
  readonly pointsPerStep: number;
  /** Adds the next `stepCount` time steps: a slab with the full extent of every other dimension, C order. */
  push(values: QcValues, stepCount: number): void;
  /** Completes the last step's spike test and returns the result; every step must have been pushed. */
  finish(): VariableQcResult;
}

export interface CheckerOptions {
  /** How many offending indices to keep per test (default 10). */
  readonly maxOffending?: number;
}

const countKey: Record<FlagValue, keyof FlagCounts> = { 1: "pass", 2: "notEvaluated", 3: "suspect", 4: "fail", 9: "missing" };
// For combining tests at one point: fail > suspect > pass > not evaluated (0: no test yet).
const rank = Int8Array.from({ length: 10 }, (_, f) => ({ 2: 0, 1: 1, 3: 2, 4: 3 })[f] ?? -1);

function worst(a: number, b: number): number {
  return (rank[a] as number) >= (rank[b] as number) ? a : b;
}

export function grossRangeFlag(x: number, c: GrossRangeConfig): FlagValue {
  if (Number.isNaN(x)) return Flag.missing;
  if (x < c.failMin || x > c.failMax) return Flag.fail;
  if ((c.suspectMin !== undefined && x < c.suspectMin) || (c.suspectMax !== undefined && x > c.suspectMax)) return Flag.suspect;
  return Flag.pass;
}

/** Spike flag of `x` between neighbours `before` and `after` (undefined: no neighbour on that side). */
export function spikeFlag(before: number | undefined, x: number, after: number | undefined, c: SpikeConfig): FlagValue {
  if (Number.isNaN(x)) return Flag.missing;
  if (before === undefined || after === undefined || Number.isNaN(before) || Number.isNaN(after)) return Flag.notEvaluated;
  const height = Math.abs(x - (before + after) / 2);
  if (height > c.failThreshold) return Flag.fail;
  if (height > c.suspectThreshold) return Flag.suspect;
  return Flag.pass;
}

export function rateOfChangeFlag(previous: number | undefined, x: number, c: RateOfChangeConfig): FlagValue {
  if (Number.isNaN(x)) return Flag.missing;
  if (previous === undefined || Number.isNaN(previous)) return Flag.notEvaluated;
  return Math.abs(x - previous) > c.threshold ? Flag.suspect : Flag.pass;
}

/**
 * Flat-line flag of `x` given the `available` previous values, read most recent first:
 * `history(1)` is x[t-1], `history(available)` the oldest one known.
 */
export function flatLineFlag(x: number, history: (back: number) => number, available: number, c: FlatLineConfig): FlagValue {
  if (Number.isNaN(x)) return Flag.missing;
  let flat = 0;
  let known = false;
  const depth = Math.min(c.failCount, available);
  for (let back = 1; back <= depth; back++) {
    const h = history(back);
    if (Number.isNaN(h)) break;
    if (Math.abs(x - h) > c.tolerance) {
      known = true;
      break;
    }
    flat = back;
  }
  if (flat >= c.failCount) return Flag.fail;
  if (flat >= c.suspectCount) return Flag.suspect;
  return known ? Flag.pass : Flag.notEvaluated;
}

function emptyResult(): TestResult {
  return { counts: { pass: 0, notEvaluated: 0, suspect: 0, fail: 0, missing: 0 }, offending: [], unlisted: 0 };
}

export function createVariableChecker(variable: QcVariable, tests: VariableTests, timeAxis: number, options: CheckerOptions = {}): VariableChecker {
  const maxOffending = options.maxOffending ?? 10;
  const shape = [...variable.shape];
  if (timeAxis >= shape.length) throw new Error(`${variable.name}: time axis ${timeAxis} is outside its ${shape.length} dimensions`);
  const hasTime = timeAxis >= 0;
  const steps = hasTime ? (shape[timeAxis] as number) : 1;
  const outer = hasTime ? shape.slice(0, timeAxis).reduce((a, b) => a * b, 1) : 1;
  const inner = hasTime ? shape.slice(timeAxis + 1).reduce((a, b) => a * b, 1) : shape.reduce((a, b) => a * b, 1);
  const points = outer * inner;
  const spatialShape = hasTime ? shape.filter((_, i) => i !== timeAxis) : shape;
  const unpack = makeUnpacker(variable);

  const active: TestName[] = testNames.filter((n) => tests[n] !== undefined);
  const results: Partial<Record<ResultName, TestResult>> = {};
  for (const name of active) results[name] = emptyResult();
  const aggregate = emptyResult();
  results.aggregate = aggregate;

  const depth = Math.max(1, Math.min(Math.max(2, tests.flatLine?.failCount ?? 0), steps));
  const history = new Float64Array(points * depth);
  // Flags of the previous step from the tests that are decided at once, waiting for its spike flag.
  const pending = new Uint8Array(points);
  let step = 0;

  const indexOf = (p: number, t: number): number[] => {
    const idx = new Array<number>(spatialShape.length);
    let rest = p;
    for (let d = spatialShape.length - 1; d >= 0; d--) {
      const n = spatialShape[d] as number;
      idx[d] = rest % n;
      rest = Math.floor(rest / n);
    }
    if (hasTime) idx.splice(timeAxis, 0, t);
    return idx;
  };

  // Counts per result and flag in one flat array: the hot loop must not touch objects.
  const names: ResultName[] = [...active, "aggregate"];
  const counts = new Float64Array(names.length * 10);
  const slotOf = (name: ResultName) => names.indexOf(name) * 10;
  const [gross, spike, roc, flat, agg] = [slotOf("grossRange"), slotOf("spike"), slotOf("rateOfChange"), slotOf("flatLine"), slotOf("aggregate")];

  const offend = (name: ResultName, flag: FlagValue, p: number, t: number, value: number) => {
    const result = results[name] as TestResult;
    if (result.offending.length < maxOffending) result.offending.push({ index: indexOf(p, t), flag: flag as 3 | 4, value });
    else result.unlisted += 1;
  };
  const record = (name: ResultName, at: number, flag: FlagValue, p: number, t: number, value: number) => {
    counts[at + flag] = (counts[at + flag] as number) + 1;
    if (flag === Flag.suspect || flag === Flag.fail) offend(name, flag, p, t, value);
  };
  const settle = (p: number, t: number, immediate: number, spikeFlagValue: number, value: number) => {
    const combined = Number.isNaN(value) ? Flag.missing : worst(immediate, spikeFlagValue);
    record("aggregate", agg, (combined === 0 ? Flag.notEvaluated : combined) as FlagValue, p, t, value);
  };

  const slot = (t: number) => (t % depth) * points;
  // The flat-line history of the point being checked, read from the ring buffer without allocating.
  let historyPoint = 0;
  let historyStep = 0;
  const historyAt = (back: number) => history[slot(historyStep - back) + historyPoint] as number;

  function push(values: QcValues, stepCount: number): void {
    if (!Number.isInteger(stepCount) || stepCount < 1) throw new Error(`${variable.name}: stepCount must be a positive integer, got ${stepCount}`);
    if (step + stepCount > steps) throw new Error(`${variable.name}: ${step + stepCount} time steps pushed, the variable has ${steps}`);
    if (values.length !== outer * stepCount * inner) {
      throw new Error(`${variable.name}: a slab of ${stepCount} time step(s) has ${outer * stepCount * inner} values, got ${values.length}`);
    }
    const data: ArrayLike<number> = values instanceof BigInt64Array || values instanceof BigUint64Array ? Float64Array.from(values, Number) : (values as ArrayLike<number>);
    const { grossRange, spike: spikeTest, rateOfChange, flatLine } = tests;
    for (let local = 0; local < stepCount; local++, step++) {
      const t = step;
      const now = slot(t);
      const prev1 = t >= 1 ? slot(t - 1) : -1;
      const prev2 = t >= 2 ? slot(t - 2) : -1;
      historyStep = t;
      for (let o = 0; o < outer; o++) {
        const base = (o * stepCount + local) * inner;
        for (let j = 0; j < inner; j++) {
          const p = o * inner + j;
          const x = unpack(data[base + j] as number);
          const before = prev1 >= 0 ? (history[prev1 + p] as number) : undefined;
          let immediate = 0;
          if (grossRange) {
            const f = grossRangeFlag(x, grossRange);
            record("grossRange", gross, f, p, t, x);
            immediate = worst(immediate, f);
          }
          if (rateOfChange) {
            const f = hasTime ? rateOfChangeFlag(before, x, rateOfChange) : Number.isNaN(x) ? Flag.missing : Flag.notEvaluated;
            record("rateOfChange", roc, f, p, t, x);
            immediate = worst(immediate, f);
          }
          if (flatLine) {
            historyPoint = p;
            const f = hasTime ? flatLineFlag(x, historyAt, Math.min(t, depth), flatLine) : Number.isNaN(x) ? Flag.missing : Flag.notEvaluated;
            record("flatLine", flat, f, p, t, x);
            immediate = worst(immediate, f);
          }
          if (t >= 1) {
            // The previous step's spike flag is known now that its successor is here.
            let s = 0;
            if (spikeTest) {
              const centre = before as number;
              const f = spikeFlag(prev2 >= 0 ? (history[prev2 + p] as number) : undefined, centre, x, spikeTest);
              record("spike", spike, f, p, t - 1, centre);
              s = f;
            }
            settle(p, t - 1, pending[p] as number, s, before as number);
          }
          pending[p] = immediate;
          history[now + p] = x;
        }
      }
    }
  }

  function finish(): VariableQcResult {
    if (step !== steps) throw new Error(`${variable.name}: only ${step} of ${steps} time steps were pushed`);
    if (steps > 0) {
      const last = slot(steps - 1);
      for (let p = 0; p < points; p++) {
        const x = history[last + p] as number;
        let s = 0;
        if (tests.spike) {
          s = Number.isNaN(x) ? Flag.missing : Flag.notEvaluated;
          record("spike", spike, s as FlagValue, p, steps - 1, x);
        }
        settle(p, steps - 1, pending[p] as number, s, x);
      }
    }
    names.forEach((name, i) => {
      const c = (results[name] as TestResult).counts;
      for (const flag of [1, 2, 3, 4, 9] as FlagValue[]) c[countKey[flag]] = counts[i * 10 + flag] as number;
    });
    return { variable: variable.name, dims: [...variable.dims], shape, timeDim: hasTime ? (variable.dims[timeAxis] ?? null) : null, tests: results };
  }

  return { steps, pointsPerStep: points, push, finish };
}
