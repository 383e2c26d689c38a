// What a Zarr hierarchy means as an EDR collection, worked out from its metadata alone (pure):
// which arrays are the horizontal grids (regular 1-D lon/lat, curvilinear 2-D lon/lat with an
// optional land mask, unstructured per-node lon/lat), which dimension is time, which is vertical,
// and which data variables are queryable parameters on which grid.
import type { ArrayMetaV2, Hierarchy } from "../../dataplane/index.js";

export type Attrs = Record<string, unknown>;
export type GridKind = "regular" | "curvilinear" | "unstructured";

export interface GridModel {
  id: string;
  kind: GridKind;
  /** Longitude and latitude arrays. */
  lon: string;
  lat: string;
  /** The grid's dimensions: [lat dim, lon dim] for regular, the coordinate arrays' dims otherwise. */
  dims: string[];
  /** Cells per dimension in `dims` order. */
  shape: number[];
  /** Array whose zero cells are land (ROMS mask_rho), if any. */
  mask?: string;
}

export interface ParameterModel {
  name: string;
  dims: string[];
  meta: ArrayMetaV2;
  attrs: Attrs;
  grid: string;
  timeDim: string;
  /** The one extra dimension (s_rho, siglay, depth), if any. */
  zDim?: string;
}

export interface DatasetModel {
  attrs: Attrs;
  arrays: Record<string, { meta: ArrayMetaV2; attrs: Attrs; dims: string[] }>;
  /**
   * The overview levels' arrays (issue #21: the root's Zarr `multiscales` layout names each level's
   * group as an asset, e.g. "overviews/1"), by group and array name: only the Zarr passthrough
   * serves them (to the viewer); queries always read level 0.
   */
  overviews: Record<string, Record<string, { meta: ArrayMetaV2 }>>;
  grids: GridModel[];
  parameters: ParameterModel[];
  /** Time dimensions in use, each with its coordinate array of the same name. */
  timeDims: string[];
  zDims: string[];
}

const LON_UNITS = /^degrees?_?e(ast)?$/i;
const LAT_UNITS = /^degrees?_?n(orth)?$/i;

function dimsOf(attrs: Attrs): string[] {
  const d = attrs["_ARRAY_DIMENSIONS"];
  return Array.isArray(d) && d.every((x) => typeof x === "string") ? (d as string[]) : [];
}

export function isLon(name: string, attrs: Attrs): boolean {
  return attrs["standard_name"] === "longitude" || (typeof attrs["units"] === "string" && LON_UNITS.test(attrs["units"])) || /^(lon|longitude)$/i.test(name);
}

export function isLat(name: string, attrs: Attrs): boolean {
  return attrs["standard_name"] === "latitude" || (typeof attrs["units"] === "string" && LAT_UNITS.test(attrs["units"])) || /^(lat|latitude)$/i.test(name);
}

function isTimeCoordinate(attrs: Attrs): boolean {
  return typeof attrs["units"] === "string" && /\bsince\b/i.test(attrs["units"]);
}

const sameDims = (a: string[], b: string[]) => a.length === b.length && a.every((d, i) => d === b[i]);

const GROUP_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The groups the root's `multiscales` layout names as levels (not "." itself); malformed entries are left out. */
export function overviewGroups(rootAttrs: Attrs): string[] {
  const layout = (rootAttrs["multiscales"] as { layout?: unknown } | undefined)?.layout;
  if (!Array.isArray(layout)) return [];
  const out: string[] = [];
  for (const entry of layout) {
    const asset = (entry as { asset?: unknown } | null)?.asset;
    if (typeof asset !== "string" || asset === "." || !asset.split("/").every((s) => GROUP_SEGMENT.test(s) && s !== "." && s !== "..")) continue;
    out.push(asset);
  }
  return out;
}

export function describeHierarchy(h: Hierarchy): DatasetModel {
  // Keyed by array names from the store: no prototype, so a name like "constructor" is only ever its own array.
  const arrays: DatasetModel["arrays"] = Object.create(null) as DatasetModel["arrays"];
  // Only the root group's arrays: a model-run store's nowcast/forecast groups are separate datasets.
  for (const [path, node] of Object.entries(h.arrays)) if (!path.includes("/")) arrays[path] = { meta: node.meta, attrs: node.attrs as Attrs, dims: dimsOf(node.attrs as Attrs) };
  const overviews: DatasetModel["overviews"] = Object.create(null) as DatasetModel["overviews"];
  for (const group of overviewGroups((h.groups[""] ?? {}) as Attrs)) {
    const level: Record<string, { meta: ArrayMetaV2 }> = Object.create(null) as Record<string, { meta: ArrayMetaV2 }>;
    for (const [path, node] of Object.entries(h.arrays)) {
      const name = path.startsWith(`${group}/`) ? path.slice(group.length + 1) : "";
      if (name !== "" && !name.includes("/")) level[name] = { meta: node.meta };
    }
    overviews[group] = level;
  }
  const grids = new Map<string, GridModel>();
  const parameters: ParameterModel[] = [];
  const timeDims = new Set<string>();
  const zDims = new Set<string>();
  const coordinateNames = new Set<string>();

  const gridFor = (varName: string, dims: string[], attrs: Attrs): GridModel | undefined => {
    const named = typeof attrs["coordinates"] === "string" ? attrs["coordinates"].split(/\s+/).filter((n) => arrays[n] !== undefined) : [];
    const pool = named.length > 0 ? named : Object.keys(arrays);
    const lons = pool.filter((n) => isLon(n, arrays[n]?.attrs ?? {}));
    const lats = pool.filter((n) => isLat(n, arrays[n]?.attrs ?? {}));
    // Curvilinear / unstructured: lon and lat share their dims, which the variable has.
    for (const lon of lons)
      for (const lat of lats) {
        const ld = arrays[lon]?.dims ?? [];
        if (ld.length === 0 || ld.length > 2 || !sameDims(ld, arrays[lat]?.dims ?? []) || !ld.every((d) => dims.includes(d))) continue;
        if (ld.length === 1 && arrays[ld[0] ?? ""] !== undefined && (ld[0] === lon || ld[0] === lat)) continue;
        const kind: GridKind = ld.length === 2 ? "curvilinear" : "unstructured";
        const suffix = /_(\w+)$/.exec(lon)?.[1];
        const masks = Object.keys(arrays).filter((n) => /^mask/i.test(n) && sameDims(arrays[n]?.dims ?? [], ld));
        const mask = masks.find((m) => suffix !== undefined && m === `mask_${suffix}`) ?? masks[0];
        const id = `${lon},${lat}`;
        return { id, kind, lon, lat, dims: ld, shape: arrays[lon]?.meta.shape ?? [], ...(mask !== undefined ? { mask } : {}) };
      }
    // Regular: 1-D dimension coordinates, one lon-like and one lat-like, both dims of the variable.
    const dimLon = dims.find((d) => arrays[d] !== undefined && sameDims(arrays[d]?.dims ?? [], [d]) && isLon(d, arrays[d]?.attrs ?? {}));
    const dimLat = dims.find((d) => arrays[d] !== undefined && sameDims(arrays[d]?.dims ?? [], [d]) && isLat(d, arrays[d]?.attrs ?? {}));
    if (dimLon === undefined || dimLat === undefined || varName === dimLon || varName === dimLat) return undefined;
    return { id: `${dimLon},${dimLat}`, kind: "regular", lon: dimLon, lat: dimLat, dims: [dimLat, dimLon], shape: [arrays[dimLat]?.meta.shape[0] ?? 0, arrays[dimLon]?.meta.shape[0] ?? 0] };
  };

  for (const [name, a] of Object.entries(arrays)) {
    if (a.dims.length < 2 || isLon(name, a.attrs) || isLat(name, a.attrs) || /^mask/i.test(name)) continue;
    if (!["<f4", "<f8", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4"].includes(a.meta.dtype)) continue;
    const timeDim = a.dims.find((d) => d !== name && arrays[d] !== undefined && sameDims(arrays[d]?.dims ?? [], [d]) && isTimeCoordinate(arrays[d]?.attrs ?? {}));
    if (timeDim === undefined) continue;
    const grid = gridFor(name, a.dims, a.attrs);
    if (grid === undefined) continue;
    const rest = a.dims.filter((d) => d !== timeDim && !grid.dims.includes(d));
    if (rest.length > 1) continue;
    grids.set(grid.id, grid);
    timeDims.add(timeDim);
    coordinateNames.add(grid.lon).add(grid.lat);
    const zDim = rest[0];
    if (zDim !== undefined) zDims.add(zDim);
    parameters.push({ name, dims: a.dims, meta: a.meta, attrs: a.attrs, grid: grid.id, timeDim, ...(zDim !== undefined ? { zDim } : {}) });
  }
  return {
    attrs: (h.groups[""] ?? {}) as Attrs,
    arrays,
    overviews,
    grids: [...grids.values()],
    parameters: parameters.filter((p) => !coordinateNames.has(p.name)).sort((a, b) => a.name.localeCompare(b.name)),
    timeDims: [...timeDims],
    zDims: [...zDims],
  };
}
