// Runs a query: groups the requested parameters by grid, time axis and vertical axis, selects
// cells/times/levels, checks the size limit, then reads the values through the chunk cache and
// decodes them the way CF readers do (fill and missing values to NaN, then scale and offset).
import type { ChunkCache } from "../chunk-cache.js";
import type { OpenedDataset } from "../dataset.js";
import { tooLarge } from "../errors.js";
import type { ParameterModel } from "../model.js";
import type { TimeFilter, ZFilter } from "./params.js";
import type { ParameterInfo, QueryResult, ResultGroup, Station } from "./result.js";
import { cellLonLat, checkTimesFound, checkZ, noData, selectCells, selectLevels, selectTimes, type Where } from "./select.js";

export interface Limits {
  /** Values (parameters x times x stations) one answer may hold. */
  maxValues: number;
  /** Grid cells an area or cube may cover. */
  maxCells: number;
}

export interface QuerySpec {
  queryType: QueryResult["queryType"];
  where: Where;
  parameters: string[];
  datetime?: TimeFilter;
  z?: ZFilter;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (Array.isArray(v) && typeof v[0] === "number") return v[0];
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

export function parameterInfo(p: ParameterModel): ParameterInfo {
  const scaled = num(p.attrs["scale_factor"]) !== undefined || num(p.attrs["add_offset"]) !== undefined;
  const integer = !scaled && !p.meta.dtype.includes("f");
  // CF decoding as xarray does it: small integers scaled by a factor become float32.
  const float32 = p.meta.dtype === "<f4" || (scaled && ["|i1", "|u1", "<i2", "<u2"].includes(p.meta.dtype));
  const units = str(p.attrs["units"]);
  const standardName = str(p.attrs["standard_name"]);
  return {
    name: p.name,
    description: str(p.attrs["long_name"]) ?? standardName ?? p.name,
    dataType: integer ? "integer" : "float",
    float32,
    ...(units !== undefined ? { units } : {}),
    ...(standardName !== undefined ? { standardName } : {}),
  };
}

/** Turns raw stored numbers into values in place: fill/missing → NaN, then scale and offset. */
export function decodeValues(p: ParameterModel, raw: Float64Array): Float64Array {
  const missing: number[] = [];
  const fill = p.meta.fill_value;
  if (typeof fill === "number") missing.push(fill);
  for (const key of ["_FillValue", "missing_value"]) {
    const v = p.attrs[key];
    if (typeof v === "number") missing.push(v);
    if (Array.isArray(v)) for (const x of v) if (typeof x === "number") missing.push(x);
  }
  const missingSet = new Set(p.meta.dtype === "<f4" ? missing.map((m) => Math.fround(m)) : missing);
  const scale = num(p.attrs["scale_factor"]);
  const offset = num(p.attrs["add_offset"]);
  if (scale === undefined && offset === undefined) {
    for (let i = 0; i < raw.length; i++) if (missingSet.has(raw[i] ?? NaN)) raw[i] = NaN;
    return raw;
  }
  const f32 = parameterInfo(p).float32;
  const round = f32 ? Math.fround : (x: number) => x;
  const s = round(scale ?? 1);
  const o = round(offset ?? 0);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] ?? NaN;
    raw[i] = missingSet.has(v) ? NaN : round(round(v * s) + o);
  }
  return raw;
}

function groupKey(p: ParameterModel): string {
  return `${p.grid}\u0000${p.timeDim}\u0000${p.zDim ?? ""}`;
}

/** Box along each dim of `p` covering the wanted indices, then one read, then a gather. */
async function readParameter(ds: OpenedDataset, chunks: ChunkCache, p: ParameterModel, timeIdx: number[], cells: number[], zIdx: number[] | undefined): Promise<Float64Array> {
  const grid = ds.grids.get(p.grid);
  if (grid === undefined) throw new Error(`grid ${p.grid} missing`);
  const gshape = grid.model.shape;
  const cellCoord = (cell: number): number[] => {
    const out: number[] = new Array<number>(gshape.length);
    let rest = cell;
    for (let d = gshape.length - 1; d >= 0; d--) {
      out[d] = rest % (gshape[d] ?? 1);
      rest = Math.floor(rest / (gshape[d] ?? 1));
    }
    return out;
  };
  const coords = cells.map(cellCoord);
  const wanted = (dim: string): number[] => {
    if (dim === p.timeDim) return timeIdx;
    if (dim === p.zDim) return zIdx ?? [0];
    const g = grid.model.dims.indexOf(dim);
    return coords.map((c) => c[g] ?? 0);
  };
  const perDim = p.dims.map(wanted);
  // Loops, not Math.min(...w): an area may hold more cells than a call can take arguments.
  const start = perDim.map((w) => w.reduce((a, b) => (b < a ? b : a), Infinity));
  const count = perDim.map((w, d) => w.reduce((a, b) => (b > a ? b : a), -Infinity) - (start[d] ?? 0) + 1);
  const nz = zIdx?.length ?? 1;
  const out = new Float64Array(timeIdx.length * cells.length * nz);
  const boxSize = count.reduce((a, b) => a * b, 1);
  // Scattered points on a large grid: one small read per cell beats one huge bounding box.
  const perCell = boxSize > 4 * out.length && boxSize > 1_000_000;
  const targets = perCell ? cells.map((_, k) => [k]) : [cells.map((_, k) => k)];
  // Levels far apart (z=bottom,middle,surface): one box per run of adjacent levels, not one box over
  // every level between them (a cube of 3 of 20 levels read and copied 20).
  const zd = p.zDim === undefined ? -1 : p.dims.indexOf(p.zDim);
  const zRuns: Array<[number, number]> = [];
  for (let zi = 0; zi < nz; zi++) {
    const last = zRuns[zRuns.length - 1];
    if (last !== undefined && zIdx !== undefined && zIdx[zi] === (zIdx[last[1]] ?? NaN) + 1) last[1] = zi;
    else zRuns.push([zi, zi]);
  }
  const reads = (zd >= 0 ? zRuns : [[0, nz - 1] as [number, number]]).flatMap((run) => targets.map((subset) => ({ run, subset })));
  for (const { run: [z0, z1], subset } of reads) {
    const s = perCell ? p.dims.map((dim, d) => (dim === p.timeDim || dim === p.zDim ? (start[d] ?? 0) : (coords[subset[0] ?? 0]?.[grid.model.dims.indexOf(dim)] ?? 0))) : [...start];
    const c = perCell ? p.dims.map((dim, d) => (dim === p.timeDim || dim === p.zDim ? (count[d] ?? 1) : 1)) : [...count];
    if (zd >= 0) {
      s[zd] = zIdx?.[z0] ?? 0;
      c[zd] = (zIdx?.[z1] ?? 0) - (zIdx?.[z0] ?? 0) + 1;
    }
    const box = await chunks.read({ scope: ds.scope }, { store: ds.store, path: p.name, meta: p.meta, format: ds.format }, s, c);
    const strides = c.map((_, d) => c.slice(d + 1).reduce((a, b) => a * b, 1));
    for (const k of subset) {
      const cc = coords[k] ?? [];
      for (let ti = 0; ti < timeIdx.length; ti++)
        for (let zi = z0; zi <= z1; zi++) {
          let off = 0;
          for (let d = 0; d < p.dims.length; d++) {
            const dim = p.dims[d] ?? "";
            const idx = dim === p.timeDim ? (timeIdx[ti] ?? 0) : dim === p.zDim ? (zIdx?.[zi] ?? 0) : (cc[grid.model.dims.indexOf(dim)] ?? 0);
            off += (idx - (s[d] ?? 0)) * (strides[d] ?? 1);
          }
          out[ti * cells.length * nz + k * nz + zi] = box[off] ?? NaN;
        }
    }
  }
  return decodeValues(p, out);
}

export async function runQuery(ds: OpenedDataset, chunks: ChunkCache, spec: QuerySpec, limits: Limits): Promise<QueryResult> {
  const params = spec.parameters.map((n) => ds.model.parameters.find((p) => p.name === n)).filter((p): p is ParameterModel => p !== undefined);
  checkZ(spec.z, params.some((p) => p.zDim !== undefined));
  const groups = new Map<string, ParameterModel[]>();
  for (const p of params) groups.set(groupKey(p), [...(groups.get(groupKey(p)) ?? []), p]);

  // Select everything first and check the total size before any chunk is read.
  const plans = [...groups.values()].map((members) => {
    const first = members[0] as ParameterModel;
    const grid = ds.grids.get(first.grid);
    if (grid === undefined) throw new Error(`grid ${first.grid} missing`);
    const times = ds.times.get(first.timeDim) ?? [];
    const timeIdx = selectTimes(times, spec.datetime);
    checkTimesFound(timeIdx, spec.datetime !== undefined, ds.id);
    const levels = first.zDim !== undefined ? ds.levels.get(first.zDim) : undefined;
    const zIdx = levels !== undefined ? selectLevels(levels.values, spec.z) : undefined;
    if (zIdx !== undefined && zIdx.length === 0) throw noData(`z: no level of collection ${ds.id} in the requested range`);
    const cells = selectCells(grid, spec.where, limits.maxCells);
    return { members, grid, times, timeIdx, levels, zIdx, cells };
  });
  if (plans.every((p) => p.cells.length === 0)) throw noData(`coords: no water cell of collection ${ds.id} lies in the requested ${spec.queryType === "cube" ? "bbox" : "area"}`);
  const total = plans.reduce((n, p) => n + p.members.length * p.timeIdx.length * p.cells.length * (p.zIdx?.length ?? 1), 0);
  if (total > limits.maxValues) throw tooLarge(`the request would return ${total} values`, limits.maxValues, "values");

  const out: ResultGroup[] = [];
  for (const plan of plans) {
    if (plan.cells.length === 0) continue;
    const stations: Station[] = [];
    for (const cell of plan.cells) {
      const [lon, lat] = cellLonLat(plan.grid, cell);
      if (plan.zIdx === undefined) stations.push({ cell, lon, lat });
      else for (const zi of plan.zIdx) stations.push({ cell, lon, lat, zIndex: zi, z: plan.levels?.values[zi] ?? zi });
    }
    const parameters = [];
    for (const p of plan.members) parameters.push({ info: parameterInfo(p), values: await readParameter(ds, chunks, p, plan.timeIdx, plan.cells, plan.zIdx) });
    out.push({
      grid: plan.grid.model.id,
      ...(plan.levels !== undefined
        ? { zAxis: { name: plan.levels.name, isIndex: plan.levels.isIndex, ...(plan.levels.units !== undefined ? { units: plan.levels.units } : {}), ...(plan.levels.positive !== undefined ? { positive: plan.levels.positive } : {}) } }
        : {}),
      times: plan.timeIdx.map((i) => plan.times[i] ?? NaN),
      stations,
      parameters,
    });
  }
  return { collection: ds.id, queryType: spec.queryType, groups: out };
}
