// Builds the STAC Collection for one ocean-model dataset (for example CBOFS, a ROMS curvilinear
// grid) from plain inputs, so the CatalogEntry reconciler never assembles STAC by hand.
import { CatalogInputError } from "./errors.js";
import { checkBbox, checkId, checkInterval, checkUrl } from "./checks.js";
import { DATACUBE_EXTENSION, STAC_VERSION, ZARR_MEDIA_TYPE } from "./types.js";
import type { Bbox, CubeDimension, CubeVariable, Link, Provider, StacCollection } from "./types.js";

/** One dimension of the data cube. `kind` decides which datacube object it becomes. */
export interface DimensionInput {
  name: string;
  /** x/y: horizontal axes in `referenceSystem` units; z: vertical; time; other: e.g. ROMS eta_rho/xi_rho index axes. */
  kind: "x" | "y" | "z" | "time" | "other";
  description?: string;
  /** Closed range [min, max]; for time ISO 8601 strings, `null` for an open end. */
  extent?: [number | string | null, number | string | null];
  values?: Array<number | string>;
  step?: number | string | null;
  unit?: string;
  /** EPSG code (4326 by default for x/y) or a WKT/PROJJSON string. */
  referenceSystem?: string | number;
}

export interface VariableInput {
  name: string;
  dimensions: string[];
  /** data (default) or auxiliary (coordinates such as lat_rho, mask_rho). */
  role?: "data" | "auxiliary";
  description?: string;
  unit?: string;
}

export interface DatasetCollectionInput {
  id: string;
  title: string;
  description: string;
  /** SPDX identifier, "various" or "proprietary". */
  license: string;
  keywords?: string[];
  providers?: Provider[];
  /** [west, south, east, north] in EPSG:4326. */
  bbox: Bbox;
  /** [start, end] as ISO 8601; `null` for an open end (a running forecast). */
  timeInterval: [string | null, string | null];
  dimensions: DimensionInput[];
  variables: VariableInput[];
  /** Where the Zarr store lives, e.g. s3://bucket/cbofs.zarr or file:///data/cbofs.zarr. */
  storeUrl: string;
  extraLinks?: Link[];
}

export function buildDatasetCollection(input: DatasetCollectionInput): StacCollection {
  checkId(input.id, "id");
  if (!input.description.trim()) throw new CatalogInputError("description", "must not be empty");
  if (!input.license.trim()) throw new CatalogInputError("license", "must not be empty");
  checkBbox(input.bbox, "bbox");
  checkInterval(input.timeInterval, "timeInterval");
  checkUrl(input.storeUrl, "storeUrl");

  const dimensions = buildDimensions(input.dimensions);
  const variables = buildVariables(input.variables, dimensions);
  const collection: StacCollection = {
    type: "Collection",
    stac_version: STAC_VERSION,
    stac_extensions: [DATACUBE_EXTENSION],
    id: input.id,
    title: input.title,
    description: input.description,
    license: input.license,
    extent: {
      spatial: { bbox: [input.bbox] },
      temporal: { interval: [[input.timeInterval[0], input.timeInterval[1]]] },
    },
    links: [...(input.extraLinks ?? [])],
    assets: {
      zarr: {
        href: input.storeUrl,
        type: ZARR_MEDIA_TYPE,
        title: `${input.title} (Zarr)`,
        roles: ["data", "zarr"],
      },
    },
    "cube:dimensions": dimensions,
    "cube:variables": variables,
  };
  if (input.keywords?.length) collection.keywords = [...input.keywords];
  if (input.providers?.length) collection.providers = input.providers.map((p) => ({ ...p }));
  return collection;
}

function buildDimensions(inputs: DimensionInput[]): Record<string, CubeDimension> {
  const out: Record<string, CubeDimension> = {};
  inputs.forEach((dim, i) => {
    const field = `dimensions[${i}]`;
    checkName(dim.name, `${field}.name`);
    if (dim.name in out) throw new CatalogInputError(`${field}.name`, `duplicate dimension "${dim.name}"`);
    out[dim.name] = buildDimension(dim, field);
  });
  return out;
}

function buildDimension(dim: DimensionInput, field: string): CubeDimension {
  const common: Partial<CubeDimension> = {};
  if (dim.description !== undefined) common.description = dim.description;
  if (dim.values !== undefined) common.values = [...dim.values];
  if (dim.step !== undefined) common.step = dim.step;
  switch (dim.kind) {
    case "x":
    case "y": {
      const extent = dim.extent;
      if (!extent || typeof extent[0] !== "number" || typeof extent[1] !== "number") {
        throw new CatalogInputError(`${field}.extent`, `horizontal dimension "${dim.name}" needs a numeric [min, max]`);
      }
      return { ...common, type: "spatial", axis: dim.kind, extent: [extent[0], extent[1]], reference_system: dim.referenceSystem ?? 4326 };
    }
    case "z":
      return withExtentOrValues({ ...common, type: "spatial", axis: "z", ...unitOf(dim), ...(dim.referenceSystem !== undefined ? { reference_system: dim.referenceSystem } : {}) }, dim, field);
    case "time":
      if (dim.extent) checkInterval([asTime(dim.extent[0]), asTime(dim.extent[1])], `${field}.extent`);
      return withExtentOrValues({ ...common, type: "temporal" }, dim, field);
    case "other":
      return withExtentOrValues({ ...common, type: "index", ...unitOf(dim) }, dim, field);
    default:
      throw new CatalogInputError(`${field}.kind`, `must be one of x, y, z, time, other`);
  }
}

function asTime(v: number | string | null): string | null {
  return typeof v === "number" ? String(v) : v;
}

function unitOf(dim: DimensionInput): { unit?: string } {
  return dim.unit !== undefined ? { unit: dim.unit } : {};
}

function withExtentOrValues(base: CubeDimension, dim: DimensionInput, field: string): CubeDimension {
  if (dim.extent) return { ...base, extent: [dim.extent[0], dim.extent[1]] };
  if (dim.values?.length) return base;
  throw new CatalogInputError(`${field}.extent`, `dimension "${dim.name}" needs an extent or values`);
}

function buildVariables(inputs: VariableInput[], dimensions: Record<string, CubeDimension>): Record<string, CubeVariable> {
  const out: Record<string, CubeVariable> = {};
  inputs.forEach((v, i) => {
    const field = `variables[${i}]`;
    checkName(v.name, `${field}.name`);
    if (v.name in out) throw new CatalogInputError(`${field}.name`, `duplicate variable "${v.name}"`);
    v.dimensions.forEach((d, j) => {
      if (!(d in dimensions)) throw new CatalogInputError(`${field}.dimensions[${j}]`, `unknown dimension "${d}"`);
    });
    const variable: CubeVariable = { dimensions: [...v.dimensions], type: v.role ?? "data" };
    if (v.description !== undefined) variable.description = v.description;
    if (v.unit !== undefined) variable.unit = v.unit;
    out[v.name] = variable;
  });
  return out;
}

function checkName(name: string, field: string): void {
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$/.test(name)) {
    throw new CatalogInputError(field, `"${String(name)}" is not a valid variable or dimension name`);
  }
}
