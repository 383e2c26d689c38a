// The ingest task contract, version 1: what one unit of work is, in JSON. The local executor
// (worker threads) runs these; the Dask payload runs the same documents (docs/task-contract.md).
// A task copies time steps of one source file into regions of Zarr arrays whose metadata the
// task carries, so a worker needs neither the store's (possibly uncommitted) metadata nor the planner.
import { createRequire } from "node:module";
import type { Ajv as AjvClass } from "ajv";
import type { ArrayMetaV2 } from "./zarr/metadata.js";

export const TASK_CONTRACT = "dmac.ioos.us/ingest-task/v1" as const;

export interface IngestTask {
  contract: typeof TASK_CONTRACT;
  /** Unique within one plan; used in progress reports and logs. */
  id: string;
  source: {
    /**
     * The NetCDF-3/4 file: a local path, a file:// URL, or an s3:// / https:// URL that the executor
     * reads itself (the Dask payload does; the local executor is handed the operator's fetched copy).
     */
    url: string;
  };
  target: {
    /** Zarr store URL: file://, a plain local path, or s3://bucket/prefix. */
    store: string;
    /** 2 (default) or 3: chunk keys `0.1.2` or `c/0/1/2`; `zarray` describes the array either way. */
    zarrFormat?: 2 | 3;
  };
  /** The aggregation dimension; the first dimension of every listed array. */
  concatDim: string;
  /** Which step of the source goes to which index of the targets, along `concatDim`. */
  steps: Array<{ source: number; target: number }>;
  arrays: Array<{
    /** Variable name in the source file. */
    variable: string;
    /** Array path inside the store, no leading slash ("zeta", "forecast/zeta"). */
    path: string;
    /** The array's Zarr v2 metadata as it will be committed (shape may exceed what readers see now). */
    zarray: ArrayMetaV2;
  }>;
}

export interface TaskResult {
  id: string;
  chunks: number;
  bytesWritten: number;
  /** Uncompressed bytes read from the source. */
  bytesRead: number;
}

const nonNegInt = { type: "integer", minimum: 0 } as const;

/** JSON Schema (draft 2020-12 subset) of `IngestTask`, for validation on both executors. */
export const ingestTaskSchema = {
  $id: "https://dmac.ioos.us/schemas/ingest-task/v1.json",
  type: "object",
  additionalProperties: false,
  required: ["contract", "id", "source", "target", "concatDim", "steps", "arrays"],
  properties: {
    contract: { const: TASK_CONTRACT },
    id: { type: "string", minLength: 1, maxLength: 256 },
    source: { type: "object", additionalProperties: false, required: ["url"], properties: { url: { type: "string", minLength: 1 } } },
    target: { type: "object", additionalProperties: false, required: ["store"], properties: { store: { type: "string", minLength: 1 }, zarrFormat: { enum: [2, 3] } } },
    concatDim: { type: "string", minLength: 1 },
    steps: {
      type: "array",
      items: { type: "object", additionalProperties: false, required: ["source", "target"], properties: { source: nonNegInt, target: nonNegInt } },
    },
    arrays: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["variable", "path", "zarray"],
        properties: {
          variable: { type: "string", minLength: 1 },
          path: { type: "string", pattern: "^[^/.][^/]*(/[^/.][^/]*)*$" },
          zarray: {
            type: "object",
            required: ["zarr_format", "shape", "chunks", "dtype", "compressor", "fill_value", "order", "filters"],
            properties: {
              zarr_format: { const: 2 },
              shape: { type: "array", items: nonNegInt },
              chunks: { type: "array", items: { type: "integer", minimum: 1 } },
              dtype: { enum: ["|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8"] },
              compressor: { type: ["object", "null"] },
              fill_value: { type: ["number", "string", "null"] },
              order: { const: "C" },
              filters: { type: "null" },
              dimension_separator: { const: "." },
            },
          },
        },
      },
    },
  },
} as const;

let validator: ((x: unknown) => boolean) & { errors?: unknown } | undefined;

/** Checks a task document; throws an error naming the offending field. */
export function validateTask(doc: unknown): IngestTask {
  // Loaded on first use: ajv costs ~0.1 s of start-up that a process running tasks inline never needs.
  if (validator === undefined) {
    const { Ajv } = createRequire(import.meta.url)("ajv") as { Ajv: typeof AjvClass };
    validator = new Ajv({ allErrors: false, strict: false }).compile(ingestTaskSchema);
  }
  if (!validator(doc)) {
    const [first] = (validator.errors as Array<{ instancePath: string; message?: string }> | undefined) ?? [];
    throw new Error(`ingest task${first?.instancePath ?? ""}: ${first?.message ?? "invalid"}`);
  }
  return doc as IngestTask;
}
