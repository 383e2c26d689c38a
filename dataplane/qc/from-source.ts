// Adapter from the data plane's readers (dataplane/source) to QC's input: a SourceDataset already
// has the shape QC expects (variables with dtype, dims, shape, attrs and fillValue) and a `read`
// that returns packed hyperslabs, so this only renames `path` to `source`.
import type { SourceDataset } from "../source/types.js";
import type { ReadSlab } from "./run.js";
import type { QcFile } from "./types.js";

export function qcInputFromSource(dataset: SourceDataset): { file: QcFile; read: ReadSlab } {
  return {
    file: { source: dataset.path, attrs: dataset.attrs, variables: dataset.variables },
    read: (variable, start, count) => dataset.read(variable, start, count),
  };
}
