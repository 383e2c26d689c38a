// Overview levels and the two choices the viewer makes with them (pure; unit-tested in node):
// - which level to draw: the coarsest whose cells still span at most about one screen pixel at the
//   current zoom (or level 0 when even its cells are larger), so a whole-domain view of a
//   4500 x 3298 field reads a 1125 x 825 overview, not the full resolution;
// - which part of it: the chunk-aligned window of rows and columns that covers what the canvas
//   shows, so a zoomed-in view reads only the chunks it needs.
// The levels come only from the root group's Zarr `multiscales` attribute (the convention's
// v0.1.0 layout, with `dmac:shape` per level as issue #21 fixes it for our stores): each entry is a
// group ("." the root itself, "overviews/1", ...) derived from another by a block of `scale` cells.
import type { BBox } from "./mesh.js";
import type { View } from "./view.js";

export interface Level {
  /** Group of the level in the store: "" for the root (asset "."), else e.g. "overviews/1". */
  path: string;
  /** Size of each horizontal dimension at this level (`dmac:shape`). */
  shape: Record<string, number>;
  /** Level-0 cells per cell of this level along [y, x]: the scales multiplied along `derived_from`. */
  factor: [number, number];
  /** "mean" (block means of a regular or curvilinear grid) or "vertex-cluster" (a simplified mesh). */
  method: string;
}

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * The levels of the root attributes' `multiscales` layout, finest first; [] when the store has
 * none (it is drawn from its root alone). Throws naming the entry and field when the layout is
 * malformed.
 */
export function parseMultiscales(rootAttrs: Record<string, unknown>): Level[] {
  const ms = rootAttrs["multiscales"];
  if (ms === undefined) return [];
  const layout = record(ms)?.["layout"];
  if (!Array.isArray(layout)) throw new Error("multiscales.layout: expected an array of levels");
  const defaultMethod = typeof record(ms)?.["resampling_method"] === "string" ? String(record(ms)?.["resampling_method"]) : "mean";
  const entries = layout.map((raw, n) => {
    const e = record(raw);
    const where = `multiscales.layout[${n}]`;
    if (e === undefined) throw new Error(`${where}: expected an object`);
    const asset = e["asset"];
    if (typeof asset !== "string" || asset === "" || asset.startsWith("/") || asset.split("/").some((s) => s === ".." || (s === "." && asset !== "."))) throw new Error(`${where}.asset: expected "." or a relative group path, got ${JSON.stringify(asset)}`);
    const scale = record(e["transform"])?.["scale"] ?? [1, 1];
    if (!Array.isArray(scale) || scale.length < 1 || !scale.every((x) => typeof x === "number" && x >= 1)) throw new Error(`${where}.transform.scale: expected numbers of at least 1, got ${JSON.stringify(scale)}`);
    const shape = record(e["dmac:shape"]) ?? {};
    for (const [dim, n2] of Object.entries(shape)) if (!Number.isInteger(n2) || (n2 as number) < 1) throw new Error(`${where}.dmac:shape.${dim}: expected a positive integer, got ${JSON.stringify(n2)}`);
    const from = e["derived_from"];
    if (from !== undefined && typeof from !== "string") throw new Error(`${where}.derived_from: expected an asset name`);
    const s = scale as number[];
    return {
      asset,
      from,
      scale: [s[0] ?? 1, s[1] ?? s[0] ?? 1] as [number, number],
      shape: shape as Record<string, number>,
      method: typeof e["resampling_method"] === "string" ? e["resampling_method"] : defaultMethod,
    };
  });
  const byAsset = new Map(entries.map((e) => [e.asset, e]));
  const factorOf = (asset: string, seen: Set<string>): [number, number] => {
    const e = byAsset.get(asset);
    if (e === undefined) throw new Error(`multiscales.layout: derived_from names ${JSON.stringify(asset)}, which is no level`);
    if (seen.has(asset)) throw new Error(`multiscales.layout: derived_from loops through ${JSON.stringify(asset)}`);
    seen.add(asset);
    if (e.from === undefined) return e.scale;
    const [fy, fx] = factorOf(e.from, seen);
    return [fy * e.scale[0], fx * e.scale[1]];
  };
  const levels = entries.map((e) => ({ path: e.asset === "." ? "" : e.asset.replace(/\/+$/, ""), shape: e.shape, factor: factorOf(e.asset, new Set()), method: e.method }));
  if (!levels.some((l) => l.path === "")) levels.unshift({ path: "", shape: {}, factor: [1, 1], method: "mean" });
  return levels.sort((a, b) => a.factor[0] * a.factor[1] - b.factor[0] * b.factor[1]);
}

/** One level as a variable sees it: where its arrays are, its size and chunks along the grid's axes. */
export interface GridLevel {
  path: string;
  factor: [number, number];
  /** [ny, nx] of a regular or curvilinear grid, [n] of a mesh's nodes or elements. */
  size: number[];
  /** Chunk sizes along the same axes. */
  chunks: number[];
}

/** The array `name` of a level (`path` "" is the root). */
export const levelArray = (path: string, name: string): string => (path === "" ? name : `${path}/${name}`);

/** What the level choice needs of a Zarr store: which arrays exist, and their dims and shapes. */
export interface ArrayCatalog {
  has(name: string): boolean;
  dims(name: string): string[];
  meta(name: string): { shape: number[]; chunks: number[] };
}

/**
 * The levels a variable can be drawn from, finest first: level 0 always, and each overview whose
 * `dmac:shape` names the grid's dimensions and that holds the variable and the grid's coordinates.
 */
export function variableLevels(levels: Level[], z: ArrayCatalog, variable: string, gridDims: string[], coords: string[]): GridLevel[] {
  const out: GridLevel[] = [];
  const all = levels.some((l) => l.path === "") ? levels : [{ path: "", shape: {}, factor: [1, 1] as [number, number], method: "mean" }, ...levels];
  for (const l of all) {
    if (l.path !== "" && !gridDims.every((d) => d in l.shape)) continue;
    const name = levelArray(l.path, variable);
    if (!z.has(name) || !coords.every((c) => z.has(levelArray(l.path, c)))) continue;
    const dims = z.dims(name);
    const meta = z.meta(name);
    const axes = gridDims.map((d) => dims.indexOf(d));
    if (axes.some((a) => a < 0)) continue;
    out.push({ path: l.path, factor: l.factor, size: axes.map((a) => meta.shape[a] ?? 1), chunks: axes.map((a) => meta.chunks[a] ?? meta.shape[a] ?? 1) });
  }
  return out;
}

/** Screen pixels spanned by a lon/lat box at the view's zoom: [along x, along y]. */
export function spanPixels(bbox: BBox, view: View): [number, number] {
  return [(bbox[2] - bbox[0]) * view.scale * view.kx, (bbox[3] - bbox[1]) * view.scale];
}

/**
 * Screen pixels per cell of a level of `size` cells spanning `span` pixels: the larger of the two
 * axes for a grid; for a mesh (one size, its nodes) the side of the mean node's square.
 */
export function cellPixels(size: number[], span: [number, number]): number {
  if (size.length === 1) return Math.sqrt((span[0] * span[1]) / Math.max(1, size[0] ?? 1));
  return Math.max(span[0] / Math.max(1, size[1] ?? 1), span[1] / Math.max(1, size[0] ?? 1));
}

/**
 * Index (finest first) of the coarsest level whose cells span at most `maxPixels` screen pixels;
 * 0 (the finest) when none does.
 */
export function chooseLevel(sizes: number[][], span: [number, number], maxPixels = 1): number {
  let chosen = 0;
  for (let k = 0; k < sizes.length; k++) if (cellPixels(sizes[k] ?? [], span) <= maxPixels) chosen = k;
  return chosen;
}

/** A block of rows [j0, j1) and columns [i0, i1) of a grid. */
export interface Box {
  j0: number;
  j1: number;
  i0: number;
  i1: number;
}

export const boxKey = (b: Box): string => `${b.j0}:${b.j1},${b.i0}:${b.i1}`;
export const boxCells = (b: Box): number => Math.max(0, b.j1 - b.j0) * Math.max(0, b.i1 - b.i0);

/** The lon/lat rectangle the canvas shows. */
export function viewRect(view: View): BBox {
  const hx = view.width / 2 / (view.scale * view.kx);
  const hy = view.height / 2 / view.scale;
  return [view.lon - hx, view.lat - hy, view.lon + hx, view.lat + hy];
}

/** The range of cells whose [edges[k], edges[k + 1]] meets [lo, hi]; edges may run either way. */
function edgeRange(edges: ArrayLike<number>, lo: number, hi: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let k = 0; k + 1 < edges.length; k++) {
    const a = edges[k] ?? NaN;
    const b = edges[k + 1] ?? NaN;
    if (Math.max(a, b) >= lo && Math.min(a, b) <= hi) {
      if (first < 0) first = k;
      last = k;
    }
  }
  return first < 0 ? undefined : [first, last + 1];
}

/** The cells of an image grid (cell edges along x and y) that a lon/lat rectangle meets. */
export function visibleBoxOfEdges(lonEdges: ArrayLike<number>, latEdges: ArrayLike<number>, rect: BBox): Box | undefined {
  const x = edgeRange(lonEdges, rect[0], rect[2]);
  const y = edgeRange(latEdges, rect[1], rect[3]);
  return x === undefined || y === undefined ? undefined : { j0: y[0], j1: y[1], i0: x[0], i1: x[1] };
}

/**
 * How far a curvilinear grid's cells reach from their centres: twice the 95th percentile of the
 * steps between neighbouring centres (in degrees, the larger of the two axes). A percentile, not
 * the largest step, so one odd column (a seam) does not widen every view's window to the grid.
 */
export function cellReach(lon: ArrayLike<number>, lat: ArrayLike<number>, ny: number, nx: number): number {
  const steps: number[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const c = j * nx + i;
      const x = lon[c] ?? NaN;
      const y = lat[c] ?? NaN;
      for (const n of [i + 1 < nx ? c + 1 : -1, j + 1 < ny ? c + nx : -1]) {
        if (n < 0) continue;
        const s = Math.max(Math.abs((lon[n] ?? NaN) - x), Math.abs((lat[n] ?? NaN) - y));
        if (Number.isFinite(s)) steps.push(s);
      }
    }
  if (steps.length === 0) return 0;
  const sorted = Float64Array.from(steps).sort();
  return 2 * (sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0);
}

/**
 * The rows and columns of a curvilinear grid (cell centres, row-major ny x nx, longitudes in the
 * view's frame) whose cells a lon/lat rectangle meets: every centre inside the rectangle widened
 * by `reach` (cellReach: how far a cell extends from its centre).
 */
export function visibleBoxOfCentres(lon: ArrayLike<number>, lat: ArrayLike<number>, ny: number, nx: number, rect: BBox, reach = cellReach(lon, lat, ny, nx)): Box | undefined {
  const margin = reach;
  const [x0, y0, x1, y1] = [rect[0] - margin, rect[1] - margin, rect[2] + margin, rect[3] + margin];
  let box: Box | undefined;
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const x = lon[j * nx + i] ?? NaN;
      const y = lat[j * nx + i] ?? NaN;
      if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) continue;
      if (box === undefined) box = { j0: j, j1: j + 1, i0: i, i1: i + 1 };
      else {
        box.j0 = Math.min(box.j0, j);
        box.j1 = Math.max(box.j1, j + 1);
        box.i0 = Math.min(box.i0, i);
        box.i1 = Math.max(box.i1, i + 1);
      }
    }
  return box;
}

/**
 * A box of cells of a coarser level (`ratio` = its factor over the target level's, per axis) as
 * the target level's rows and columns, widened to whole blocks of `align` cells and clipped to the
 * level's size. With the chunk shape as `align` it is the chunks' own box.
 */
export function alignedWindow(box: Box, ratio: [number, number], size: number[], align: number[]): Box {
  const [ny = 1, nx = 1] = size;
  const [ay = ny, ax = nx] = align;
  const j0 = Math.floor((box.j0 * ratio[0]) / ay) * ay;
  const i0 = Math.floor((box.i0 * ratio[1]) / ax) * ax;
  const j1 = Math.min(ny, Math.ceil(Math.min(ny, box.j1 * ratio[0]) / ay) * ay);
  const i1 = Math.min(nx, Math.ceil(Math.min(nx, box.i1 * ratio[1]) / ax) * ax);
  return { j0: Math.min(j0, j1), j1, i0: Math.min(i0, i1), i1 };
}

/**
 * The window is drawn from: the cells under the view, one cell of the coarsest level more on each
 * side, widened to blocks of WINDOW_ALIGN cells. Not to whole chunks: the read touches the same
 * chunks either way, but a curvilinear window's triangles cost some 100 bytes a cell, and whole
 * 512-cell chunks around a view can hold four times the cells it shows.
 */
export const WINDOW_ALIGN = 64;

/** How many chunks of `chunks` a window touches (0 when it is empty). */
export function chunkCount(box: Box, chunks: number[]): number {
  if (boxCells(box) === 0) return 0;
  const [cy = 1, cx = 1] = chunks;
  return (Math.ceil(box.j1 / cy) - Math.floor(box.j0 / cy)) * (Math.ceil(box.i1 / cx) - Math.floor(box.i0 / cx));
}

/** What to read and draw for a view: a level, and for grids the window of it (meshes: the whole level). */
export interface Plan {
  level: number;
  path: string;
  window?: Box;
  /** Chunks of one horizontal field the plan reads. */
  chunks: number;
  key: string;
}

/**
 * The plan for a view. `index` is the level whose coordinates are at hand (the coarsest: its cells
 * are found under the view by `visible`), `bbox` the grid's lon/lat box.
 */
export function planView(levels: GridLevel[], index: number, bbox: BBox, view: View, visible: (rect: BBox) => Box | undefined, maxPixels = 1): Plan {
  const level = chooseLevel(
    levels.map((l) => l.size),
    spanPixels(bbox, view),
    maxPixels,
  );
  const l = levels[level];
  const at = levels[index];
  if (l === undefined || at === undefined) throw new Error(`planView: level ${level} or ${index} of ${levels.length}`);
  if (l.size.length !== 2) return { level, path: l.path, chunks: l.size.reduce((n, s, d) => n * Math.ceil(s / (l.chunks[d] ?? s)), 1), key: `${l.path}|all` };
  const box = visible(viewRect(view));
  const grown = box === undefined ? undefined : { j0: Math.max(0, box.j0 - 1), j1: box.j1 + 1, i0: Math.max(0, box.i0 - 1), i1: box.i1 + 1 };
  let window = grown === undefined ? { j0: 0, j1: 0, i0: 0, i1: 0 } : alignedWindow(grown, [at.factor[0] / l.factor[0], at.factor[1] / l.factor[1]], l.size, [WINDOW_ALIGN, WINDOW_ALIGN]);
  // A window touching every chunk reads what the whole level reads: draw the whole level (a
  // one-chunk grid is then drawn whole at every zoom, and a pan re-reads nothing).
  const whole = { j0: 0, j1: l.size[0] ?? 0, i0: 0, i1: l.size[1] ?? 0 };
  if (boxCells(window) > 0 && chunkCount(window, l.chunks) === chunkCount(whole, l.chunks)) window = whole;
  return { level, path: l.path, window, chunks: chunkCount(window, l.chunks), key: `${l.path}|${boxKey(window)}` };
}
