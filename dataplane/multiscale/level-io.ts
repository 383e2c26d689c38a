// What the overview writers share: the ledger record and the update request, which steps are
// stale, where a level's arrays live, and handles on the store (dataplane/multiscale/).
import type { LedgerStep } from "../aggregate/plan.js";
import { arrayPath } from "../aggregate/tasks.js";
import type { DatasetTemplate } from "../aggregate/template.js";
import { product } from "../ndarray.js";
import type { TypedArray } from "../types.js";
import { arrayOf, readRegion, writeRegion, type ZarrArray } from "../zarr/chunks.js";
import { fillValueNumber, type ArrayNode, type Hierarchy, type ZarrFormat } from "../zarr/metadata.js";
import type { WritableStore } from "../zarr/store.js";
import { levelAsset } from "./attributes.js";
import type { Values } from "./block-mean.js";
import type { OverviewOptions } from "./plan.js";

/** What the ledger keeps per group: the levels written and how many steps of the group they cover. */
export interface OverviewRecord {
  kind: "grid" | "mesh";
  levels: number;
  length: number;
  /** Mesh levels: node and element counts per level 1..K (their shapes are not computable from the template). */
  sizes?: Array<{ nodes: number; elements: number }>;
}

export interface OverviewUpdate {
  store: WritableStore;
  format: ZarrFormat;
  template: DatasetTemplate;
  /** The level-0 hierarchy about to be committed: the overview nodes and the groups' attributes are added to it. */
  hierarchy: Hierarchy;
  /** The steps about to be committed, per group ("" is the root). */
  groups: Record<string, LedgerStep[]>;
  /** What the last commit held: its steps and its overview records (none for a new store or one made before overviews). */
  before: { groups: Record<string, LedgerStep[]>; overviews: Record<string, OverviewRecord> | undefined };
  options?: OverviewOptions | undefined;
  onProgress?: ((p: { done: number; total: number }) => void) | undefined;
}

function sameStep(a: LedgerStep | undefined, b: LedgerStep | undefined): boolean {
  return a !== undefined && b !== undefined && a.t === b.t && a.source === b.source && a.cycleMs === b.cycleMs && a.leadMs === b.leadMs;
}

/** Indices whose overviews must be (re)computed: new steps, and steps whose source changed (a best-forecast replacement). */
export function staleSteps(steps: readonly LedgerStep[], before: readonly LedgerStep[] | undefined, record: OverviewRecord | undefined): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps.length; i++) if (record === undefined || i >= record.length || !sameStep(steps[i], before?.[i])) out.push(i);
  return out;
}

export const isTimed = (t: DatasetTemplate, name: string): boolean => t.variables.find((v) => v.name === name)?.dims[0] === t.concatDim;


/** Steps a commit computes at most while levels catch up with steps committed before them (default of `overviews.catchUpSteps`). */
export const CATCH_UP_STEPS = 48;

export interface StepPlan {
  /** Indices this commit computes, ascending. */
  stale: number[];
  /** Leading steps the levels cover after it (their time length). */
  length: number;
  /** Whether that is every step: only then does the group's `multiscales` name the levels. */
  complete: boolean;
}

/**
 * Which steps a commit computes. Levels in step with the last commit compute every stale step, so
 * they stay complete. Levels behind it (a store made before overviews or with other thresholds,
 * or a catch-up still going) compute at most `cap` stale steps, oldest first, and cover the steps
 * before the first one left: each commit keeps its progress, and the levels are named once they
 * cover every step.
 */
export function planSteps(steps: readonly LedgerStep[], before: readonly LedgerStep[] | undefined, record: OverviewRecord | undefined, cap: number): StepPlan {
  const stale = staleSteps(steps, before, record);
  const behind = record === undefined || record.length < (before?.length ?? 0);
  const first = stale[cap];
  if (!behind || first === undefined) return { stale, length: steps.length, complete: true };
  return { stale: stale.slice(0, cap), length: first, complete: false };
}

export function levelPath(group: string, k: number, name?: string): string {
  const base = arrayPath(group, levelAsset(k));
  return name === undefined ? base : `${base}/${name}`;
}

export function handle(u: OverviewUpdate, path: string): ZarrArray<WritableStore> {
  const a = arrayOf(u.store, { format: u.format, hierarchy: u.hierarchy }, path);
  if (a === undefined) throw new Error(`internal: overviews: no array ${path}`);
  return a;
}

export function numbers(a: TypedArray): Values {
  return a instanceof BigInt64Array || a instanceof BigUint64Array ? Float64Array.from(a, (x) => Number(x)) : (a as Values);
}

/** The values that mean "no data" for a level-0 array: its fill value and CF `missing_value`. */
export function missingOf(n: ArrayNode): number[] {
  const out: number[] = [];
  const fill = fillValueNumber(n.meta.fill_value);
  if (fill !== null) out.push(fill);
  const mv = n.attrs.missing_value;
  if (typeof mv === "number") out.push(mv);
  else if (Array.isArray(mv)) for (const x of mv) if (typeof x === "number") out.push(x);
  return out;
}

/** Every index combination of the dimensions before the last two (a box walk in C order). */
export function* prefixes(shape: readonly number[]): Generator<number[]> {
  const lead = shape.slice(0, -2);
  if (product(lead) === 0) return;
  const idx = lead.map(() => 0);
  for (;;) {
    yield [...idx];
    let d = lead.length - 1;
    while (d >= 0 && (idx[d] ?? 0) + 1 >= (lead[d] ?? 1)) idx[d--] = 0;
    if (d < 0) return;
    idx[d] = (idx[d] ?? 0) + 1;
  }
}


/** Level k's copy of level 0's time coordinate, indices [lo, hi) (its chunks hold many steps). */
export async function copyTime(u: OverviewUpdate, group: string, levels: number, lo: number, hi: number): Promise<void> {
  const time = u.hierarchy.arrays[arrayPath(group, u.template.concatDim)];
  if (time === undefined || hi <= lo) return;
  const len = hi;
  const values = await readRegion(handle(u, arrayPath(group, u.template.concatDim)), [lo], [len - lo]);
  for (let k = 1; k <= levels; k++) await writeRegion(handle(u, levelPath(group, k, u.template.concatDim)), [lo], [len - lo], values);
}

/** Static arrays without horizontal dimensions, copied as they are into every level. */
export async function copyStatics(u: OverviewUpdate, group: string, levels: number, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const src = handle(u, arrayPath(group, name));
    const values = await readRegion(src);
    for (let k = 1; k <= levels; k++) await writeRegion(handle(u, levelPath(group, k, name)), src.meta.shape.map(() => 0), src.meta.shape, values);
  }
}

/** The level groups of `group` and the nodes every level has: the time coordinate (`length` steps) and the copied statics. */
export function addCommonNodes(h: Hierarchy, t: DatasetTemplate, group: string, levels: number, length: number, copied: readonly string[], levelAttrs: Hierarchy["groups"][string]): void {
  h.groups[arrayPath(group, "overviews")] = {};
  for (let k = 1; k <= levels; k++) {
    h.groups[levelPath(group, k)] = levelAttrs;
    for (const name of [t.concatDim, ...copied]) {
      const n = h.arrays[arrayPath(group, name)];
      if (n !== undefined) h.arrays[levelPath(group, k, name)] = { meta: { ...n.meta, shape: timeShape(n, t.concatDim, length) }, attrs: { ...n.attrs } };
    }
  }
}

/** A level array's shape: level 0's, with the levels' own time length along the aggregation dimension. */
export function timeShape(n: ArrayNode, concatDim: string, length: number): number[] {
  const dims = dimsOf(n);
  return n.meta.shape.map((s, i) => (dims[i] === concatDim ? length : s));
}

export function dimsOf(n: ArrayNode): string[] {
  return Array.isArray(n.attrs._ARRAY_DIMENSIONS) ? (n.attrs._ARRAY_DIMENSIONS as string[]) : [];
}
