// The store layouts bench/scale/ingest.ts measures: each a Dataset and IngestJob spec as the
// operator would get them, mapped by the same ingestOptionsFor, and the same layout given to
// xarray (xarray_ingest.py reads this module's JSON from ingest.ts).
import type { DatasetFields, IngestJobFields } from "../../dataplane/ingest-options.js";

export interface BenchLayout {
  description: string;
  dataset: { spec: DatasetFields };
  job: { spec: IngestJobFields & { parallelism: number } };
}

const cbofs: DatasetFields = {
  model: "roms",
  aggregation: { type: "best-forecast", concatDim: "ocean_time" },
  storage: { format: "zarr-v2" },
};

export const BENCH_LAYOUTS: Record<string, BenchLayout> = {
  // What a CBOFS Dataset gets without dimensions[].chunk or encoding: one step per chunk, zlib 1.
  default: {
    description: "best-forecast, every variable, defaults: one time step per chunk, other dims whole, zlib level 1",
    dataset: { spec: { ...cbofs } },
    job: { spec: { parallelism: 2 } },
  },
  // RTOFS global 2-D fields: the same defaults (horizontal chunks as the ingest chooses for large grids).
  rtofs: {
    description: "best-forecast along MT, every variable, defaults (time chunk 1, zlib level 1)",
    dataset: { spec: { model: "rtofs", aggregation: { type: "best-forecast", concatDim: "MT" }, storage: { format: "zarr-v2" } } },
    job: { spec: { parallelism: 2 } },
  },
  // The shipped CBOFS sample's layout (crds/samples.ts) with every variable and no QC gate.
  sample: {
    description: "best-forecast, every variable, the shipped CBOFS sample's layout: 24 steps per chunk, blosc-lz4 level 5",
    dataset: { spec: { ...cbofs, dimensions: [{ name: "ocean_time", chunk: 24 }], encoding: { codec: "blosc-lz4", level: 5 } } },
    job: { spec: { parallelism: 2 } },
  },
};
