// An opened dataset: its store, its model, and the small arrays every query needs in memory
// (grid coordinates, land masks, decoded time axes, vertical levels). Spatial indexes are built
// on first use, one per grid.
import { ownValue } from "../shared/own.js";
import { decodeTime, parseTimeUnits, readConsolidated, readRegion, type Hierarchy, type ReadableStore, type ZarrFormat } from "../../dataplane/index.js";
import { isStationHierarchy } from "../../dataplane/observations/index.js";
import { describeHierarchy, type DatasetModel, type GridModel, type ParameterModel } from "./model.js";
import { SphereIndex } from "./spatial-index.js";

export interface GridData {
  model: GridModel;
  /** Regular grids: the 1-D axes. Others: lon/lat per cell, flattened in `dims` order. */
  lon: Float64Array;
  lat: Float64Array;
  /** 1 where a cell is water (or has no mask), 0 on land; per cell, flattened. */
  wet: Uint8Array;
  cells: number;
  index(): SphereIndex;
}

export interface OpenedDataset {
  id: string;
  url: string;
  title: string;
  description: string;
  store: ReadableStore;
  /** Zarr format of the store (v2 `.zmetadata` or v3 `zarr.json`): chunk keys differ. */
  format: ZarrFormat;
  model: DatasetModel;
  grids: Map<string, GridData>;
  /** Decoded time axis (epoch ms) per time dimension. */
  times: Map<string, number[]>;
  /** Vertical coordinate per vertical dimension: the 1-D coordinate values, or level indices. */
  levels: Map<string, { values: number[]; name: string; units?: string; positive?: string; isIndex: boolean }>;
  /** "<id>#<generation>": the chunk-cache scope. */
  scope: string;
  /** Freshness signature of the consolidated metadata when opened. */
  signature: string;
  checkedAt: number;
  /**
   * What this dataset may hold in memory, counted against the cache budget when it is opened:
   * its arrays, the k-d trees and station table it builds on first use, and its metadata.
   */
  heldBytes: number;
}

export class DatasetOpenError extends Error {}

async function readArray(store: ReadableStore, format: ZarrFormat, model: DatasetModel, name: string): Promise<Float64Array> {
  const a = ownValue(model.arrays, name);
  if (a === undefined) throw new DatasetOpenError(`${store.url}: array ${name} missing`);
  const data = await readRegion({ store, path: name, meta: a.meta, format });
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function gridData(model: GridModel, lon: Float64Array, lat: Float64Array, mask: Float64Array | undefined): GridData {
  const cells = model.shape.reduce((a, b) => a * b, 1);
  const wet = new Uint8Array(cells).fill(1);
  if (mask !== undefined) for (let i = 0; i < cells; i++) wet[i] = mask[i] === 0 || Number.isNaN(mask[i] ?? NaN) ? 0 : 1;
  let index: SphereIndex | undefined;
  return {
    model,
    lon,
    lat,
    wet,
    cells,
    index: () => (index ??= new SphereIndex(lon, lat, (c) => wet[c] === 1)),
  };
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

// Per wet cell of a k-d tree: its unit vector (3 float64) and its cell id (int32).
const INDEX_BYTES_PER_CELL = 3 * 8 + 4;
// Per station of a station table (id, name and platform strings, position, its row in the
// nearest-station tree, the observed-parameter list) and per time step (the decoded axis, its
// ISO text once encoded): generous, so the estimate stays an upper bound.
const STATION_BYTES = 2048;
const STATION_STEP_BYTES = 64;

/**
 * Upper estimate of an opened dataset's memory. A JavaScript number array holds 8 bytes an
 * element; parsed JSON metadata takes about twice its text. Trees and the station table are
 * counted now, though built on first use, so building them never exceeds what was charged.
 */
function heldBytesOf(hierarchy: Hierarchy, grids: Map<string, GridData>, times: Map<string, number[]>, levels: OpenedDataset["levels"]): number {
  const metadata = 2 * JSON.stringify(hierarchy).length;
  let bytes = metadata;
  for (const g of grids.values()) {
    bytes += g.lon.byteLength + g.lat.byteLength + g.wet.byteLength;
    if (g.model.kind !== "regular") {
      let wet = 0;
      for (let c = 0; c < g.cells; c++) wet += g.wet[c] ?? 0;
      bytes += wet * INDEX_BYTES_PER_CELL;
    }
  }
  for (const t of times.values()) bytes += t.length * 8;
  for (const l of levels.values()) bytes += l.values.length * 8;
  if (isStationHierarchy(hierarchy)) {
    const stations = hierarchy.arrays["station"]?.meta.shape[0] ?? 0;
    const steps = hierarchy.arrays["time"]?.meta.shape[0] ?? 0;
    // The station table reads the consolidated metadata once more.
    bytes += metadata + stations * STATION_BYTES + steps * STATION_STEP_BYTES;
  }
  return bytes;
}

export async function openDataset(id: string, store: ReadableStore, scope: string, signature: string, now: number): Promise<OpenedDataset> {
  const consolidated = await readConsolidated(store);
  if (consolidated === undefined) throw new DatasetOpenError(`${store.url}: no .zmetadata or zarr.json (not a consolidated Zarr store)`);
  const { format } = consolidated;
  const model = describeHierarchy(consolidated.hierarchy);
  const readAll = (name: string): Promise<Float64Array> => readArray(store, format, model, name);
  const grids = new Map<string, GridData>();
  for (const g of model.grids) {
    const [lon, lat, mask] = await Promise.all([readAll(g.lon), readAll(g.lat), g.mask !== undefined ? readAll(g.mask) : Promise.resolve(undefined)]);
    grids.set(g.id, gridData(g, lon, lat, mask));
  }
  const times = new Map<string, number[]>();
  for (const t of model.timeDims) {
    const a = model.arrays[t];
    const units = parseTimeUnits(a?.attrs["units"], a?.attrs["calendar"]);
    const raw = await readAll(t);
    times.set(t, Array.from(raw, (v) => decodeTime(v, units)));
  }
  const levels: OpenedDataset["levels"] = new Map();
  for (const z of model.zDims) {
    const a = model.arrays[z];
    const oneD = a !== undefined && a.dims.length === 1 && a.dims[0] === z;
    const n = model.parameters.find((p) => p.zDim === z)?.meta.shape[model.parameters.find((p) => p.zDim === z)?.dims.indexOf(z) ?? 0] ?? 0;
    const values = oneD ? Array.from(await readAll(z)) : Array.from({ length: n }, (_, i) => i);
    levels.set(z, {
      values,
      name: z,
      isIndex: !oneD,
      ...(oneD && text(a.attrs["units"]) !== undefined ? { units: text(a.attrs["units"]) as string } : {}),
      ...(oneD && text(a.attrs["positive"]) !== undefined ? { positive: text(a.attrs["positive"]) as string } : {}),
    });
  }
  return {
    id,
    url: store.url,
    format,
    title: text(model.attrs["title"]) ?? id,
    description: text(model.attrs["summary"]) ?? text(model.attrs["description"]) ?? [text(model.attrs["title"]), text(model.attrs["institution"]), text(model.attrs["source"])].filter(Boolean).join("; "),
    store,
    model,
    grids,
    times,
    levels,
    scope,
    signature,
    checkedAt: now,
    heldBytes: heldBytesOf(consolidated.hierarchy, grids, times, levels),
  };
}

export function parameterOf(ds: OpenedDataset, name: string): ParameterModel {
  const p = ds.model.parameters.find((x) => x.name === name);
  if (p === undefined) throw new Error(`parameter ${name} not in ${ds.id}`);
  return p;
}
