// The ingest's public options and report, and the ledger a store keeps beside its consolidated
// metadata. Shared by the orchestrator (ingest.ts) and its steps (ingest/*.ts).
import type { QcConfig } from "../qc/config.js";
import type { AttrValue } from "../types.js";
import type { InputFormat } from "../source/open.js";
import type { DatasetTemplate } from "../aggregate/template.js";
import type { AggregationType, LedgerStep } from "../aggregate/plan.js";
import type { ModelFamily, VariableSelection } from "../aggregate/select.js";
import type { CodecOptions } from "../zarr/codecs.js";
import type { ExecutionOutcome, LocalExecutorOptions } from "../executor/local.js";
import type { IngestTask } from "../task.js";
import type { OverviewRecord } from "../multiscale/writer.js";

export interface AggregationOptions {
  type?: AggregationType;
  /** Dimension files are joined along; by default the model family's time dimension. */
  concatDim?: string;
  /** Dimensions whose coordinates must be identical in every file (default: all of them). */
  identicalDims?: string[];
  /** model-run only: the forecast cycle the store holds (RFC 3339); files of other cycles are skipped. */
  cycle?: string;
  /** model-run only: keep only forecast or only nowcast files; the others are skipped. */
  runType?: "forecast" | "nowcast";
}

export interface IngestOptions {
  /** Target Zarr store: a local path, file:// or s3:// URL. */
  store: string;
  /** Local NetCDF files (fetch remote ones first; see `resolveInputs`). */
  inputs: string[];
  aggregation?: AggregationOptions;
  /** Chunk length per dimension name; unlisted dimensions are one chunk, the aggregation dimension 1. */
  chunking?: Record<string, number>;
  /** Expected length per dimension name: a file with another length is refused. */
  dimensionSizes?: Record<string, number>;
  /** The variables to keep (with the coordinates and grid variables they need); all by default. */
  variables?: VariableSelection;
  /** Model family: which grid variables a variable selection keeps beyond those CF attributes name. */
  model?: ModelFamily;
  /** What the inputs' magic bytes must say; auto (default) takes NetCDF-3 and NetCDF-4. */
  inputFormat?: InputFormat;
  encoding?: CodecOptions;
  /** `storage.format`: Zarr v2 (default; what xarray here reads) or v3. Fixed when the store is created. */
  format?: "zarr-v2" | "zarr-v3";
  /** Global attributes to set (a value) or remove (null) on the store's groups. */
  attributes?: Record<string, AttrValue | null>;
  /**
   * `timeSeries`: the inputs are station observations (CF DSG timeSeries NetCDF or ERDDAP CSV),
   * ingested into a station x time store by dataplane/observations/ instead of the grid pipeline.
   */
  featureType?: "grid" | "timeSeries";
  /**
   * featureType timeSeries only: the IngestJob's qualityControl, whose QARTOD tests set the flag
   * stored beside each value (grids are gated file by file before the ingest instead).
   */
  qualityControl?: QcConfig;
  /** Worker threads for the copy (default 0: on the calling thread, `filesAtOnce` files at a time). */
  concurrency?: number;
  /** With `concurrency` 0: files copied at once on the calling thread (default 2). */
  filesAtOnce?: number;
  /** Files copied between two commits of the consolidated metadata (default 16). */
  commitEvery?: number;
  onProgress?: (p: IngestProgress) => void;
  /**
   * Overview levels (dataplane/multiscale/, docs/dataplane.md "Overviews (multiscale)"): a regular
   * or curvilinear grid whose longest horizontal side exceeds `gridThreshold` (default 512) gets
   * block-mean levels until that side fits; a mesh with more than `meshNodes` nodes (default
   * 50,000) gets simplified levels. Not an API field (tests use small grids); not pinned by the
   * store: a run whose thresholds give other levels rebuilds them. Infinity: none. Levels behind
   * the store's steps (made before overviews, other thresholds) catch up `catchUpSteps` steps a
   * commit (default 48), committing after each batch.
   */
  overviews?: { gridThreshold?: number; meshNodes?: number; catchUpSteps?: number };
  /**
   * Runs the copy tasks; the worker-thread executor by default. The operator passes a DaskJob
   * executor here: the tasks follow the same contract (task.ts) wherever they run.
   */
  executor?: (chains: IngestTask[][], opts: LocalExecutorOptions) => Promise<ExecutionOutcome>;
}

export type IngestProgress =
  | { phase: "inspect"; done: number; total: number; file: string }
  | { phase: "write"; done: number; total: number; bytesWritten: number }
  | { phase: "commit" }
  /** Overview levels being written before a commit: `done` of `total` (variable, time step) pairs. */
  | { phase: "overview"; done: number; total: number };

export interface FileOutcome {
  input: string;
  status: "ingested" | "skipped" | "refused";
  reason?: string;
  timeSteps: number;
}

export interface IngestReport {
  store: string;
  aggregation: AggregationType;
  files: FileOutcome[];
  /** Time steps written by this run. */
  timeSteps: number;
  bytesWritten: number;
  /** Length of the aggregation dimension per group after the commit ("" is the root). */
  lengths: Record<string, number>;
}

/** What the store keeps beside its consolidated metadata to make ingests idempotent. */
export interface Ledger {
  version: 1;
  aggregation: AggregationType;
  concatDim: string;
  template: DatasetTemplate;
  cycleMs?: number;
  groups: Record<string, LedgerStep[]>;
  /** Layout fixed when the store was created; later runs keep it. */
  encoding?: CodecOptions;
  chunking?: Record<string, number>;
  attributes?: Record<string, AttrValue | null>;
  format?: "zarr-v2" | "zarr-v3";
  /**
   * Steps per chunk of the arrays the planner writes along the aggregation dimension (its
   * coordinate and char variables). Absent in stores made before it existed: those keep the
   * data arrays' chunking there.
   */
  axisChunk?: number;
  /**
   * Horizontal chunk length of regular and curvilinear grid dimensions longer than it that
   * `chunking` does not set (SPATIAL_CHUNK in new stores). Absent in stores made before it: those
   * keep whole horizontal chunks.
   */
  spatialChunk?: number;
  /**
   * Overview levels per group ("" the root): their kind, level count and how many steps of the
   * group they cover (dataplane/multiscale/). Absent: no overviews (small grids, older stores).
   */
  overviews?: Record<string, OverviewRecord>;
}

/**
 * Steps per chunk of the time coordinate (and char variables) in new stores. Only the planner
 * writes them, one file at a time, so they need not follow the data's one-step chunks; xarray
 * reads the whole coordinate when it opens a store, and 8,760 hourly steps should not be 8,760 objects.
 */
export const AXIS_CHUNK = 1024;
