// Where each time step of each file goes: the pure core of the three aggregations.
// Input: what the store already holds (the ledger) and what the new files contain.
// Output: the new time axis per group, the (source index -> target index) writes per file,
// and for every file not written, why.

export type AggregationType = "append" | "model-run" | "best-forecast";

/** One entry per index along the aggregation dimension of a group. */
export interface LedgerStep {
  /** Valid time, epoch ms. */
  t: number;
  /** The file the data came from (its name, not its full path). */
  source: string;
  cycleMs?: number;
  leadMs?: number;
}

export interface Candidate {
  id: string;
  /** Name recorded in the ledger (usually the object key's last part). */
  source: string;
  /** Valid times of the file's steps, epoch ms, in file order. */
  times: number[];
  kind?: "nowcast" | "forecast";
  cycleMs?: number;
}

export interface FilePlan {
  id: string;
  status: "write" | "skip" | "refuse";
  reason?: string;
  group: string;
  writes: Array<{ source: number; target: number }>;
}

export interface Plan {
  groups: Record<string, LedgerStep[]>;
  files: FilePlan[];
  /** Set for model-run: the cycle the store holds. */
  cycleMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * Why a time that is not on the axis cannot go into it. A Zarr array grows only at its end:
 * putting a step before or between existing ones would shift every later index, i.e. rewrite
 * every chunk after it while readers watch, so no aggregation inserts; the file is refused.
 */
function insertionReason(steps: LedgerStep[], t: number): string {
  const next = steps.findIndex((s) => s.t > t);
  const where =
    next <= 0
      ? `before the first time ${iso(steps[0]?.t ?? t)}`
      : `between ${iso(steps[next - 1]?.t ?? t)} and ${iso(steps[next]?.t ?? t)} (indices ${next - 1} and ${next})`;
  return `time ${iso(t)} falls ${where} of the aggregation's time axis; steps are only added after its last time ${iso(steps[steps.length - 1]?.t ?? t)} (inserting would rewrite every later chunk), so ingest such files into a new store in time order`;
}

/** Which run a model-run store holds (Dataset `spec.aggregation.cycle` and `runType`). */
export interface RunChoice {
  /** The forecast cycle, epoch ms; without it the newest cycle among the files. */
  cycleMs?: number;
  /** Only forecast or only nowcast files; without it both, each in its group. */
  runType?: "forecast" | "nowcast";
}

export function planAggregation(type: AggregationType, existing: Record<string, LedgerStep[]>, candidates: Candidate[], storeCycleMs?: number, run: RunChoice = {}): Plan {
  const ordered = [...candidates].sort((a, b) => (a.times[0] ?? 0) - (b.times[0] ?? 0) || (b.cycleMs ?? 0) - (a.cycleMs ?? 0));
  const files: FilePlan[] = [];
  const groups: Record<string, LedgerStep[]> = {};
  for (const [g, steps] of Object.entries(existing)) groups[g] = steps.map((s) => ({ ...s }));
  const refuse = (c: Candidate, group: string, reason: string, status: "skip" | "refuse" = "refuse"): void => {
    files.push({ id: c.id, status, reason, group, writes: [] });
  };
  const valid: Candidate[] = [];
  for (const c of ordered) {
    const bad = c.times.findIndex((t, i) => i > 0 && t <= (c.times[i - 1] ?? -Infinity));
    if (bad > 0) refuse(c, "", `time steps are not strictly increasing at index ${bad}`);
    else if (c.times.length === 0) refuse(c, "", "has no time steps", "skip");
    else valid.push(c);
  }

  if (type === "append" || type === "model-run") {
    let cycleMs = storeCycleMs ?? run.cycleMs;
    if (type === "model-run") {
      for (const c of valid) if (c.cycleMs === undefined || c.kind === undefined) refuse(c, "", "cycle and nowcast/forecast unknown: the file name is not a NODD key");
      let known = valid.filter((c) => c.cycleMs !== undefined && c.kind !== undefined);
      // Files of another cycle or run type than the Dataset asks for are not errors: a prefix
      // holds every cycle. They are skipped, and the store holds exactly the one run.
      if (run.cycleMs !== undefined)
        for (const c of known) if (c.cycleMs !== run.cycleMs) refuse(c, c.kind ?? "", `belongs to cycle ${iso(c.cycleMs ?? 0)}; the Dataset's aggregation.cycle is ${iso(run.cycleMs)}`, "skip");
      if (run.runType !== undefined)
        for (const c of known) if (c.kind !== run.runType && (run.cycleMs === undefined || c.cycleMs === run.cycleMs)) refuse(c, c.kind ?? "", `is a ${c.kind} file; the Dataset's aggregation.runType is ${run.runType}`, "skip");
      known = known.filter((c) => (run.cycleMs === undefined || c.cycleMs === run.cycleMs) && (run.runType === undefined || c.kind === run.runType));
      cycleMs ??= known.reduce<number | undefined>((m, c) => (m === undefined || (c.cycleMs ?? 0) > m ? c.cycleMs : m), undefined);
      valid.splice(0, valid.length, ...known);
    }
    for (const c of valid) {
      const group = type === "model-run" ? (c.kind ?? "forecast") : "";
      if (type === "model-run" && c.cycleMs !== cycleMs) {
        refuse(c, group, `belongs to cycle ${iso(c.cycleMs ?? 0)}; this model-run store holds cycle ${iso(cycleMs ?? 0)}`);
        continue;
      }
      const steps = (groups[group] ??= []);
      const have = new Set(steps.map((s) => s.t));
      const last = steps.length > 0 ? (steps[steps.length - 1]?.t ?? -Infinity) : -Infinity;
      const fresh = c.times.map((t, i) => ({ t, i })).filter(({ t }) => !have.has(t));
      if (fresh.length === 0) {
        refuse(c, group, "already ingested: all its time steps are in the store", "skip");
        continue;
      }
      const early = fresh.find(({ t }) => t <= last);
      if (early !== undefined) {
        refuse(c, group, insertionReason(steps, early.t));
        continue;
      }
      const writes = fresh.map(({ t, i }) => {
        steps.push({ t, source: c.source, ...(c.cycleMs !== undefined ? { cycleMs: c.cycleMs, leadMs: t - c.cycleMs } : {}) });
        return { source: i, target: steps.length - 1 };
      });
      files.push({ id: c.id, status: "write", group, writes });
    }
    return { groups, files, ...(cycleMs !== undefined ? { cycleMs } : {}) };
  }

  // best-forecast: per valid time, the forecast with the smallest lead (ties: the newer cycle).
  const steps = (groups[""] ??= []);
  const committedLast = steps.length > 0 ? (steps[steps.length - 1]?.t ?? -Infinity) : -Infinity;
  const index = new Map(steps.map((s, i) => [s.t, i]));
  interface Choice {
    c: Candidate;
    i: number;
    lead: number;
  }
  const best = new Map<number, Choice>();
  const forecasts: Candidate[] = [];
  for (const c of valid) {
    if (c.cycleMs === undefined || c.kind === undefined) refuse(c, "", "cycle and lead unknown: the file name is not a NODD key");
    else if (c.kind === "nowcast") refuse(c, "", "nowcast: a best forecast takes forecasts only", "skip");
    else {
      const early = c.times.find((t) => t < committedLast && !index.has(t));
      if (early !== undefined) refuse(c, "", insertionReason(steps, early));
      else forecasts.push(c);
    }
  }
  for (const c of forecasts)
    c.times.forEach((t, i) => {
      const lead = t - (c.cycleMs ?? 0);
      const prev = best.get(t);
      const at = index.get(t);
      const held = at === undefined ? undefined : steps[at];
      const beatsStore = held === undefined || held.leadMs === undefined || lead < held.leadMs || (lead === held.leadMs && (c.cycleMs ?? 0) > (held.cycleMs ?? 0));
      if (!beatsStore) return;
      if (prev === undefined || lead < prev.lead || (lead === prev.lead && (c.cycleMs ?? 0) > (prev.c.cycleMs ?? 0))) best.set(t, { c, i, lead });
    });
  const newTimes = [...best.keys()].filter((t) => !index.has(t)).sort((a, b) => a - b);
  for (const t of newTimes) {
    index.set(t, steps.length);
    steps.push({ t, source: "" });
  }
  const writesBy = new Map<string, Array<{ source: number; target: number }>>();
  for (const [t, choice] of best) {
    const target = index.get(t) ?? -1;
    steps[target] = { t, source: choice.c.source, cycleMs: choice.c.cycleMs ?? 0, leadMs: choice.lead };
    const list = writesBy.get(choice.c.id) ?? [];
    list.push({ source: choice.i, target });
    writesBy.set(choice.c.id, list);
  }
  for (const c of forecasts) {
    const writes = (writesBy.get(c.id) ?? []).sort((a, b) => a.target - b.target);
    if (writes.length > 0) files.push({ id: c.id, status: "write", group: "", writes });
    else refuse(c, "", "superseded: the store already holds every valid time from a shorter lead", "skip");
  }
  return { groups, files };
}
