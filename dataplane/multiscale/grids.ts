// Which dimensions of a dataset are horizontal, found from its coordinates: a regular grid (1-D
// longitude and latitude on two dimensions), a curvilinear grid (2-D longitude and latitude on
// the same two dimensions: ROMS rho/u/v/psi, RTOFS), or an unstructured mesh (FVCOM: a triangle
// table `nv(three, nele)` over nodes carrying 1-D longitude and latitude). Pure: reads only the
// template, so the ingest can decide chunking and overviews before any value is read.
import type { DatasetTemplate, TemplateVariable } from "../aggregate/template.js";
import { isTimeDependent } from "../aggregate/template.js";

export interface StructuredGrid {
  kind: "regular" | "curvilinear";
  /** [y, x]: the last two dimensions of every variable on this grid. */
  dims: [string, string];
  /** Coordinate variables: regular, [lat(y), lon(x)]; curvilinear, [lon(y,x), lat(y,x)]. */
  coords: string[];
  /** The longitude among them (averaged across the 360 degree wrap: longitude.ts). */
  lon: string;
  /** Land mask on [y, x] (1 water, 0 land), when the grid has one (ROMS `mask_rho`, `mask_u`, ...). */
  mask?: string;
}

export interface MeshGrid {
  kind: "mesh";
  node: string;
  nele: string;
  /** Triangle table (three, nele), FVCOM's 1-based node numbers. */
  nv: string;
  lon: string;
  lat: string;
}

export interface Grids {
  structured: StructuredGrid[];
  mesh?: MeshGrid;
}

const LON_UNITS = /^degrees?_?e(ast)?$/i;
const LAT_UNITS = /^degrees?_?n(orth)?$/i;

function axisOf(v: TemplateVariable): "lon" | "lat" | undefined {
  const standard = typeof v.attrs.standard_name === "string" ? v.attrs.standard_name : "";
  const units = typeof v.attrs.units === "string" ? v.attrs.units.trim() : "";
  if (standard === "longitude" || standard === "grid_longitude" || LON_UNITS.test(units)) return "lon";
  if (standard === "latitude" || standard === "grid_latitude" || LAT_UNITS.test(units)) return "lat";
  return undefined;
}

/** The horizontal grids of a template. Variables along the aggregation dimension are never coordinates here. */
export function gridsOf(t: DatasetTemplate): Grids {
  const statics = t.variables.filter((v) => !isTimeDependent(v, t.concatDim));
  const lons = statics.filter((v) => axisOf(v) === "lon");
  const lats = statics.filter((v) => axisOf(v) === "lat");
  const structured: StructuredGrid[] = [];
  const seen = new Set<string>();
  for (const lon of lons) {
    if (lon.dims.length === 2) {
      const lat = lats.find((l) => l.dims.join(",") === lon.dims.join(","));
      const key = lon.dims.join(",");
      if (lat === undefined || seen.has(key)) continue;
      seen.add(key);
      const dims = lon.dims as [string, string];
      structured.push({ kind: "curvilinear", dims, coords: [lon.name, lat.name], lon: lon.name, ...maskOf(statics, dims) });
    } else if (lon.dims.length === 1) {
      const x = lon.dims[0] as string;
      const lat = lats.find((l) => l.dims.length === 1 && l.dims[0] !== x && l.name === l.dims[0]) ?? lats.find((l) => l.dims.length === 1 && l.dims[0] !== x);
      if (lat === undefined) continue;
      const dims: [string, string] = [lat.dims[0] as string, x];
      const key = dims.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      structured.push({ kind: "regular", dims, coords: [lat.name, lon.name], lon: lon.name, ...maskOf(statics, dims) });
    }
  }
  return { structured, ...meshOf(t, statics, lons, lats) };
}

/** A static variable on exactly the grid's dimensions named `mask...` (ROMS mask_rho on eta_rho/xi_rho). */
function maskOf(statics: TemplateVariable[], dims: [string, string]): { mask?: string } {
  const onGrid = statics.filter((v) => v.dims.length === 2 && v.dims[0] === dims[0] && v.dims[1] === dims[1] && /^mask/i.test(v.name));
  const suffix = dims[0].replace(/^eta_?/, "");
  const mask = onGrid.find((v) => v.name === `mask_${suffix}`) ?? onGrid[0];
  return mask === undefined ? {} : { mask: mask.name };
}

function meshOf(t: DatasetTemplate, statics: TemplateVariable[], lons: TemplateVariable[], lats: TemplateVariable[]): { mesh?: MeshGrid } {
  const nv = statics.find((v) => v.dims.length === 2 && t.dims[v.dims[0] as string] === 3 && /^[<|][iu]/.test(v.dtype) && (v.name === "nv" || v.attrs.cf_role === "face_node_connectivity"));
  if (nv === undefined) return {};
  const nele = nv.dims[1] as string;
  for (const lon of lons) {
    if (lon.dims.length !== 1) continue;
    const node = lon.dims[0] as string;
    if (node === nele) continue;
    const lat = lats.find((l) => l.dims.length === 1 && l.dims[0] === node);
    if (lat !== undefined) return { mesh: { kind: "mesh", node, nele, nv: nv.name, lon: lon.name, lat: lat.name } };
  }
  return {};
}

/** True when `v` has the grid's dimensions as its last two. */
export function onGrid(v: { dims: string[] }, g: StructuredGrid): boolean {
  const n = v.dims.length;
  return n >= 2 && v.dims[n - 2] === g.dims[0] && v.dims[n - 1] === g.dims[1];
}

/** Default horizontal chunk of new stores (issue21.md): a whole 4500x3298 float32 step in one chunk is 59 MB. */
export const SPATIAL_CHUNK = 512;

/**
 * Chunk lengths for the horizontal dimensions of structured grids longer than `spatialChunk`
 * that `chunking` does not set. Mesh dimensions stay whole: a mesh is drawn whole (its coarser
 * levels are simplified meshes), and 512-node chunks of a 300,000-node mesh would be 600 objects a step.
 */
export function defaultSpatialChunking(t: DatasetTemplate, chunking: Record<string, number>, spatialChunk: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of gridsOf(t).structured)
    for (const d of g.dims) if (chunking[d] === undefined && (t.dims[d] ?? 0) > spatialChunk) out[d] = spatialChunk;
  return out;
}
