// The data API as the viewer uses it: the dataset listing, a dataset's grids and parameters, and
// the EDR position query for a point's time series (CoverageJSON).
import type { DatasetInfo } from "./dataset.js";

export interface Series {
  parameter: string;
  /** The grid cell the API chose (nearest wet cell). */
  lon: number;
  lat: number;
  z?: number;
  times: number[];
  values: Array<number | null>;
  units?: string;
}

async function json(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json, application/prs.coverage+json" } });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const description = typeof body === "object" && body !== null && "description" in body ? String((body as { description: unknown }).description) : `HTTP ${response.status}`;
    throw new Error(`${url}: ${description}`);
  }
  return body;
}

export class DataApi {
  /** `base` is the data API's root (the viewer's same-origin proxy). */
  constructor(readonly base: string) {}

  url(path: string): string {
    return `${this.base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  }

  async datasets(): Promise<string[]> {
    const ids = await json(this.url("datasets"));
    if (!Array.isArray(ids) || !ids.every((x) => typeof x === "string")) throw new Error(`${this.url("datasets")}: expected a list of dataset ids`);
    return ids as string[];
  }

  async dataset(id: string): Promise<DatasetInfo> {
    return (await json(this.url(`datasets/${encodeURIComponent(id)}`))) as DatasetInfo;
  }

  zarrUrl(id: string): string {
    return this.url(`datasets/${encodeURIComponent(id)}/zarr`);
  }

  async series(id: string, parameter: string, lon: number, lat: number, z?: number): Promise<Series> {
    const q = new URLSearchParams({ coords: `POINT(${lon} ${lat})`, "parameter-name": parameter, f: "CoverageJSON" });
    if (z !== undefined) q.set("z", String(z));
    const doc = await json(this.url(`collections/${encodeURIComponent(id)}/position?${q.toString()}`));
    return parseSeries(doc, parameter);
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown, what: string): Json => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`CoverageJSON: ${what} is not an object`);
  return v as Json;
};

/** One parameter's series from a CoverageJSON PointSeries (or the first coverage of a collection). */
export function parseSeries(doc: unknown, parameter: string): Series {
  let coverage = obj(doc, "document");
  if (coverage["type"] === "CoverageCollection") {
    const list = coverage["coverages"];
    const found = Array.isArray(list) ? list.find((c) => typeof c === "object" && c !== null && parameter in obj(obj(c, "coverage")["ranges"], "ranges")) : undefined;
    if (found === undefined) throw new Error(`CoverageJSON: no coverage has parameter ${parameter}`);
    coverage = obj(found, "coverage");
  }
  const axes = obj(obj(coverage["domain"], "domain")["axes"], "domain.axes");
  const axisValues = (name: string): unknown[] => {
    const a = axes[name];
    if (a === undefined) return [];
    const values = obj(a, `axis ${name}`)["values"];
    return Array.isArray(values) ? values : [];
  };
  const range = obj(obj(coverage["ranges"], "ranges")[parameter], `ranges.${parameter}`);
  const values = range["values"];
  if (!Array.isArray(values)) throw new Error(`CoverageJSON: ranges.${parameter}.values is not an array`);
  const times = axisValues("t").map((t) => Date.parse(String(t)));
  if (times.length !== values.length) throw new Error(`CoverageJSON: ${times.length} times but ${values.length} values for ${parameter}`);
  const parameters = obj(coverage["parameters"] ?? {}, "parameters");
  const unit = (parameters[parameter] as { unit?: { symbol?: unknown; label?: unknown } } | undefined)?.unit;
  const units = typeof unit?.symbol === "string" ? unit.symbol : typeof unit?.label === "string" ? unit.label : undefined;
  const z = axisValues("z")[0];
  return {
    parameter,
    lon: Number(axisValues("x")[0]),
    lat: Number(axisValues("y")[0]),
    ...(typeof z === "number" ? { z } : {}),
    times,
    values: values.map((v) => (typeof v === "number" ? v : null)),
    ...(units !== undefined ? { units } : {}),
  };
}
