// Overview levels of regular and curvilinear grids: mask-aware block means (block-mean.ts) of
// every slice of the steps a commit publishes, read a band of rows at a time (writer.ts).
import { arrayPath } from "../aggregate/tasks.js";
import { allocate } from "../dtype.js";
import type { AttrValue, Dtype, TypedArray } from "../types.js";
import { readRegion, writeRegion, type ZarrArray } from "../zarr/chunks.js";
import type { ArrayMetaV2, ArrayNode } from "../zarr/metadata.js";
import { multiscalesLayout, withMultiscales, withoutMultiscales } from "./attributes.js";
import { anyInto, bandLevels, levelSize, meansInto, waterMask, type Blocks } from "./block-mean.js";
import type { StructuredGrid } from "./grids.js";
import { intoRange, lonBandLevels, lonMeansInto } from "./longitude.js";
import { CATCH_UP_STEPS, addCommonNodes, copyStatics, copyTime, dimsOf, handle, isTimed, levelPath, missingOf, numbers, planSteps, prefixes, timeShape, type OverviewRecord, type OverviewUpdate, type StepPlan } from "./level-io.js";
import { levelShape, type GridPlan } from "./plan.js";

export async function updateGridOverviews(u: OverviewUpdate, plan: GridPlan): Promise<Record<string, OverviewRecord>> {
  const records: Record<string, OverviewRecord> = {};
  const work: Array<{ group: string; steps: StepPlan; fresh: boolean }> = [];
  for (const [group, steps] of Object.entries(u.groups)) {
    const record = u.before.overviews?.[group];
    const fresh = record === undefined || record.kind !== plan.kind || record.levels !== plan.levels;
    const planned = planSteps(steps, u.before.groups[group], fresh ? undefined : record, u.options?.catchUpSteps ?? CATCH_UP_STEPS);
    work.push({ group, steps: planned, fresh });
    addGridNodes(u, plan, group, planned);
    records[group] = { kind: "grid", levels: plan.levels, length: planned.length };
  }
  const total = work.reduce((n, w) => n + w.steps.stale.length * plan.data.filter((d) => isTimed(u.template, d.name)).length, 0);
  const progress = { done: 0, total };
  for (const w of work) await writeGroup(u, plan, w.group, w.steps, w.fresh, progress);
  return records;
}

function cellMethods(existing: AttrValue | string[] | undefined, dims: [string, string], k: number): string {
  const n = 2 ** k;
  const mine = `${dims[0]}: ${dims[1]}: mean (comment: ${n}x${n} blocks of the full-resolution grid; land, missing and non-finite cells excluded)`;
  return typeof existing === "string" && existing.trim() !== "" ? `${existing} ${mine}` : mine;
}

/** The nodes of levels 1..K of `group` and its `multiscales` attribute, added to the hierarchy. */
function addGridNodes(u: OverviewUpdate, plan: GridPlan, group: string, steps: StepPlan): void {
  const h = u.hierarchy;
  const t = u.template;
  const horizontal = new Set(plan.grids.flatMap((g) => g.dims));
  const node0 = (name: string): ArrayNode => {
    const n = h.arrays[arrayPath(group, name)];
    if (n === undefined) throw new Error(`internal: overviews of ${arrayPath(group, name)}: no such array`);
    return n;
  };
  const levelMeta = (n: ArrayNode, k: number, dtype: Dtype, fill: ArrayMetaV2["fill_value"]): ArrayMetaV2 => {
    const dims = dimsOf(n);
    const shape = timeShape(n, t.concatDim, steps.length).map((s, i) => (horizontal.has(dims[i] ?? "") ? levelSize(s, k) : s));
    // One step in time and one index of every other non-horizontal dimension: a level is read a
    // plane at a time, and written so.
    const chunks = shape.map((s, i) => (horizontal.has(dims[i] ?? "") ? Math.max(1, Math.min(n.meta.chunks[i] ?? s, s)) : 1));
    return { ...n.meta, shape, chunks, dtype, fill_value: fill };
  };
  addCommonNodes(h, t, group, plan.levels, steps.length, plan.copied, withoutMultiscales(h.groups[group] ?? {}));
  for (let k = 1; k <= plan.levels; k++) {
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
  // Named only once they cover every step: a reader never picks a level behind level 0.
  h.groups[group] = withMultiscales(h.groups[group] ?? {}, steps.complete ? multiscalesLayout(shapes, "mean") : undefined);
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
  /** "mean" of the valid cells, "lon": the mean of longitudes across the wrap, or "any": 1 where a cell is water (masks). */
  op: "mean" | "lon" | "any";
  /** Planes of levels 1..K, reused between calls. */
  planes: TypedArray[];
}

/** Fills `planes[k-1]` with level k of one 2-D slice, reading level 0 a band at a time. */
async function reduceSlice(r: Reduction, levels: number): Promise<void> {
  const yAxis = r.prefix.length;
  const band = bandRows(r.source.meta.chunks[yAxis] ?? r.rows, levels);
  const buffers: Blocks[] = [];
  let lo = Infinity;
  for (let r0 = 0; r0 < r.rows; r0 += band) {
    const rows = Math.min(band, r.rows - r0);
    const values = numbers(await readRegion(r.source, [...r.prefix, r0, 0], [...r.prefix.map(() => 1), rows, r.cols]));
    if (r.op === "lon") {
      for (let i = 0; i < values.length; i++) if ((values[i] as number) < lo) lo = values[i] as number;
      lonBandLevels(values, rows, r.cols, levels, (k, b) => lonMeansInto(b, r.planes[k - 1] as Float32Array | Float64Array, (r0 >> k) * b.cols));
      continue;
    }
    const mask = r.mask?.subarray(r0 * r.cols, (r0 + rows) * r.cols);
    // A mask level counts the water cells of each block; a value level the valid water values.
    const water = r.op === "any" ? waterMask(values) : undefined;
    bandLevels(water ?? values, rows, r.cols, levels, water !== undefined ? { mask: water } : { mask, missing: r.missing }, (k, b) => {
      const plane = r.planes[k - 1] as TypedArray;
      const offset = (r0 >> k) * b.cols;
      if (r.op === "any") anyInto(b, plane as unknown as { [i: number]: number }, offset);
      else meansInto(b, plane as Float32Array | Float64Array, offset);
    }, buffers);
  }
  if (r.op === "lon") for (const plane of r.planes) intoRange(plane as Float32Array | Float64Array, lo);
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

async function writeGroup(u: OverviewUpdate, plan: GridPlan, group: string, steps: StepPlan, fresh: boolean, progress: { done: number; total: number }): Promise<void> {
  const { stale } = steps;
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
    await copyStatics(u, group, K, plan.copied);
    for (const c of plan.coords2d) await reduce(c.name, [], c.name === c.grid.lon ? "lon" : "mean", undefined, planesFor(u, group, c.name, K));
    for (const c of plan.coords1d) {
      // A 1-D coordinate is one row: its blocks are 2^k cells long.
      const source = handle(u, arrayPath(group, c.name));
      const planes = planesFor(u, group, c.name, K);
      const values = numbers(await readRegion(source));
      const plane = (k: number): Float32Array | Float64Array => planes[k - 1] as Float32Array | Float64Array;
      if (c.lon) {
        lonBandLevels(values, 1, values.length, K, (k, b) => lonMeansInto(b, plane(k)));
        let lo = Infinity;
        for (let i = 0; i < values.length; i++) if ((values[i] as number) < lo) lo = values[i] as number;
        for (let k = 1; k <= K; k++) intoRange(plane(k), lo);
      } else bandLevels(values, 1, values.length, K, { missing: missingOf(u.hierarchy.arrays[source.path] as ArrayNode) }, (k, b) => meansInto(b, plane(k)));
      for (let k = 1; k <= K; k++) await writeRegion(handle(u, levelPath(group, k, c.name)), [0], [planes[k - 1]?.length ?? 0], planes[k - 1] as TypedArray);
    }
    for (const m of plan.masks) await reduce(m.name, [], "any", undefined, planesFor(u, group, m.name, K));
    for (const d of plan.data) if (!isTimed(t, d.name)) await reduce(d.name, [], "mean", await water(d.grid), planesFor(u, group, d.name, K));
  }
  if (stale.length === 0) return;

  await copyTime(u, group, K, Math.min(...stale), steps.length);
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

