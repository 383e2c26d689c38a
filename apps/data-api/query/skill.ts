// Model against observation (pure): pairs an observed series with a model series at the
// observation times, and the standard skill statistics of the pairs.
//   interpolate (default): the model linearly interpolated in time to each observation time
//     strictly inside its time axis (both neighbouring steps present); never extrapolated.
//   nearest: the model step nearest each observation time, if within half the model's median step.
// Observations flagged fail (QARTOD 4) are left out; every other value with a model value pairs.
export type TimeMatching = "interpolate" | "nearest";

export interface Pairs {
  times: number[];
  observed: number[];
  model: number[];
}

export interface SkillStatistics {
  n: number;
  /** mean(model - observed). */
  bias: number | null;
  /** sqrt(mean((model - observed)^2)). */
  rmse: number | null;
  /** Pearson correlation of model and observed. */
  correlation: number | null;
  /** Willmott (1981) index of agreement: 1 - sum((m - o)^2) / sum((|m - mean(o)| + |o - mean(o)|)^2). */
  willmott: number | null;
}

function medianStep(times: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) steps.push((times[i] as number) - (times[i - 1] as number));
  steps.sort((a, b) => a - b);
  return steps.length === 0 ? 0 : (steps[Math.floor(steps.length / 2)] as number);
}

/** Index of the last model time <= t (binary search), or -1. */
function floorIndex(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

export function pairSeries(obsTimes: readonly number[], obs: ArrayLike<number>, obsFlags: ArrayLike<number> | undefined, modelTimes: readonly number[], model: ArrayLike<number>, method: TimeMatching): Pairs {
  const out: Pairs = { times: [], observed: [], model: [] };
  const half = medianStep(modelTimes) / 2;
  for (let k = 0; k < obsTimes.length; k++) {
    const o = obs[k] as number;
    if (Number.isNaN(o) || obsFlags?.[k] === 4) continue;
    const t = obsTimes[k] as number;
    const i = floorIndex(modelTimes, t);
    let m = NaN;
    if (method === "interpolate") {
      if (i < 0) continue;
      const t0 = modelTimes[i] as number;
      if (t0 === t) m = model[i] as number;
      else if (i + 1 < modelTimes.length) {
        const t1 = modelTimes[i + 1] as number;
        const w = (t - t0) / (t1 - t0);
        m = (model[i] as number) * (1 - w) + (model[i + 1] as number) * w;
      }
    } else {
      const candidates = [i, i + 1].filter((j) => j >= 0 && j < modelTimes.length);
      let best = -1;
      for (const j of candidates) if (best < 0 || Math.abs((modelTimes[j] as number) - t) < Math.abs((modelTimes[best] as number) - t)) best = j;
      if (best >= 0 && Math.abs((modelTimes[best] as number) - t) <= half) m = model[best] as number;
    }
    if (Number.isNaN(m)) continue;
    out.times.push(t);
    out.observed.push(o);
    out.model.push(m);
  }
  return out;
}

export function skill(p: Pairs): SkillStatistics {
  const n = p.observed.length;
  if (n === 0) return { n, bias: null, rmse: null, correlation: null, willmott: null };
  let so = 0;
  let sm = 0;
  for (let i = 0; i < n; i++) {
    so += p.observed[i] as number;
    sm += p.model[i] as number;
  }
  const mo = so / n;
  const mm = sm / n;
  let sd = 0;
  let sd2 = 0;
  let cov = 0;
  let vo = 0;
  let vm = 0;
  let pot = 0;
  for (let i = 0; i < n; i++) {
    const o = p.observed[i] as number;
    const m = p.model[i] as number;
    const d = m - o;
    sd += d;
    sd2 += d * d;
    cov += (o - mo) * (m - mm);
    vo += (o - mo) * (o - mo);
    vm += (m - mm) * (m - mm);
    pot += (Math.abs(m - mo) + Math.abs(o - mo)) ** 2;
  }
  return {
    n,
    bias: sd / n,
    rmse: Math.sqrt(sd2 / n),
    correlation: vo > 0 && vm > 0 ? cov / Math.sqrt(vo * vm) : null,
    willmott: pot > 0 ? 1 - sd2 / pot : null,
  };
}
