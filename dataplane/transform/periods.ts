// Which source steps make each step of a derived Dataset, and what the derived ledger records of
// them. Pure: the operator, the Dask task builder and the tests call these directly.
import type { ResampleOptions } from "./options.js";

/** One source step as the source's ledger records it (valid time, and where it came from). */
export interface SourceStep {
  readonly t: number;
  readonly source?: string;
  readonly cycleMs?: number;
  readonly leadMs?: number;
}

/** One step of the derived time axis: a period (resample) or a source step carried over. */
export interface OutputStep {
  /** Period start (or the step's own time), epoch ms UTC. */
  readonly t: number;
  /** Source indices [first, first + count) that make it (source times are sorted). */
  readonly first: number;
  readonly count: number;
  /** No further source step can fall into it (the source has reached its end). */
  readonly complete: boolean;
  /** Identity of the inputs: a period whose fingerprint is unchanged is not recomputed. */
  readonly fingerprint: string;
}

/** The start of the period holding `t`: periods start at midnight of the utcOffset's clock. */
export function periodStart(t: number, r: Pick<ResampleOptions, "periodMs" | "offsetMs">): number {
  return Math.floor((t + r.offsetMs) / r.periodMs) * r.periodMs - r.offsetMs;
}

/** The source's time step: the smallest difference between consecutive times (undefined for fewer than two). */
export function sourceStepMs(times: readonly number[]): number | undefined {
  let step: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (d > 0 && (step === undefined || d < step)) step = d;
  }
  return step;
}

function fingerprintOf(steps: readonly SourceStep[]): string {
  return steps.map((s) => `${s.t}:${s.source ?? ""}:${s.cycleMs ?? ""}:${s.leadMs ?? ""}`).join("|");
}

/**
 * The derived time axis over sorted source steps. With `resample`, one step per period that holds
 * at least one source step; a period is complete when the source reaches its last expected step
 * (period end minus the source step), so the newest period stays provisional until then. Without
 * it, every source step carried over (always complete).
 */
export function outputSteps(steps: readonly SourceStep[], resample: Pick<ResampleOptions, "periodMs" | "offsetMs"> | undefined): OutputStep[] {
  for (let i = 1; i < steps.length; i++) if ((steps[i] as SourceStep).t <= (steps[i - 1] as SourceStep).t) throw new Error(`source time axis is not increasing at index ${i}`);
  if (resample === undefined) return steps.map((s, i) => ({ t: s.t, first: i, count: 1, complete: true, fingerprint: fingerprintOf([s]) }));
  const last = steps[steps.length - 1]?.t;
  const step = sourceStepMs(steps.map((s) => s.t)) ?? resample.periodMs;
  const out: OutputStep[] = [];
  for (let i = 0; i < steps.length; ) {
    const start = periodStart((steps[i] as SourceStep).t, resample);
    let n = 1;
    while (i + n < steps.length && periodStart((steps[i + n] as SourceStep).t, resample) === start) n++;
    out.push({ t: start, first: i, count: n, complete: last !== undefined && last >= start + resample.periodMs - step, fingerprint: fingerprintOf(steps.slice(i, i + n)) });
    i += n;
  }
  return out;
}

/** What a derived store's ledger keeps per output step (extent readers take `t`, as from an ingest ledger). */
export interface DerivedLedgerStep {
  readonly t: number;
  readonly source: string;
  readonly count: number;
  readonly complete: boolean;
  readonly fingerprint: string;
}

/**
 * Indices of `next` to (re)compute against what the store holds: new steps, and steps whose inputs
 * changed (a provisional period that got more steps, best-forecast steps replaced by shorter leads).
 * A step that vanished from the source (the store only grows) is an error.
 */
export function changedSteps(prior: readonly DerivedLedgerStep[], next: readonly OutputStep[]): number[] {
  const out: number[] = [];
  if (next.length < prior.length) throw new Error(`the source now gives ${next.length} derived steps, fewer than the ${prior.length} the derived store holds (the source lost steps)`);
  next.forEach((s, i) => {
    const p = prior[i];
    if (p !== undefined && p.t !== s.t) throw new Error(`derived step ${i} was ${new Date(p.t).toISOString()} and is now ${new Date(s.t).toISOString()}: the source's time axis changed under the derived store`);
    if (p === undefined || p.fingerprint !== s.fingerprint) out.push(i);
  });
  return out;
}
