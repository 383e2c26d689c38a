// Writes the overview levels of the steps a commit publishes, before the commit: the ingest's
// Committer calls `updateOverviews` with the hierarchy it is about to publish, after the copy
// tasks of those steps have finished (inline or on a DaskJob), so the new steps are read back
// from the store whatever wrote them. New steps land beyond the levels' committed shapes, as
// level 0's do, and the commit that publishes level 0's steps publishes theirs and the group's
// `multiscales` attribute in the same atomic write: a reader never sees a level behind level 0,
// and a crash before that write leaves the previous commit whole (the next run redoes the files,
// and with them their overviews). Memory: one band of rows of one time step and one vertical
// level of one variable at a time, plus one plane per level of that step.
import type { LedgerStep } from "../aggregate/plan.js";
import { arrayPath } from "../aggregate/tasks.js";
import type { DatasetTemplate } from "../aggregate/template.js";
import { allocate } from "../dtype.js";
import { product } from "../ndarray.js";
import type { AttrValue, Dtype, TypedArray } from "../types.js";
import { arrayOf, readRegion, writeRegion, type ZarrArray } from "../zarr/chunks.js";
import { fillValueNumber, type ArrayMetaV2, type ArrayNode, type Hierarchy, type ZarrFormat } from "../zarr/metadata.js";
import type { WritableStore } from "../zarr/store.js";
import { levelAsset, multiscalesLayout, withMultiscales, withoutMultiscales } from "./attributes.js";
import { anyInto, bandLevels, levelSize, meansInto, waterMask, type Values } from "./block-mean.js";
import type { StructuredGrid } from "./grids.js";
import { levelShape, overviewPlan, type GridPlan, type OverviewOptions, type Plan } from "./plan.js";

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

/**
 * Adds the overview levels of every group to `u.hierarchy`, writes the chunks of the steps that
 * need them, and returns the records for the ledger (undefined: the dataset has no overviews).
 */
export async function updateOverviews(u: OverviewUpdate): Promise<Record<string, OverviewRecord> | undefined> {
  const plan = overviewPlan(u.template, u.options);
  if (plan === undefined) return undefined;
  // Simplified mesh levels are not written yet (docs/dataplane.md, "Overviews (multiscale)").
  if (plan.kind === "mesh") return undefined;
  const records: Record<string, OverviewRecord> = {};
  const work: Array<{ group: string; stale: number[]; fresh: boolean }> = [];
  for (const [group, steps] of Object.entries(u.groups)) {
    const record = u.before.overviews?.[group];
    const fresh = record === undefined || record.kind !== plan.kind || record.levels !== plan.levels;
    work.push({ group, stale: staleSteps(steps, u.before.groups[group], fresh ? undefined : record), fresh });
    addGridNodes(u, plan, group);
    records[group] = { kind: "grid", levels: plan.levels, length: steps.length };
  }
  const total = work.reduce((n, w) => n + w.stale.length * plan.data.filter((d) => isTimed(u.template, d.name)).length, 0);
  const progress = { done: 0, total };
  for (const w of work) await writeGroup(u, plan, w.group, w.stale, w.fresh, progress);
  return records;
}

const isTimed = (t: DatasetTemplate, name: string): boolean => t.variables.find((v) => v.name === name)?.dims[0] === t.concatDim;

function levelPath(group: string, k: number, name?: string): string {
  const base = arrayPath(group, levelAsset(k));
  return name === undefined ? base : `${base}/${name}`;
}

function cellMethods(existing: AttrValue | string[] | undefined, dims: [string, string], k: number): string {
  const n = 2 ** k;
  const mine = `${dims[0]}: ${dims[1]}: mean (comment: ${n}x${n} blocks of the full-resolution grid; land, missing and non-finite cells excluded)`;
  return typeof existing === "string" && existing.trim() !== "" ? `${existing} ${mine}` : mine;
}

/** The nodes of levels 1..K of `group` and its `multiscales` attribute, added to the hierarchy. */
function addGridNodes(u: OverviewUpdate, plan: GridPlan, group: string): void {
  const h = u.hierarchy;
  const t = u.template;
  const horizontal = new Map<string, number>();
  for (const g of plan.grids) for (const d of g.dims) horizontal.set(d, t.dims[d] ?? 0);
  const node0 = (name: string): ArrayNode => {
    const n = h.arrays[arrayPath(group, name)];
    if (n === undefined) throw new Error(`internal: overviews of ${arrayPath(group, name)}: no such array`);
    return n;
  };
  const dimsOf = (n: ArrayNode): string[] => (Array.isArray(n.attrs._ARRAY_DIMENSIONS) ? (n.attrs._ARRAY_DIMENSIONS as string[]) : []);
  const levelMeta = (n: ArrayNode, k: number, dtype: Dtype, fill: ArrayMetaV2["fill_value"]): ArrayMetaV2 => {
    const dims = dimsOf(n);
    const shape = n.meta.shape.map((s, i) => (horizontal.has(dims[i] ?? "") ? levelSize(s, k) : s));
    // One step in time and one index of every other non-horizontal dimension: a level is read a
    // plane at a time, and written so.
    const chunks = shape.map((s, i) => (horizontal.has(dims[i] ?? "") ? Math.max(1, Math.min(n.meta.chunks[i] ?? s, s)) : 1));
    return { ...n.meta, shape, chunks, dtype, fill_value: fill };
  };
  h.groups[arrayPath(group, "overviews")] = {};
  for (let k = 1; k <= plan.levels; k++) {
    h.groups[levelPath(group, k)] = withoutMultiscales(h.groups[group] ?? {});
    const time = h.arrays[arrayPath(group, t.concatDim)];
    if (time !== undefined) h.arrays[levelPath(group, k, t.concatDim)] = { meta: { ...time.meta }, attrs: { ...time.attrs } };
    for (const name of plan.copied) {
      const n = node0(name);
      h.arrays[levelPath(group, k, name)] = { meta: { ...n.meta }, attrs: { ...n.attrs } };
    }
    for (const d of plan.data) {
      const n = node0(d.name);
      h.arrays[levelPath(group, k, d.name)] = { meta: levelMeta(n, k, "<f4", "NaN"), attrs: { ...n.attrs, cell_methods: cellMethods(n.attrs.cell_methods, d.grid.dims, k) } };
    }
    for (const c of [...plan.coords2d, ...plan.coords1d]) {
      const n = node0(c.name);
      const dtype: Dtype = n.meta.dtype === "<f4" ? "<f4" : "<f8";
      h.arrays[levelPath(group, k, c.name)] = { meta: levelMeta(n, k, dtype, n.meta.fill_value), attrs: { ...n.attrs } };
    }
    for (const m of plan.masks) {
      const n = node0(m.name);
      const dtype = n.meta.dtype === "|S1" ? "|u1" : n.meta.dtype;
      h.arrays[levelPath(group, k, m.name)] = { meta: levelMeta(n, k, dtype, n.meta.fill_value), attrs: { ...n.attrs } };
    }
  }
  const shapes = Array.from({ length: plan.levels + 1 }, (_, k) => ({ shape: levelShape(t, plan, k) }));
  h.groups[group] = withMultiscales(h.groups[group] ?? {}, multiscalesLayout(shapes, "mean"));
}

function handle(u: OverviewUpdate, path: string): ZarrArray<WritableStore> {
  const a = arrayOf(u.store, { format: u.format, hierarchy: u.hierarchy }, path);
  if (a === undefined) throw new Error(`internal: overviews: no array ${path}`);
  return a;
}

function numbers(a: TypedArray): Values {
  return a instanceof BigInt64Array || a instanceof BigUint64Array ? Float64Array.from(a, (x) => Number(x)) : (a as Values);
}

/** The values that mean "no data" for a level-0 array: its fill value and CF `missing_value`. */
function missingOf(n: ArrayNode): number[] {
  const out: number[] = [];
  const fill = fillValueNumber(n.meta.fill_value);
  if (fill !== null) out.push(fill);
  const mv = n.attrs.missing_value;
  if (typeof mv === "number") out.push(mv);
  else if (Array.isArray(mv)) for (const x of mv) if (typeof x === "number") out.push(x);
  return out;
}

/** Rows read at once: whole chunks of level 0, a multiple of 2^levels so no block straddles two bands. */
function bandRows(chunkRows: number, levels: number): number {
  const a = 2 ** levels;
  return Math.ceil(Math.max(chunkRows, a) / a) * a;
}

interface Reduction {
  /** Level-0 array and the indices before its last two dimensions (time step, vertical level...). */
  source: ZarrArray;
  prefix: number[];
  rows: number;
  cols: number;
  /** Level-0 water mask of the grid (rows x cols), when the values are masked. */
  mask?: Uint8Array | undefined;
  missing: number[];
  /** "mean" of the valid cells, or "any": 1 where a cell is water (masks). */
  op: "mean" | "any";
  /** Planes of levels 1..K, reused between calls. */
  planes: TypedArray[];
}

/** Fills `planes[k-1]` with level k of one 2-D slice, reading level 0 a band at a time. */
async function reduceSlice(r: Reduction, levels: number): Promise<void> {
  const yAxis = r.prefix.length;
  const band = bandRows(r.source.meta.chunks[yAxis] ?? r.rows, levels);
  for (let r0 = 0; r0 < r.rows; r0 += band) {
    const rows = Math.min(band, r.rows - r0);
    const values = numbers(await readRegion(r.source, [...r.prefix, r0, 0], [...r.prefix.map(() => 1), rows, r.cols]));
    const mask = r.mask?.subarray(r0 * r.cols, (r0 + rows) * r.cols);
    // A mask level counts the water cells of each block; a value level the valid water values.
    const water = r.op === "any" ? waterMask(values) : undefined;
    bandLevels(water ?? values, rows, r.cols, levels, water !== undefined ? { mask: water } : { mask, missing: r.missing }, (k, b) => {
      const plane = r.planes[k - 1] as TypedArray;
      const offset = (r0 >> k) * b.cols;
      if (r.op === "any") anyInto(b, plane as unknown as { [i: number]: number }, offset);
      else meansInto(b, plane as Float32Array | Float64Array, offset);
    });
  }
}

async function writePlanes(u: OverviewUpdate, group: string, name: string, prefix: number[], planes: TypedArray[]): Promise<void> {
  for (let k = 1; k <= planes.length; k++) {
    const a = handle(u, levelPath(group, k, name));
    const shape = a.meta.shape;
    const n = shape.length;
    await writeRegion(a, [...prefix, 0, 0], [...prefix.map(() => 1), shape[n - 2] ?? 1, shape[n - 1] ?? 1], planes[k - 1] as TypedArray);
  }
}

function planesFor(u: OverviewUpdate, group: string, name: string, levels: number): TypedArray[] {
  return Array.from({ length: levels }, (_, i) => {
    const meta = handle(u, levelPath(group, i + 1, name)).meta;
    const n = meta.shape.length;
    return allocate(meta.dtype === "|S1" ? "|u1" : meta.dtype, (meta.shape[n - 2] ?? 1) * (meta.shape[n - 1] ?? 1));
  });
}

/** Every index combination of the dimensions before the last two (a box walk in C order). */
function* prefixes(shape: readonly number[]): Generator<number[]> {
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

async function waterOf(u: OverviewUpdate, group: string, grid: StructuredGrid): Promise<Uint8Array | undefined> {
  if (grid.mask === undefined) return undefined;
  const a = handle(u, arrayPath(group, grid.mask));
  const [rows, cols] = [a.meta.shape[0] ?? 0, a.meta.shape[1] ?? 0];
  const out = new Uint8Array(rows * cols);
  const band = Math.max(1, a.meta.chunks[0] ?? rows);
  for (let r0 = 0; r0 < rows; r0 += band) {
    const n = Math.min(band, rows - r0);
    waterMask(numbers(await readRegion(a, [r0, 0], [n, cols])), out.subarray(r0 * cols, (r0 + n) * cols));
  }
  return out;
}

async function writeGroup(u: OverviewUpdate, plan: GridPlan, group: string, stale: number[], fresh: boolean, progress: { done: number; total: number }): Promise<void> {
  const t = u.template;
  const K = plan.levels;
  const masks = new Map<StructuredGrid, Uint8Array | undefined>();
  const water = async (g: StructuredGrid): Promise<Uint8Array | undefined> => {
    if (!masks.has(g)) masks.set(g, await waterOf(u, group, g));
    return masks.get(g);
  };
  const reduce = async (name: string, prefix: number[], op: Reduction["op"], mask: Uint8Array | undefined, planes: TypedArray[]): Promise<void> => {
    const source = handle(u, arrayPath(group, name));
    const n = source.meta.shape.length;
    const node = u.hierarchy.arrays[source.path] as ArrayNode;
    await reduceSlice({ source, prefix, rows: n >= 2 ? (source.meta.shape[n - 2] ?? 1) : 1, cols: source.meta.shape[n - 1] ?? 1, mask, missing: missingOf(node), op, planes }, K);
    await writePlanes(u, group, name, prefix, planes);
  };

  if (fresh) {
    // Arrays along no time dimension never change (every file must match them): written once per level layout.
    for (const name of plan.copied) {
      const src = handle(u, arrayPath(group, name));
      const values = await readRegion(src);
      for (let k = 1; k <= K; k++) await writeRegion(handle(u, levelPath(group, k, name)), src.meta.shape.map(() => 0), src.meta.shape, values);
    }
    for (const c of plan.coords2d) await reduce(c.name, [], "mean", undefined, planesFor(u, group, c.name, K));
    for (const c of plan.coords1d) {
      // A 1-D coordinate is one row: its blocks are 2^k cells long.
      const source = handle(u, arrayPath(group, c.name));
      const planes = planesFor(u, group, c.name, K);
      const values = numbers(await readRegion(source));
      bandLevels(values, 1, values.length, K, { missing: missingOf(u.hierarchy.arrays[source.path] as ArrayNode) }, (k, b) => meansInto(b, planes[k - 1] as Float32Array | Float64Array));
      for (let k = 1; k <= K; k++) await writeRegion(handle(u, levelPath(group, k, c.name)), [0], [planes[k - 1]?.length ?? 0], planes[k - 1] as TypedArray);
    }
    for (const m of plan.masks) await reduce(m.name, [], "any", undefined, planesFor(u, group, m.name, K));
    for (const d of plan.data) if (!isTimed(t, d.name)) await reduce(d.name, [], "mean", await water(d.grid), planesFor(u, group, d.name, K));
  }
  if (stale.length === 0) return;

  // The time coordinate, from the first recomputed step on (its chunks hold many steps).
  const time = u.hierarchy.arrays[arrayPath(group, t.concatDim)];
  const lo = Math.min(...stale);
  if (time !== undefined) {
    const len = time.meta.shape[0] ?? 0;
    const values = await readRegion(handle(u, arrayPath(group, t.concatDim)), [lo], [len - lo]);
    for (let k = 1; k <= K; k++) await writeRegion(handle(u, levelPath(group, k, t.concatDim)), [lo], [len - lo], values);
  }
  for (const d of plan.data) {
    if (!isTimed(t, d.name)) continue;
    const mask = await water(d.grid);
    const planes = planesFor(u, group, d.name, K);
    const shape = handle(u, arrayPath(group, d.name)).meta.shape;
    for (const step of stale) {
      for (const inner of prefixes([...shape.slice(1)])) await reduce(d.name, [step, ...inner], "mean", mask, planes);
      progress.done += 1;
      u.onProgress?.({ done: progress.done, total: progress.total });
    }
  }
}

export type { Plan };
