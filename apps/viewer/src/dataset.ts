// What the viewer needs to know about a dataset: the data API's description (GET /datasets/{id}:
// grids and parameters) joined with the Zarr metadata (dimensions, time and vertical axes), and
// the drawable geometry of each grid, built once from the coordinate arrays.
import { decodeTime, parseTimeUnits } from "../../../dataplane/cftime.js";
// The data API's own rules for which arrays are longitudes and latitudes (pure; bundled as is).
import { isLat, isLon } from "../../data-api/model.js";
import { decodeTimeValues } from "./decode.js";
import { connectivity, curvilinearQuads, elementMesh, imageGrid, nodeMesh, rectilinearAxes, type Geometry } from "./mesh.js";
import { levelArray, type Box } from "./multiscale.js";
import type { Selection, ZarrDataset } from "./zarr.js";

export interface GridInfo {
  kind: "regular" | "curvilinear" | "unstructured";
  lon: string;
  lat: string;
  dims: string[];
  shape: number[];
  mask?: string;
}

export interface DatasetInfo {
  id: string;
  title: string;
  description?: string;
  grids: GridInfo[];
  parameters: string[];
  /** Zarr format of the store (2: `.zmetadata`, 3: root `zarr.json`); absent from older data APIs. */
  zarrFormat?: 2 | 3;
}

export interface Variable {
  name: string;
  label: string;
  units?: string;
  dims: string[];
  grid: GridInfo;
  timeDim: string;
  /** Epoch milliseconds per time step. */
  times: number[];
  zDim?: string;
  /** Vertical coordinate values, or level indices when the vertical dimension has no 1-D coordinate. */
  levels: number[];
  levelsAreIndices: boolean;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

const sinceUnits = (attrs: Record<string, unknown>) => typeof attrs["units"] === "string" && /\bsince\b/i.test(attrs["units"]);

/** The value of `key` in `cache`, made by `make` the first time. */
function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (p === undefined) {
    p = make();
    cache.set(key, p);
  }
  return p;
}

/** The variables of a dataset the viewer can draw: the data API's parameters, in the order given. */
export async function describeVariables(info: DatasetInfo, z: ZarrDataset): Promise<Variable[]> {
  const out: Variable[] = [];
  // Each axis read once: a CBOFS store has some twenty variables on one time axis.
  const timeAxes = new Map<string, Promise<number[]>>();
  const verticalAxes = new Map<string, Promise<number[]>>();
  for (const name of info.parameters) {
    if (!z.has(name)) continue;
    const dims = z.dims(name);
    const attrs = z.attrs(name);
    const grid = info.grids.find((g) => g.dims.every((d) => dims.includes(d)));
    if (grid === undefined) continue;
    const timeDim = dims.find((d) => z.has(d) && z.dims(d).length === 1 && z.dims(d)[0] === d && sinceUnits(z.attrs(d)));
    if (timeDim === undefined) continue;
    const zDim = dims.find((d) => d !== timeDim && !grid.dims.includes(d));
    const times = await once(timeAxes, timeDim, async () => {
      const ta = z.attrs(timeDim);
      const units = parseTimeUnits(ta["units"], ta["calendar"]);
      // Raw values decoded in float64: z.read() decodes to float32, which moves ROMS hours by seconds.
      const raw = await z.readRaw(timeDim, [null]);
      return Array.from(decodeTimeValues(raw.data, z.meta(timeDim), ta), (v) => decodeTime(v, units));
    });
    let levels: number[] = [];
    let levelsAreIndices = false;
    if (zDim !== undefined) {
      if (z.has(zDim) && z.dims(zDim).length === 1 && z.dims(zDim)[0] === zDim) levels = await once(verticalAxes, zDim, async () => Array.from((await z.read(zDim)).data));
      else {
        levels = Array.from({ length: z.meta(name).shape[dims.indexOf(zDim)] ?? 0 }, (_, i) => i);
        levelsAreIndices = true;
      }
    }
    out.push({
      name,
      label: text(attrs["long_name"]) ?? text(attrs["standard_name"]) ?? name,
      ...(text(attrs["units"]) !== undefined ? { units: text(attrs["units"]) as string } : {}),
      dims,
      grid,
      timeDim,
      times,
      ...(zDim !== undefined ? { zDim } : {}),
      levels,
      levelsAreIndices,
    });
  }
  return out;
}

/** Where a field or grid is read: an overview level's group ("" = the root) and a window of its rows and columns (all when absent). */
export interface Region {
  path: string;
  window?: Box;
  /**
   * The grid's 2-D lon/lat are known to be rectilinear (the coarsest level's were): read only the
   * window's first row of longitudes and first column of latitudes, a third of the bytes.
   */
  rectilinear?: boolean;
}

/** The selection of a window (rows along `dims[0]`, columns along `dims[1]`) for an array with dimensions `arrayDims`. */
function windowSelection(arrayDims: string[], gridDims: string[], window: Box | undefined, fixed: (d: string) => number | undefined = () => undefined): Selection {
  return arrayDims.map((d) => {
    const f = fixed(d);
    if (f !== undefined) return f;
    if (window === undefined) return null;
    if (d === gridDims[0]) return [window.j0, window.j1];
    if (d === gridDims[1]) return [window.i0, window.i1];
    return null;
  });
}

/** The selection of one horizontal field: a time step and level index, the region's window of the grid (the whole grid by default). */
export function fieldSelection(v: Variable, timeIndex: number, levelIndex: number, window?: Box): Selection {
  return windowSelection(v.dims, v.grid.dims, window, (d) => (d === v.timeDim ? timeIndex : d === v.zDim ? levelIndex : undefined));
}

const INTEGER = /^[<>|]?[iu][1248]$/;

/** FVCOM-style connectivity in a level's group: an integer (3, n) or (n, 3) array; `nv` when there are several. */
function findConnectivity(z: ZarrDataset, path: string): { name: string; elementDim: string } | undefined {
  const inLevel = (n: string) => (path === "" ? !n.includes("/") : n.startsWith(`${path}/`) && !n.slice(path.length + 1).includes("/"));
  const candidates = z.names().filter((n) => {
    const m = z.meta(n);
    return INTEGER.test(m.dtype) && m.shape.length === 2 && (m.shape[0] === 3 || m.shape[1] === 3) && inLevel(n);
  });
  const name = candidates.find((n) => n === levelArray(path, "nv")) ?? candidates[0];
  if (name === undefined) return undefined;
  const dims = z.dims(name);
  const m = z.meta(name);
  const elementDim = m.shape[0] === 3 ? dims[1] : dims[0];
  return elementDim === undefined ? undefined : { name, elementDim };
}

/**
 * Builds the geometry a grid is drawn with (see mesh.ts for how each kind is drawn), from the
 * coordinates of a region: an overview level's own lon/lat (and mask, and for meshes nv) and a
 * window of its rows and columns.
 */
export async function buildGeometry(grid: GridInfo, info: DatasetInfo, z: ZarrDataset, region: Region = { path: "" }): Promise<Geometry> {
  const at = (name: string) => levelArray(region.path, name);
  const readWindow = (name: string) => z.read(at(name), windowSelection(z.dims(at(name)), grid.dims, grid.kind === "unstructured" ? undefined : region.window));
  if (grid.kind === "curvilinear" && region.rectilinear === true) {
    const [ny = 0, nx = 0] = z.meta(at(grid.lon)).shape;
    const w = region.window ?? { j0: 0, j1: ny, i0: 0, i1: nx };
    const [y, x] = grid.dims;
    const [lonRow, latColumn, mask] = await Promise.all([
      z.read(at(grid.lon), windowSelection(z.dims(at(grid.lon)), grid.dims, w, (d) => (d === y ? w.j0 : undefined))),
      z.read(at(grid.lat), windowSelection(z.dims(at(grid.lat)), grid.dims, w, (d) => (d === x ? w.i0 : undefined))),
      grid.mask !== undefined && z.has(at(grid.mask)) ? readWindow(grid.mask) : Promise.resolve(undefined),
    ]);
    return imageGrid(lonRow.data, latColumn.data, mask?.data);
  }
  const [lon, lat, mask] = await Promise.all([readWindow(grid.lon), readWindow(grid.lat), grid.mask !== undefined && z.has(at(grid.mask)) ? readWindow(grid.mask) : Promise.resolve(undefined)]);
  if (grid.kind === "regular") return imageGrid(lon.data, lat.data, mask?.data);
  if (grid.kind === "curvilinear") {
    const [ny = 0, nx = 0] = lon.shape;
    const axes = rectilinearAxes(lon.data, lat.data, ny, nx);
    if (axes !== undefined) return imageGrid(axes.lon, axes.lat, mask?.data);
    return curvilinearQuads(lon.data, lat.data, ny, nx, mask?.data);
  }
  const conn = findConnectivity(z, region.path);
  if (conn === undefined) throw new Error(`dataset ${info.id}: unstructured grid ${at(grid.lon)}/${at(grid.lat)} has no connectivity array (like FVCOM nv) to draw triangles from`);
  const nvMeta = z.meta(conn.name);
  const nv = await z.readRaw(conn.name, [null, null]);
  const gridDim = grid.dims[0] ?? "";
  if (gridDim !== conn.elementDim) return nodeMesh(lon.data, lat.data, connectivity(Array.from(nv.data, Number), nvMeta.shape, lon.data.length));
  // Values on elements: the triangles' corners are the nodes, found as the lon/lat pair on another dimension.
  const nodeDimOf = (n: string) => (z.dims(n).length === 1 ? z.dims(n)[0] : undefined);
  const local = (n: string) => (region.path === "" ? n : n.slice(region.path.length + 1));
  const inLevel = z.names().filter((n) => (region.path === "" ? !n.includes("/") : n.startsWith(`${region.path}/`) && !local(n).includes("/")));
  const nodeLon = inLevel.find((n) => nodeDimOf(n) !== undefined && nodeDimOf(n) !== conn.elementDim && nodeDimOf(n) !== local(n) && isLon(local(n), z.attrs(n)));
  const nodeLat = inLevel.find((n) => nodeLon !== undefined && nodeDimOf(n) === nodeDimOf(nodeLon) && isLat(local(n), z.attrs(n)));
  if (nodeLon === undefined || nodeLat === undefined) throw new Error(`dataset ${info.id}: values on ${conn.elementDim} need node longitudes/latitudes, none found`);
  const [nlon, nlat] = await Promise.all([z.read(nodeLon), z.read(nodeLat)]);
  return elementMesh(nlon.data, nlat.data, connectivity(Array.from(nv.data, Number), nvMeta.shape, nlon.data.length));
}
