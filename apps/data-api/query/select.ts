// Which cells, times and levels a query touches (pure, over an opened dataset's in-memory axes).
import { DataApiError, invalidParameter, tooLarge } from "../errors.js";
import { inBBox, inPolygon, polygonBBox, wrapLon, type BBox, type Polygon, type Position } from "../geometry.js";
import type { GridData, OpenedDataset } from "../dataset.js";
import type { TimeFilter, ZFilter } from "./params.js";

export type Where = { kind: "points"; points: Position[] } | { kind: "polygon"; polygon: Polygon } | { kind: "bbox"; bbox: BBox };

/** Cell index of a regular grid's 1-D axis nearest to v (longitudes compared around the circle). */
function nearestOnAxis(axis: Float64Array, v: number, circular: boolean): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < axis.length; i++) {
    const a = axis[i] ?? NaN;
    const d = circular ? Math.abs(wrapLon(a - v)) : Math.abs(a - v);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export function cellLonLat(grid: GridData, cell: number): Position {
  if (grid.model.kind === "regular") {
    const nx = grid.model.shape[1] ?? 1;
    return [grid.lon[cell % nx] ?? NaN, grid.lat[Math.floor(cell / nx)] ?? NaN];
  }
  return [grid.lon[cell] ?? NaN, grid.lat[cell] ?? NaN];
}

/** The nearest wet cell to each point, in the order given, without repeats. */
function nearestCells(grid: GridData, points: Position[]): number[] {
  const cells: number[] = [];
  for (const [x, y] of points) {
    let cell: number | undefined;
    if (grid.model.kind === "regular") {
      const j = nearestOnAxis(grid.lat, y, false);
      const i = nearestOnAxis(grid.lon, x, true);
      if (j >= 0 && i >= 0) cell = j * (grid.model.shape[1] ?? 1) + i;
      if (cell !== undefined && grid.wet[cell] === 0) cell = undefined;
    } else cell = grid.index().nearest(x, y)?.index;
    if (cell !== undefined && !cells.includes(cell)) cells.push(cell);
  }
  return cells;
}

function cellsInside(grid: GridData, test: (lon: number, lat: number) => boolean, maxCells: number): number[] {
  const cells: number[] = [];
  for (let c = 0; c < grid.cells; c++) {
    if (grid.wet[c] === 0) continue;
    const [x, y] = cellLonLat(grid, c);
    if (test(x, y)) {
      cells.push(c);
      if (cells.length > maxCells) throw tooLarge(`the area holds more than ${maxCells} grid cells`, maxCells, "cells");
    }
  }
  return cells;
}

export function selectCells(grid: GridData, where: Where, maxCells: number): number[] {
  if (where.kind === "points") return nearestCells(grid, where.points);
  if (where.kind === "bbox") return cellsInside(grid, (x, y) => inBBox(x, y, where.bbox), maxCells);
  const box = polygonBBox(where.polygon);
  return cellsInside(grid, (x, y) => inPolygon(x, y, where.polygon, box), maxCells);
}

/** Time step indices: an instant picks the exact step, else the nearest; an interval all steps in it. */
export function selectTimes(times: number[], filter: TimeFilter | undefined): number[] {
  if (filter === undefined) return times.map((_, i) => i);
  if (filter.kind === "interval") return times.flatMap((t, i) => (t >= filter.start && t <= filter.end ? [i] : []));
  if (times.length === 0) return [];
  let best = 0;
  for (let i = 1; i < times.length; i++) if (Math.abs((times[i] ?? 0) - filter.at) < Math.abs((times[best] ?? 0) - filter.at)) best = i;
  return [best];
}

/** Level indices: listed levels pick the nearest level each; an interval all levels in it. */
export function selectLevels(values: number[], filter: ZFilter | undefined): number[] {
  if (filter === undefined) return values.map((_, i) => i);
  if (filter.kind === "interval") return values.flatMap((v, i) => (v >= filter.min && v <= filter.max ? [i] : []));
  const picked: number[] = [];
  for (const z of filter.values) {
    let best = -1;
    for (let i = 0; i < values.length; i++) if (best < 0 || Math.abs((values[i] ?? 0) - z) < Math.abs((values[best] ?? 0) - z)) best = i;
    if (best >= 0 && !picked.includes(best)) picked.push(best);
  }
  return picked.sort((a, b) => a - b);
}

export function noData(what: string): DataApiError {
  return new DataApiError(404, "NoMatch", what);
}

export function checkTimesFound(indices: number[], datetimeGiven: boolean, collection: string): void {
  if (indices.length === 0) {
    if (datetimeGiven) throw noData(`datetime: no time step of collection ${collection} falls in the requested interval`);
    throw noData(`collection ${collection} has no time steps`);
  }
}

export function checkZ(filter: ZFilter | undefined, hasVertical: boolean): void {
  if (filter !== undefined && !hasVertical) throw invalidParameter("z", "none of the requested parameters has a vertical axis");
}
