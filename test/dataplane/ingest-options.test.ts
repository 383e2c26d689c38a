// The API-to-ingest mapping is complete: every spec field of every kind (walked from the CRD
// schemas in crds/api/) is either mapped by ingestOptionsFor or listed with a reason as
// operator-only, and every mapped field changes what ingestOptionsFor returns (so deleting a
// mapping line fails here).
import { describe, expect, it } from "vitest";
import type { TSchema } from "@sinclair/typebox";
import { kinds } from "../../crds/api/index.js";
import { SPEC_FIELDS, ingestOptionsFor, type DatasetFields, type IngestJobFields } from "../../dataplane/ingest-options.js";
import { transformOptionsFor, type TransformSpec } from "../../dataplane/transform/options.js";

/** Leaf field paths of a schema: `a.b`, `[]` for list items; maps (additionalProperties) are leaves. */
function leaves(schema: TSchema, path: string): string[] {
  const s = schema as { type?: string; properties?: Record<string, TSchema>; items?: TSchema };
  if (s.type === "object" && s.properties !== undefined && Object.keys(s.properties).length > 0)
    return Object.entries(s.properties).flatMap(([name, child]) => leaves(child, `${path}.${name}`));
  if (s.type === "array" && s.items !== undefined && (s.items as { type?: string }).type === "object") return leaves(s.items, `${path}[]`);
  return [path];
}

const allLeaves = kinds.flatMap((k) => leaves(k.spec, `${k.kind}.spec`));

/** The table entry covering `path` (itself or the nearest listed parent). */
function coverOf(path: string): string | undefined {
  for (let p = path; p.length > 0; p = p.replace(/(\[\])?\.[^.]*$|\[\]$/, "")) {
    if (SPEC_FIELDS[p] !== undefined) return p;
    if (!/[.[]/.test(p)) break;
  }
  return undefined;
}

const baseDataset = (): { spec: DatasetFields } => ({
  spec: {
    storage: { format: "zarr-v2" },
    model: "generic",
    dimensions: [{ name: "x", size: 3, chunk: 2 }],
    aggregation: { type: "model-run", concatDim: "time", identicalDims: ["x"], cycle: "2023-10-22T00:00:00Z", runType: "forecast" },
    encoding: { codec: "zlib", level: 1 },
    attributes: { title: "a" },
  },
});
const baseJob = (): { spec: IngestJobFields } => ({ spec: { format: "auto", variables: { include: ["a"] }, parallelism: 1 } });

/** Two values of a field that must lead to two different ingest options. */
const variants: Record<string, [unknown, unknown]> = {
  "Dataset.spec.storage.format": ["zarr-v2", "zarr-v3"],
  "Dataset.spec.model": ["generic", "roms"],
  "Dataset.spec.featureType": ["grid", "timeSeries"],
  "Dataset.spec.dimensions[].name": ["x", "y"],
  "Dataset.spec.dimensions[].size": [3, 4],
  "Dataset.spec.dimensions[].chunk": [2, 5],
  "Dataset.spec.aggregation.type": ["model-run", "append"],
  "Dataset.spec.aggregation.concatDim": ["time", "ocean_time"],
  "Dataset.spec.aggregation.identicalDims": [["x"], ["y"]],
  "Dataset.spec.aggregation.cycle": ["2023-10-22T00:00:00Z", "2023-10-22T06:00:00Z"],
  "Dataset.spec.aggregation.runType": ["forecast", "nowcast"],
  "Dataset.spec.encoding.codec": ["zlib", "zstd"],
  "Dataset.spec.encoding.level": [1, 3],
  "Dataset.spec.attributes": [{ title: "a" }, { title: "b" }],
  "IngestJob.spec.format": ["auto", "netcdf4"],
  "IngestJob.spec.variables.include": [["a"], ["b"]],
  "IngestJob.spec.variables.exclude": [["a"], ["b"]],
  "IngestJob.spec.parallelism": [1, 2],
};

/** Sets `path` (without the kind) in an object, creating what is missing; `[]` is the list's first item. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".").slice(1);
  let at: Record<string, unknown> = root;
  parts.forEach((raw, i) => {
    const list = raw.endsWith("[]");
    const name = list ? raw.slice(0, -2) : raw;
    if (i === parts.length - 1) {
      at[name] = value;
      return;
    }
    if (list) at = ((at[name] as Record<string, unknown>[])[0] ??= {});
    else at = (at[name] ??= {}) as Record<string, unknown>;
  });
}

function optionsWith(path: string, value: unknown): unknown {
  const dataset = baseDataset();
  const job = baseJob();
  if (path === "IngestJob.spec.variables.exclude") job.spec.variables = {};
  setPath((path.startsWith("Dataset.") ? dataset : job) as unknown as Record<string, unknown>, path, value);
  return ingestOptionsFor(dataset, job);
}

describe("ingestOptionsFor: every spec field is mapped or listed with a reason", () => {
  it("the CRD schemas have the fields this test expects to walk", () => {
    expect(allLeaves).toContain("Dataset.spec.dimensions[].size");
    expect(allLeaves).toContain("IngestJob.spec.variables.include");
    expect(allLeaves).toContain("Dataset.spec.aggregation.cycle");
    expect(allLeaves.length).toBeGreaterThan(40);
  });

  it.each(allLeaves)("%s is mapped or listed as operator-only", (path) => {
    const cover = coverOf(path);
    expect(cover, `${path}: neither mapped by ingestOptionsFor nor listed in SPEC_FIELDS (dataplane/ingest-options.ts)`).toBeDefined();
    const use = SPEC_FIELDS[cover as string];
    if (use !== undefined && "operatorOnly" in use) expect(use.operatorOnly.length, `${cover}: give the reason`).toBeGreaterThan(10);
  });

  it("every SPEC_FIELDS entry names a field of the schemas (no stale entries)", () => {
    for (const path of Object.keys(SPEC_FIELDS)) expect(allLeaves.some((leaf) => leaf === path || leaf.startsWith(`${path}.`) || leaf.startsWith(`${path}[]`)), path).toBe(true);
  });

  const mapped = Object.entries(SPEC_FIELDS).filter(([, use]) => "option" in use).map(([path]) => path);
  it.each(mapped)("%s changes the ingest options (its mapping line is live)", (path) => {
    const pair = variants[path];
    expect(pair, `${path}: add two values for it to the variants table`).toBeDefined();
    const [a, b] = pair as [unknown, unknown];
    expect(optionsWith(path, a)).not.toEqual(optionsWith(path, b));
  });

  const baseTransform = (): TransformSpec => ({
    select: { variables: ["zeta"], level: "surface" },
    resample: { period: "1d", statistic: "max", utcOffset: "+00:00" },
    rechunk: { timeChunk: 24, tile: 8 },
  });
  const transformVariants: Record<string, [unknown, unknown]> = {
    "IngestJob.spec.transform.select.variables": [["zeta"], ["temp"]],
    "IngestJob.spec.transform.select.level": ["surface", 0],
    "IngestJob.spec.transform.resample.period": ["1d", "6h"],
    "IngestJob.spec.transform.resample.statistic": ["max", "mean"],
    "IngestJob.spec.transform.resample.utcOffset": ["+00:00", "-05:00"],
    "IngestJob.spec.transform.rechunk.timeChunk": [24, 720],
    "IngestJob.spec.transform.rechunk.tile": [8, 16],
  };
  const transformed = Object.entries(SPEC_FIELDS).filter(([, use]) => "transform" in use).map(([path]) => path);
  it.each(transformed)("%s changes the transform options (its mapping line is live)", (path) => {
    const pair = transformVariants[path];
    expect(pair, `${path}: add two values for it to the transformVariants table`).toBeDefined();
    const [a, b] = (pair as [unknown, unknown]).map((value) => {
      const t = baseTransform() as unknown as Record<string, unknown>;
      setPath({ spec: t } as unknown as Record<string, unknown>, path.replace("IngestJob.spec.transform", "x.spec"), value);
      return transformOptionsFor(t as unknown as TransformSpec);
    });
    expect(a).not.toEqual(b);
  });

  it("maps a full transform to its options (periods and offsets in milliseconds)", () => {
    expect(transformOptionsFor(baseTransform())).toEqual({
      variables: ["zeta"],
      level: "surface",
      resample: { period: "1d", periodMs: 86_400_000, statistic: "max", utcOffset: "+00:00", offsetMs: 0 },
      rechunk: { timeChunk: 24, tile: 8 },
    });
    expect(transformOptionsFor({ resample: { period: "6h", statistic: "mean", utcOffset: "-05:30" } }).resample).toMatchObject({ periodMs: 21_600_000, offsetMs: -19_800_000 });
  });

  it("maps a full Dataset and IngestJob to the ingest options", () => {
    expect(ingestOptionsFor(baseDataset(), baseJob())).toEqual({
      aggregation: { type: "model-run", concatDim: "time", identicalDims: ["x"], cycle: "2023-10-22T00:00:00Z", runType: "forecast" },
      chunking: { x: 2 },
      dimensionSizes: { x: 3 },
      variables: { include: ["a"] },
      model: "generic",
      inputFormat: "auto",
      encoding: { codec: "zlib", level: 1 },
      format: "zarr-v2",
      attributes: { title: "a" },
      concurrency: 1,
    });
  });

  it("an empty spec maps to no options (the ingest's defaults)", () => {
    expect(ingestOptionsFor({ spec: {} }, { spec: {} })).toEqual({});
  });
});
