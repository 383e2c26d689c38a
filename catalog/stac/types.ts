// The STAC 1.0.0 documents the catalog stores and serves, typed for our own code.
// The official JSON Schemas are only used by the conformance tests; these types are the
// contract between the builders, the store and the API.

export type Bbox = [number, number, number, number] | [number, number, number, number, number, number];

export type Position = number[];

export type Geometry =
  | { type: "Point"; coordinates: Position }
  | { type: "MultiPoint"; coordinates: Position[] }
  | { type: "LineString"; coordinates: Position[] }
  | { type: "MultiLineString"; coordinates: Position[][] }
  | { type: "Polygon"; coordinates: Position[][] }
  | { type: "MultiPolygon"; coordinates: Position[][][] }
  | { type: "GeometryCollection"; geometries: Geometry[] };

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  method?: string;
  body?: Record<string, unknown>;
  merge?: boolean;
  headers?: Record<string, string>;
}

export interface Provider {
  name: string;
  description?: string;
  roles?: Array<"licensor" | "producer" | "processor" | "host">;
  url?: string;
}

export interface Asset {
  href: string;
  type?: string;
  title?: string;
  description?: string;
  roles?: string[];
  [field: string]: unknown;
}

export interface CubeDimension {
  type: string;
  axis?: "x" | "y" | "z";
  description?: string;
  extent?: Array<number | string | null>;
  values?: Array<number | string>;
  step?: number | string | null;
  unit?: string;
  reference_system?: string | number | Record<string, unknown>;
}

export interface CubeVariable {
  dimensions: string[];
  type?: "data" | "auxiliary";
  description?: string;
  unit?: string;
  extent?: Array<number | string | null>;
  values?: Array<number | string>;
}

export interface StacCollection {
  type: "Collection";
  stac_version: "1.0.0";
  stac_extensions: string[];
  id: string;
  title?: string;
  description: string;
  keywords?: string[];
  license: string;
  providers?: Provider[];
  extent: {
    spatial: { bbox: Bbox[] };
    temporal: { interval: Array<[string | null, string | null]> };
  };
  summaries?: Record<string, unknown>;
  links: Link[];
  assets?: Record<string, Asset>;
  "cube:dimensions"?: Record<string, CubeDimension>;
  "cube:variables"?: Record<string, CubeVariable>;
  [field: string]: unknown;
}

export interface ItemProperties {
  datetime: string | null;
  start_datetime?: string;
  end_datetime?: string;
  title?: string;
  description?: string;
  [field: string]: unknown;
}

export interface StacItem {
  type: "Feature";
  stac_version: "1.0.0";
  stac_extensions: string[];
  id: string;
  collection?: string;
  geometry: Geometry | null;
  bbox?: Bbox;
  properties: ItemProperties;
  links: Link[];
  assets: Record<string, Asset>;
}

export const STAC_VERSION = "1.0.0" as const;
export const DATACUBE_EXTENSION = "https://stac-extensions.github.io/datacube/v2.2.0/schema.json";
export const ZARR_MEDIA_TYPE = "application/vnd+zarr";
