// What the aggregations need to know of one source file before planning: its grid (checked
// against the dataset's), the values of its variables without the time dimension (which must be
// identical in every file), its char data, its valid times and, from a NODD key, its cycle and kind.
// Used by the reference builder: the ingest's own reading (factsOf) and checks (judgeFacts).
import { SourceError, type SourceDataset, type TypedArray } from "../source/types.js";
import { factsOf, judgeFacts, type GridReference, type JudgedFacts } from "./file-facts.js";
import { guessConcatDim, type DatasetTemplate } from "./template.js";

export type { GridReference } from "./file-facts.js";

export interface InspectedFile extends JudgedFacts {
  template: DatasetTemplate;
  /** Values of the variables (numeric and char) without the aggregation dimension. */
  statics: Map<string, TypedArray>;
  /** Bytes of the char variables along the aggregation dimension (FVCOM Times). */
  chars: Map<string, Uint8Array>;
}

/** Inspects `src`; a file that cannot join the dataset throws a SourceError saying why. */
export async function inspectForAggregation(src: SourceDataset, opts: { concatDim?: string; reference?: GridReference; name?: string }): Promise<InspectedFile> {
  const name = opts.name ?? src.path;
  let concatDim: string;
  try {
    concatDim = opts.concatDim ?? opts.reference?.template.concatDim ?? guessConcatDim(src);
  } catch (err) {
    throw new SourceError(name, (err as Error).message.replace(`${src.path}: `, ""));
  }
  const facts = await factsOf(src, { input: name, concatDim, ...(opts.reference !== undefined ? { reference: opts.reference.template } : {}) });
  return { template: facts.template, statics: facts.statics, chars: facts.chars, ...judgeFacts(name, facts, opts.reference) };
}
