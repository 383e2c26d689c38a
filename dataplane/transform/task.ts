// The derive task (`dmac.ioos.us/derive-task/v1`): what the Dask payload (apps/ingest-worker,
// derive.py) needs to compute a derived update's changed steps into the same staging keys the
// local computation writes. The plan, the journal and the commit stay here; the payload only
// computes and reports the keys it staged. `daskCompute` is the ComputeBackend that hands a task
// to a runner (a DaskJob in the operator, a LocalCluster process in tests) and takes its keys.
import { fillValueNumber } from "../zarr/metadata.js";
import { arrayOf, held } from "../zarr/chunks.js";
import type { StoreKey } from "../zarr/store.js";
import type { ArrayMetaV2 } from "../zarr/metadata.js";
import type { ComputeBackend, DeriveWork, Run } from "./derive.js";
import { decodingOf, type Decoding } from "./statistics.js";
import type { Statistic } from "./options.js";

export const DERIVE_CONTRACT = "dmac.ioos.us/derive-task/v1";

export interface DeriveTask {
  readonly contract: typeof DERIVE_CONTRACT;
  readonly source: { readonly store: string; readonly zarrFormat: 2 | 3 };
  /** Chunks go to `<store>/<staging>/<chunk key>`; existing chunks a partial write merges with are read from the store. */
  readonly target: { readonly store: string; readonly zarrFormat: 2 | 3; readonly staging: string };
  readonly statistic: Statistic | null;
  /** Source steps [first, first + count) of each output step (all of them; runs say which to compute). */
  readonly steps: readonly { readonly first: number; readonly count: number }[];
  readonly runs: readonly Run[];
  readonly variables: readonly {
    readonly name: string;
    readonly source: { readonly zarray: ArrayMetaV2; readonly decoding: Decoding };
    readonly level: { readonly axis: number; readonly index: number } | null;
    readonly decode: boolean;
    readonly splitAxes: readonly number[];
    readonly target: { readonly zarray: ArrayMetaV2 };
  }[];
}

export interface DeriveTaskResult {
  readonly chunks: number;
  readonly bytesWritten: number;
  /** Chunk keys written under the staging prefix, relative to the store ("zeta/3.0.0"). */
  readonly staged: readonly string[];
}

/** The task document of one update's work. */
export function deriveTask(work: DeriveWork, sourceUrl: string, targetUrl: string): DeriveTask {
  const { plan, source } = work;
  return {
    contract: DERIVE_CONTRACT,
    source: { store: sourceUrl, zarrFormat: source.format },
    target: { store: targetUrl, zarrFormat: work.format, staging: ".dmac/derive/staging" },
    statistic: work.transform.resample?.statistic ?? null,
    steps: plan.steps.map((s) => ({ first: s.first, count: s.count })),
    runs: work.runs,
    variables: plan.variables.map((v) => {
      const src = arrayOf(source.store, source, v.name);
      const out = plan.hierarchy.arrays[v.name];
      if (src === undefined || out === undefined) throw new Error(`internal: ${v.name} is not in the plan`);
      return {
        name: v.name,
        source: { zarray: src.meta, decoding: decodingOf(fillValueNumber(src.meta.fill_value), source.hierarchy.arrays[v.name]?.attrs ?? {}, held(src.meta.dtype)) },
        level: v.level !== undefined ? { axis: v.level.axis, index: v.level.index } : null,
        decode: v.decode,
        splitAxes: v.splitAxes,
        target: { zarray: out.meta },
      };
    }),
  };
}

/** A backend that runs the derive task elsewhere (`run` resolves with the payload's result) and adopts its staged keys. */
export function daskCompute(sourceUrl: string, targetUrl: string, run: (task: DeriveTask) => Promise<DeriveTaskResult>): ComputeBackend {
  return async (work) => {
    const result = await run(deriveTask(work, sourceUrl, targetUrl));
    for (const key of result.staged) work.staging.adopt(`/${key}` as StoreKey);
    return { chunks: result.chunks, bytesWritten: result.bytesWritten };
  };
}
