// QARTOD flags for station series, one flag per value, stored beside each variable as
// `<variable>_qc` (CF ancillary_variables, flag_values 1 2 3 4 9). The tests are those of the
// IngestJob's qualityControl.variables (dataplane/qc's definitions), run along each station's
// whole series every time it changes, so the flags of values next to new ones are right too.
// Without a configured test a value is 2 (not evaluated); a missing value is always 9.
import type { QcConfig, VariableTests } from "../qc/config.js";
import type { ObservationFile } from "./table.js";
import { flatLineFlag, grossRangeFlag, rateOfChangeFlag, spikeFlag } from "../qc/qartod.js";
import { Flag } from "../qc/types.js";

export const FLAG_VALUES = [1, 2, 3, 4, 9];
export const FLAG_MEANINGS = "pass not_evaluated suspect fail missing";

// Combining tests at one value: fail > suspect > pass > not evaluated (QARTOD's aggregate flag).
const RANK: Record<number, number> = { 2: 0, 1: 1, 3: 2, 4: 3 };
const worst = (a: number, b: number): number => ((RANK[a] ?? -1) >= (RANK[b] ?? -1) ? a : b);

/**
 * Aggregate QARTOD flags of one station's series on the store's time axis (NaN: not observed).
 * The tests run along the station's own observations: the shared axis also holds the other
 * stations' times, whose holes would otherwise stop every spike and rate-of-change test.
 */
export function seriesFlags(series: ArrayLike<number>, tests: VariableTests | undefined): Uint8Array {
  const out = new Uint8Array(series.length).fill(Flag.missing);
  const at: number[] = [];
  for (let i = 0; i < series.length; i++) if (!Number.isNaN(series[i] as number)) at.push(i);
  const values = at.map((i) => series[i] as number);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const x = values[i] as number;
    let flag: number = Flag.notEvaluated;
    if (tests?.grossRange) flag = worst(flag, grossRangeFlag(x, tests.grossRange));
    if (tests?.spike) flag = worst(flag, spikeFlag(i > 0 ? (values[i - 1] as number) : undefined, x, i + 1 < n ? (values[i + 1] as number) : undefined, tests.spike));
    if (tests?.rateOfChange) flag = worst(flag, rateOfChangeFlag(i > 0 ? (values[i - 1] as number) : undefined, x, tests.rateOfChange));
    if (tests?.flatLine) flag = worst(flag, flatLineFlag(x, (back) => values[i - back] as number, i, tests.flatLine));
    out[at[i] as number] = flag;
  }
  return out;
}

/** Flags of a [station][time] variable, station by station. */
export function tableFlags(values: Float64Array, stations: number, times: number, tests: VariableTests | undefined): Uint8Array {
  const out = new Uint8Array(stations * times);
  for (let s = 0; s < stations; s++) out.set(seriesFlags(values.subarray(s * times, (s + 1) * times), tests), s * times);
  return out;
}

/** With onFailure refuse: which of the file's own values fail their tests ("2 values of water_level at station X"), or undefined. */
export function flagFailures(file: ObservationFile, qc: QcConfig): string | undefined {
  const tests = new Map((qc.variables ?? []).map((t) => [t.variable, t]));
  const found: string[] = [];
  for (const s of file.series)
    for (const [name, values] of Object.entries(s.values)) {
      const t = tests.get(name);
      if (t === undefined) continue;
      const fails = seriesFlags(values, t).filter((f) => f === Flag.fail).length;
      if (fails > 0) found.push(`${fails} value${fails === 1 ? "" : "s"} of ${name} at station ${s.station.id} fail`);
    }
  return found.length > 0 ? found.join("; ") : undefined;
}
