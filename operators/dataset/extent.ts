// The extent a Dataset reports in status, read from its store's consolidated metadata:
// bounding box from the latitude/longitude coordinates (1-D, 2-D curvilinear or per-node
// unstructured), time range from the aggregation dimension, dimension lengths and size.
import { createHash } from "node:crypto";
import type { ArrayNode, ReadableStore, ZarrArray } from "../../dataplane/index.js";
import { arrayOf, decodeTime, parseTimeUnits, readConsolidated, readRegion } from "../dataplane.js";

export interface DatasetExtent {
  bbox?: [number, number, number, number];
  timeStart?: string;
  timeEnd?: string;
  shape: Record<string, number>;
  timeSteps: number;
  sizeBytes: number;
  /** The arrays and their dimensions, for the catalog. */
  variables: { name: string; dims: string[]; attrs: Record<string, unknown> }[];
  /** Decoded times of the aggregation dimension (epoch ms). */
  times: number[];
  /** Model cycles (epoch ms) the store's ledger records, for per-cycle catalog items. */
  cycles: number[];
  /**
   * A digest of the committed metadata and ledger: it changes with every commit that changes the
   * store, also one that keeps the step count (a best-forecast replacement, a recomputed period).
   */
  revision: string;
  concatDim?: string;
  groups: string[];
}

interface StoreLedger {
  concatDim?: string;
  groups?: Record<string, { t: number; cycleMs?: number }[]>;
}

const itemSize: Record<string, number> = { "|b1": 1, "|i1": 1, "|u1": 1, "<i2": 2, "<u2": 2, "<i4": 4, "<u4": 4, "<i8": 8, "<u8": 8, "<f4": 4, "<f8": 8, ">f4": 4, ">f8": 8, ">i4": 4, ">i2": 2 };

function dimsOf(node: ArrayNode): string[] {
  const dims = (node.attrs as { _ARRAY_DIMENSIONS?: unknown })._ARRAY_DIMENSIONS;
  return Array.isArray(dims) ? dims.map(String) : [];
}

/**
 * How surely a variable is the latitude or longitude coordinate: standard_name beats units beats the
 * name. Projected x/y (FVCOM's metres) never count: they are not degrees.
 */
function axisScore(name: string, attrs: Record<string, unknown>, axis: "lat" | "lon"): number {
  const standard = String(attrs.standard_name ?? "").toLowerCase();
  const units = String(attrs.units ?? "").toLowerCase().replace(/\s+/g, "_");
  if (axis === "lat") return (standard === "latitude" ? 4 : 0) + (units === "degrees_north" || units === "degree_north" ? 2 : 0) + (/^(lat|latitude|lat_rho)$/i.test(name) ? 1 : 0);
  return (standard === "longitude" ? 4 : 0) + (units === "degrees_east" || units === "degree_east" ? 2 : 0) + (/^(lon|longitude|lon_rho)$/i.test(name) ? 1 : 0);
}

/** Typed arrays of any dtype (64-bit integers included) as plain numbers. */
function numbers(values: ArrayLike<number | bigint>): number[] {
  return Array.from(values, (v) => Number(v));
}

function range(values: ArrayLike<number>, fill: unknown): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  const fillValue = typeof fill === "number" ? fill : undefined;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isFinite(v) || v === fillValue || Math.abs(v) > 1e30) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : undefined;
}

/** Picks the surest latitude/longitude coordinate, then the one with the most points (rho over u/v, nodes over elements). */
function pick(arrays: [string, ArrayNode][], axis: "lat" | "lon"): [string, ArrayNode] | undefined {
  const size = (node: ArrayNode) => node.meta.shape.reduce((x, y) => x * y, 1);
  const scored = arrays.map(([path, node]) => ({ path, node, score: axisScore(path.split("/").pop() ?? path, node.attrs as Record<string, unknown>, axis) })).filter((c) => c.score > 0);
  scored.sort((a, b) => b.score - a.score || size(b.node) - size(a.node));
  return scored[0] ? [scored[0].path, scored[0].node] : undefined;
}

export async function readExtent(store: ReadableStore): Promise<DatasetExtent | undefined> {
  const consolidated = await readConsolidated<StoreLedger>(store);
  if (!consolidated) return undefined;
  const { hierarchy, ledger } = consolidated;
  const handle = (path: string): ZarrArray => {
    const array = arrayOf(store, consolidated, path);
    if (array === undefined) throw new Error(`${store.url}: array ${path} missing`);
    return array;
  };
  const groups = Object.keys(hierarchy.groups).sort();
  const group = Object.keys(ledger?.groups ?? {})[0] ?? "";
  const inGroup = Object.entries(hierarchy.arrays).filter(([path]) => (group === "" ? !path.includes("/") : path.startsWith(`${group}/`) && !path.slice(group.length + 1).includes("/")));
  const shape: Record<string, number> = {};
  let sizeBytes = 0;
  for (const [, node] of Object.entries(hierarchy.arrays)) {
    sizeBytes += node.meta.shape.reduce((a, b) => a * b, 1) * (itemSize[node.meta.dtype] ?? 4);
  }
  for (const [, node] of inGroup) dimsOf(node).forEach((dim, i) => { shape[dim] = node.meta.shape[i] ?? 0; });

  let bbox: DatasetExtent["bbox"];
  const lat = pick(inGroup, "lat");
  const lon = pick(inGroup, "lon");
  if (lat && lon) {
    const latRange = range(numbers(await readRegion(handle(lat[0]))), lat[1].meta.fill_value);
    const lonValues = numbers(await readRegion(handle(lon[0])));
    // 0..360 longitudes (RTOFS, some FVCOM) are reported in -180..180 as STAC requires.
    const lonRange = range(lonValues.map((v) => (v > 180 ? v - 360 : v)), lon[1].meta.fill_value);
    if (latRange && lonRange) bbox = [lonRange[0], latRange[0], lonRange[1], latRange[1]];
  }

  const concatDim = ledger?.concatDim;
  let times: number[] = [];
  const timeNode = inGroup.find(([path]) => (path.split("/").pop() ?? "") === concatDim);
  if (timeNode) {
    const attrs = timeNode[1].attrs as Record<string, unknown>;
    try {
      const units = parseTimeUnits(attrs.units, attrs.calendar);
      times = numbers(await readRegion(handle(timeNode[0]))).map((v) => decodeTime(v, units));
    } catch {
      times = (ledger?.groups?.[group] ?? []).map((s) => s.t);
    }
  } else {
    times = (ledger?.groups?.[group] ?? []).map((s) => s.t);
  }
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
  const cycles = [...new Set(Object.values(ledger?.groups ?? {}).flat().map((s) => s.cycleMs).filter((c): c is number => typeof c === "number"))].sort((a, b) => a - b);
  return {
    ...(bbox ? { bbox } : {}),
    ...(times.length > 0 ? { timeStart: iso(Math.min(...times)), timeEnd: iso(Math.max(...times)) } : {}),
    shape,
    timeSteps: concatDim ? (shape[concatDim] ?? times.length) : times.length,
    sizeBytes,
    variables: inGroup.map(([path, node]) => ({ name: path.split("/").pop() ?? path, dims: dimsOf(node), attrs: node.attrs as Record<string, unknown> })),
    times,
    cycles,
    revision: createHash("sha256").update(JSON.stringify({ hierarchy, ledger: ledger ?? null })).digest("hex").slice(0, 16),
    ...(concatDim ? { concatDim } : {}),
    groups,
  };
}
