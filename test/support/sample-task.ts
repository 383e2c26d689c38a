// One valid ingest task (contract v1), the starting point of the tests that break it field by
// field: the contract checks in TypeScript (test/dataplane/executor.test.ts) and in the Dask
// payload (test/ingest-worker/contract.test.ts) must refuse the same documents.
import { TASK_CONTRACT, type IngestTask } from "../../dataplane/index.js";

export const sampleTask: IngestTask = {
  contract: TASK_CONTRACT,
  id: "t1",
  source: { url: "/data/a.nc" },
  target: { store: "s3://bucket/x.zarr" },
  concatDim: "ocean_time",
  steps: [{ source: 0, target: 3 }],
  arrays: [
    {
      variable: "zeta",
      path: "forecast/zeta",
      zarray: { zarr_format: 2, shape: [4, 5, 7], chunks: [1, 5, 7], dtype: "<f4", compressor: { id: "zlib", level: 1 }, fill_value: "NaN", order: "C", filters: null, dimension_separator: "." },
    },
  ],
};
