// The answer to an EDR query before encoding: groups of parameters that share a grid, a time
// axis and a vertical axis, each with its stations (cell, and level when there is one).
export interface Station {
  /** Flat cell index in the grid. */
  cell: number;
  lon: number;
  lat: number;
  /** Vertical level index and value, when the group has a vertical axis. */
  zIndex?: number;
  z?: number;
}

export interface ParameterInfo {
  name: string;
  description: string;
  units?: string;
  standardName?: string;
  dataType: "float" | "integer";
  /** Values are float32 (as xarray decodes them): written with float32's shortest digits. */
  float32: boolean;
}

export interface ResultGroup {
  grid: string;
  zAxis?: { name: string; units?: string; positive?: string; isIndex: boolean };
  /** Epoch milliseconds. */
  times: number[];
  stations: Station[];
  parameters: Array<{ info: ParameterInfo; /** [time][station], NaN where missing. */ values: Float64Array }>;
}

export interface QueryResult {
  collection: string;
  queryType: "position" | "area" | "cube";
  groups: ResultGroup[];
}
