// What the overview levels of a dataset hold, from its template alone: how many levels, which
// variables are block-mean data (mask-aware), which are coordinates (mean of every cell), which
// are masks (water where any cell is), which are copied as they are. Pure.
import type { DatasetTemplate, TemplateVariable } from "../aggregate/template.js";
import { isAggregationCoordinate } from "../aggregate/tasks.js";
import { isTimeDependent } from "../aggregate/template.js";
import { levelCount, levelSize } from "./block-mean.js";
import { gridsOf, onGrid, type MeshGrid, type StructuredGrid } from "./grids.js";

/** Defaults of issue21.md: grids whose longest side exceeds 512 cells, meshes of more than 50,000 nodes. */
export const GRID_THRESHOLD = 512;
export const MESH_NODES = 50_000;

export interface OverviewOptions {
  gridThreshold?: number;
  meshNodes?: number;
  /** While levels catch up with steps committed before them, steps computed per commit at most (default 48). */
  catchUpSteps?: number;
}

export interface GridVariable {
  name: string;
  grid: StructuredGrid;
}

export interface GridPlan {
  kind: "grid";
  levels: number;
  grids: StructuredGrid[];
  /** Variables on a grid whose level values are the mean of their valid water cells. */
  data: GridVariable[];
  /** 2-D coordinates (curvilinear): the mean of every cell of the block. */
  coords2d: GridVariable[];
  /** 1-D coordinates (regular grids): along `dim`, the mean of every cell of the block (`lon`: across the 360 degree wrap). */
  coords1d: Array<{ name: string; dim: string; lon: boolean }>;
  /** Land masks: 1 where the block has a water cell. */
  masks: GridVariable[];
  /** Static variables without horizontal dimensions (s-levels, scalars): copied into each level. */
  copied: string[];
}

export interface MeshPlan {
  kind: "mesh";
  levels: number;
  mesh: MeshGrid;
  nodes: number;
  /** Node-centred variables (node last): averaged over each cluster of a level. */
  data: string[];
  copied: string[];
}

export type Plan = GridPlan | MeshPlan;

/** Levels of a mesh: until at most `meshNodes` nodes are left, one level per halving of the grid cell (estimated as quartering the nodes). */
export function meshLevelCount(nodes: number, meshNodes: number): number {
  if (!(nodes > meshNodes)) return 0;
  let k = 0;
  let n = nodes;
  while (n > meshNodes) {
    n = Math.ceil(n / 4);
    k++;
  }
  return k;
}

/** The plan, or undefined when the dataset gets no overviews (small grids, no recognised grid). */
export function overviewPlan(t: DatasetTemplate, options: OverviewOptions = {}): Plan | undefined {
  const grids = gridsOf(t);
  const statics = t.variables.filter((v) => !isTimeDependent(v, t.concatDim));
  if (grids.mesh !== undefined) {
    const m = grids.mesh;
    const nodes = t.dims[m.node] ?? 0;
    const levels = meshLevelCount(nodes, options.meshNodes ?? MESH_NODES);
    if (levels === 0) return undefined;
    const data = t.variables.filter((v) => v.dims[v.dims.length - 1] === m.node && v.name !== m.lon && v.name !== m.lat && !v.dims.includes(m.nele) && !isAggregationCoordinate(v, t.concatDim));
    const copied = statics.filter((v) => !v.dims.includes(m.node) && !v.dims.includes(m.nele)).map((v) => v.name);
    return { kind: "mesh", levels, mesh: m, nodes, data: data.map((v) => v.name), copied };
  }
  if (grids.structured.length === 0) return undefined;
  const sides = grids.structured.flatMap((g) => g.dims.map((d) => t.dims[d] ?? 0));
  const levels = levelCount(sides, options.gridThreshold ?? GRID_THRESHOLD);
  if (levels === 0) return undefined;
  const horizontal = new Set(grids.structured.flatMap((g) => g.dims));
  const coordNames = new Set(grids.structured.flatMap((g) => g.coords));
  const maskNames = new Set(grids.structured.flatMap((g) => (g.mask !== undefined ? [g.mask] : [])));
  const gridOf = (v: TemplateVariable): StructuredGrid | undefined => grids.structured.find((g) => onGrid(v, g));
  const data: GridVariable[] = [];
  for (const v of t.variables) {
    const grid = gridOf(v);
    if (grid === undefined || coordNames.has(v.name) || maskNames.has(v.name)) continue;
    // Horizontal dimensions anywhere but last would need another layout; those variables are left out.
    if (v.dims.slice(0, -2).some((d) => horizontal.has(d))) continue;
    data.push({ name: v.name, grid });
  }
  const coords2d: GridVariable[] = [];
  const coords1d: GridPlan["coords1d"] = [];
  const masks: GridVariable[] = [];
  for (const g of grids.structured) {
    if (g.kind === "curvilinear") for (const c of g.coords) coords2d.push({ name: c, grid: g });
    else
      for (const c of g.coords) {
        const v = statics.find((s) => s.name === c);
        if (v !== undefined && !coords1d.some((x) => x.name === c)) coords1d.push({ name: c, dim: v.dims[0] as string, lon: c === g.lon });
      }
    if (g.mask !== undefined) masks.push({ name: g.mask, grid: g });
  }
  const copied = statics.filter((v) => !v.dims.some((d) => horizontal.has(d))).map((v) => v.name);
  return { kind: "grid", levels, grids: grids.structured, data, coords2d, coords1d, masks, copied };
}

/** Each horizontal dimension's size at level k (`dmac:shape`). */
export function levelShape(t: DatasetTemplate, plan: Plan, k: number, meshSizes?: (k: number) => { nodes: number; elements: number }): Record<string, number> {
  if (plan.kind === "mesh") {
    const s = k === 0 ? { nodes: t.dims[plan.mesh.node] ?? 0, elements: t.dims[plan.mesh.nele] ?? 0 } : (meshSizes?.(k) ?? { nodes: 0, elements: 0 });
    return { [plan.mesh.node]: s.nodes, [plan.mesh.nele]: s.elements };
  }
  const shape: Record<string, number> = {};
  for (const g of plan.grids) for (const d of g.dims) shape[d] = levelSize(t.dims[d] ?? 0, k);
  return shape;
}
