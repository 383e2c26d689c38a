// Turns a Dataset and its store extent into STAC inputs for the catalog builders. Pure.
import type { DatasetCollectionInput, DimensionInput, VariableInput, CycleItemInput, StationItemInput } from "../../catalog/index.js";
import type { StationSummary } from "../../dataplane/observations/index.js";
import type { CatalogEntry, Dataset } from "../../crds/index.js";
import type { DatasetExtent } from "../dataset/extent.js";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

function dimensionKind(name: string, extent: DatasetExtent): DimensionInput["kind"] {
  if (name === extent.concatDim) return "time";
  if (/^(s_rho|s_w|siglay|siglev|depth|z|lev|level|layer)$/i.test(name)) return "z";
  if (/^(lon|longitude|x)$/i.test(name)) return "x";
  if (/^(lat|latitude|y)$/i.test(name)) return "y";
  return "other";
}

function isCoordinateLike(name: string, attrs: Record<string, unknown>): boolean {
  return /^(lat|lon|latitude|longitude|mask|h$|angle)/i.test(name) || attrs.standard_name === "latitude" || attrs.standard_name === "longitude";
}

export function collectionInput(entry: CatalogEntry, dataset: Dataset, extent: DatasetExtent): DatasetCollectionInput {
  const dimensions: DimensionInput[] = Object.entries(extent.shape).map(([name, length]) => {
    const kind = dimensionKind(name, extent);
    if (kind === "time") return { name, kind, extent: [extent.timeStart ?? null, extent.timeEnd ?? null] };
    if ((kind === "x" || kind === "y") && extent.bbox) return { name, kind, extent: kind === "x" ? [extent.bbox[0], extent.bbox[2]] : [extent.bbox[1], extent.bbox[3]] };
    return { name, kind, extent: [0, Math.max(0, length - 1)], description: `index axis of length ${length}` };
  });
  const dimensionNames = new Set(dimensions.map((d) => d.name));
  const variables: VariableInput[] = extent.variables
    .filter((v) => !dimensionNames.has(v.name) || v.dims.length !== 1 || v.dims[0] !== v.name)
    .map((v) => ({
      name: v.name,
      dimensions: v.dims,
      role: isCoordinateLike(v.name, v.attrs) || v.dims.every((d) => d !== extent.concatDim) ? "auxiliary" : "data",
      ...(typeof v.attrs.long_name === "string" ? { description: v.attrs.long_name } : {}),
      ...(typeof v.attrs.units === "string" ? { unit: v.attrs.units } : {}),
    }));
  return {
    id: entry.spec.collection.id,
    title: entry.spec.collection.title,
    description: entry.spec.collection.description,
    license: entry.spec.collection.license,
    ...(entry.spec.collection.keywords ? { keywords: entry.spec.collection.keywords } : {}),
    ...(entry.spec.collection.providers ? { providers: entry.spec.collection.providers } : {}),
    bbox: extent.bbox ?? [-180, -90, 180, 90],
    timeInterval: [extent.timeStart ?? null, extent.timeEnd ?? null],
    dimensions,
    variables,
    storeUrl: dataset.spec.storage.url,
    extraLinks: (entry.spec.links ?? []).map((l) => ({ rel: l.rel, href: l.href, ...(l.type ? { type: l.type } : {}), ...(l.title ? { title: l.title } : {}) })),
  };
}

/** One Item per model cycle: the cycle's valid-time range within the aggregation. */
export function cycleItemInputs(entry: CatalogEntry, dataset: Dataset, extent: DatasetExtent, steps: { t: number; cycleMs?: number }[]): CycleItemInput[] {
  const byCycle = new Map<number, number[]>();
  for (const step of steps) {
    if (step.cycleMs === undefined) continue;
    byCycle.set(step.cycleMs, [...(byCycle.get(step.cycleMs) ?? []), step.t]);
  }
  return [...byCycle.entries()].sort(([a], [b]) => a - b).map(([cycle, times]) => ({
    collectionId: entry.spec.collection.id,
    cycleTime: iso(cycle),
    timeInterval: [iso(Math.min(...times)), iso(Math.max(...times))],
    bbox: extent.bbox ?? [-180, -90, 180, 90],
    storeUrl: dataset.spec.storage.url,
    title: `${entry.spec.collection.title}: cycle ${iso(cycle)}`,
    properties: { "dmac:model": dataset.spec.model, "dmac:aggregation": dataset.spec.aggregation.type },
  }));
}

/** The one item of `itemGranularity: dataset`: the whole store, over its whole time extent. */
export function datasetItemInput(entry: CatalogEntry, dataset: Dataset, extent: DatasetExtent): CycleItemInput | undefined {
  if (extent.times.length === 0) return undefined;
  return {
    collectionId: entry.spec.collection.id,
    timeInterval: [iso(Math.min(...extent.times)), iso(Math.max(...extent.times))],
    bbox: extent.bbox ?? [-180, -90, 180, 90],
    storeUrl: dataset.spec.storage.url,
    title: `${entry.spec.collection.title}: the whole dataset`,
    properties: { "dmac:model": dataset.spec.model, "dmac:aggregation": dataset.spec.aggregation.type },
  };
}

/** featureType timeSeries: one item per station that has observed anything. */
export function stationItemInputs(entry: CatalogEntry, dataset: Dataset, stations: readonly StationSummary[]): StationItemInput[] {
  return stations.filter((s) => s.timeStart !== undefined && s.timeEnd !== undefined).map((s) => ({
    collectionId: entry.spec.collection.id,
    stationId: s.station.id,
    name: s.station.name,
    platform: s.station.platform,
    lon: s.station.lon,
    lat: s.station.lat,
    ...(Number.isFinite(s.station.z) ? { z: s.station.z } : {}),
    timeInterval: [iso(s.timeStart as number), iso(s.timeEnd as number)],
    variables: s.variables.map((v) => ({ name: v.name, unit: v.units, ...(v.longName !== undefined ? { description: v.longName } : {}) })),
    storeUrl: dataset.spec.storage.url,
  }));
}
