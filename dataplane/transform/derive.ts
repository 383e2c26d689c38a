// One update of a derived store, at the edges of the pure transform: read the source's committed
// state, plan (checks every input first), compute the changed steps into staging, commit through
// the journal. `compute` is where the work runs: in this thread (computeLocal), or handed to the
// Dask payload as a derive task (apps/ingest-worker derive.py) which writes the same staged chunks.
import { allocate, bytesPerElement } from "../dtype.js";
import { decodeTime, parseTimeUnits } from "../cftime.js";
import { product } from "../ndarray.js";
import type { TypedArray } from "../types.js";
import { arrayOf, readRegion, writeRegion, type ZarrArray } from "../zarr/chunks.js";
import { fillValueNumber, readConsolidated, type Hierarchy, type ZarrFormat } from "../zarr/metadata.js";
import { openStore, openWritableStore } from "../zarr/open.js";
import type { ReadableStore, WritableStore } from "../zarr/store.js";
import { held } from "../zarr/chunks.js";
import { commitStaged, recoverJournal, StagingStore, type CommitHooks } from "./journal.js";
import type { TransformOptions } from "./options.js";
import type { SourceStep } from "./periods.js";
import { DeriveError, planDerive, type DerivedLedger, type DerivePlan, type SourceView, type TargetLayout } from "./plan.js";
import { decodeInto, decodingOf, Reducer } from "./statistics.js";

const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/** A run of consecutive output steps written in one region (never across an output time chunk). */
export interface Run {
  readonly from: number;
  readonly to: number;
}

/** What a compute backend is handed: the plan, the runs, and where source and target are. */
export interface DeriveWork {
  readonly plan: DerivePlan;
  readonly runs: readonly Run[];
  readonly transform: TransformOptions;
  readonly source: { readonly store: ReadableStore; readonly format: ZarrFormat; readonly hierarchy: Hierarchy };
  readonly staging: StagingStore;
  readonly format: ZarrFormat;
}

export interface ComputeStats {
  chunks: number;
  bytesWritten: number;
}

export type ComputeBackend = (work: DeriveWork) => Promise<ComputeStats>;

export interface DeriveOptions {
  /** The source Dataset's store URL (file://, s3://, a path). */
  readonly source: string;
  /** The derived Dataset's store URL. */
  readonly target: string;
  readonly transform: TransformOptions;
  readonly layout: Omit<TargetLayout, "format"> & { readonly format?: "zarr-v2" | "zarr-v3" };
  readonly compute?: ComputeBackend;
  readonly hooks?: CommitHooks;
}

export interface DeriveReport {
  /** Length of the derived time axis after the update. */
  readonly steps: number;
  readonly complete: number;
  readonly provisional: number;
  /** Output steps (periods) recomputed. */
  readonly recomputed: readonly number[];
  /** Data chunks written (the time coordinate and count/complete arrays not included). */
  readonly chunksRewritten: number;
  readonly bytesWritten: number;
  /** An interrupted update was finished first. */
  readonly recovered: boolean;
  /** Nothing to do: the derived store already matches the source. */
  readonly unchanged: boolean;
}

/** The source's time axis: its ledger's steps, or its decoded time coordinate. */
async function sourceView(url: string, store: ReadableStore): Promise<SourceView> {
  const state = await readConsolidated<{ concatDim?: string; groups?: Record<string, SourceStep[]> }>(store);
  if (state === undefined) throw new DeriveError("spec.source.datasetRef", `the source store ${url} holds no data yet`);
  const ledger = state.ledger;
  const groups = Object.keys(ledger?.groups ?? {});
  if (groups.length > 0 && !groups.includes("")) throw new DeriveError("spec.source.datasetRef", `the source store ${url} is a model-run store (groups ${groups.join(", ")}); derive from append or best-forecast Datasets`);
  const concatDim = ledger?.concatDim ?? ["ocean_time", "time", "MT"].find((d) => state.hierarchy.arrays[d] !== undefined);
  if (concatDim === undefined) throw new DeriveError("spec.source.datasetRef", `the source store ${url} has no time coordinate dmac recognises`);
  let steps = ledger?.groups?.[""];
  if (steps === undefined) {
    const time = arrayOf(store, state, concatDim);
    if (time === undefined) throw new DeriveError("spec.source.datasetRef", `the source store ${url} has no ${concatDim} coordinate`);
    const attrs = state.hierarchy.arrays[concatDim]?.attrs ?? {};
    const units = parseTimeUnits(attrs.units, attrs.calendar);
    steps = Array.from(await readRegion(time) as ArrayLike<number | bigint>, (v) => ({ t: decodeTime(Number(v), units) }));
  }
  return { url, format: state.format, hierarchy: state.hierarchy, concatDim, steps };
}

/** Changed output steps as runs, split where an output time chunk ends. */
export function runsOf(changed: readonly number[], timeChunk: number): Run[] {
  const runs: Run[] = [];
  for (const i of changed) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.to === i && Math.floor(i / timeChunk) === Math.floor(last.from / timeChunk)) runs[runs.length - 1] = { from: last.from, to: i + 1 };
    else runs.push({ from: i, to: i + 1 });
  }
  return runs;
}

/** Every combination of indices along `axes` of `shape` (one empty combination when there are none). */
function combinations(shape: readonly number[], axes: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const a of axes) out = out.flatMap((c) => Array.from({ length: shape[a] ?? 1 }, (_, k) => [...c, k]));
  return out;
}

/** Computes the runs in this thread: reads the source by regions, reduces, writes to staging. */
export const computeLocal: ComputeBackend = async ({ plan, runs, source, staging, format, transform }) => {
  const stats: ComputeStats = { chunks: 0, bytesWritten: 0 };
  for (const v of plan.variables) {
    const src = arrayOf(source.store, source, v.name) as ZarrArray;
    const node = plan.hierarchy.arrays[v.name];
    if (node === undefined) continue;
    const out: ZarrArray<WritableStore> = { store: staging, path: v.name, meta: node.meta, format };
    const oshape = node.meta.shape;
    const decoding = decodingOf(fillValueNumber(src.meta.fill_value), source.hierarchy.arrays[v.name]?.attrs ?? {}, held(src.meta.dtype));
    const outFill = fillValueNumber(node.meta.fill_value);
    const itemsize = bytesPerElement(held(node.meta.dtype));
    for (const split of combinations(oshape, v.splitAxes)) {
      // The output box of one output step (time count 1), and the source box for source steps [first, first + count).
      const inner = oshape.map((n, i) => (i === 0 ? 1 : v.splitAxes.includes(i) ? 1 : n));
      const innerStart = oshape.map((_, i) => (i === 0 ? 0 : v.splitAxes.includes(i) ? (split[v.splitAxes.indexOf(i)] ?? 0) : 0));
      const cells = product(inner);
      const sourceBox = (first: number, count: number): { start: number[]; count: number[] } => {
        const start: number[] = [];
        const cnt: number[] = [];
        let o = 1;
        v.sourceDims.forEach((_, i) => {
          if (i === 0) { start.push(first); cnt.push(count); return; }
          if (v.level !== undefined && i === v.level.axis) { start.push(v.level.index); cnt.push(1); return; }
          start.push(innerStart[o] ?? 0);
          cnt.push(inner[o] ?? 1);
          o++;
        });
        return { start, count: cnt };
      };
      const maxSteps = Math.max(1, Math.floor(MAX_BLOCK_BYTES / Math.max(1, cells * itemsize)));
      for (const run of runs) {
        for (let from = run.from; from < run.to; from += maxSteps) {
          const to = Math.min(run.to, from + maxSteps);
          let block: TypedArray;
          if (!v.decode) {
            const first = plan.steps[from]?.first ?? from;
            const box = sourceBox(first, to - from);
            block = await readRegion(src, box.start, box.count);
          } else {
            block = allocate(held(node.meta.dtype), (to - from) * cells);
            const step = new Float64Array(cells);
            for (let i = from; i < to; i++) {
              const s = plan.steps[i];
              if (s === undefined) continue;
              const reducer = new Reducer(transform.resample?.statistic ?? "mean", cells);
              const box = sourceBox(s.first, s.count);
              const raw = await readRegion(src, box.start, box.count);
              for (let k = 0; k < s.count; k++) reducer.add(decodeInto(raw.subarray(k * cells, (k + 1) * cells) as TypedArray, decoding, step));
              reducer.result(block.subarray((i - from) * cells, (i - from + 1) * cells) as TypedArray, outFill);
            }
          }
          const r = await writeRegion(out, [from, ...innerStart.slice(1)], [to - from, ...inner.slice(1)], block);
          stats.chunks += r.chunks;
          stats.bytesWritten += r.bytesWritten;
        }
      }
    }
  }
  return stats;
};

/** Writes the static coordinates (a new store) and the time axis arrays into staging. */
async function writeAxes(plan: DerivePlan, source: { store: ReadableStore; format: ZarrFormat; hierarchy: Hierarchy }, staging: StagingStore, format: ZarrFormat, fresh: boolean): Promise<number> {
  let bytes = 0;
  const put = async (path: string, data: TypedArray): Promise<void> => {
    const node = plan.hierarchy.arrays[path];
    if (node === undefined) return;
    bytes += (await writeRegion({ store: staging, path, meta: node.meta, format }, node.meta.shape.map(() => 0), node.meta.shape, data)).bytesWritten;
  };
  if (fresh) for (const path of plan.statics) await put(path, await readRegion(arrayOf(source.store, source, path) as ZarrArray));
  const { unitMs, referenceMs } = plan.timeUnits;
  await put(plan.concatDim, Float64Array.from(plan.steps, (s) => (s.t - referenceMs) / unitMs));
  if (plan.hierarchy.arrays[`${plan.concatDim}_count`] !== undefined) {
    await put(`${plan.concatDim}_count`, Int32Array.from(plan.steps, (s) => s.count));
    await put(`${plan.concatDim}_complete`, Int8Array.from(plan.steps, (s) => (s.complete ? 1 : 0)));
  }
  return bytes;
}

/** Brings the derived store up to date with its source: recomputes only the steps whose inputs changed. */
export async function derive(options: DeriveOptions): Promise<DeriveReport> {
  const sourceStore = await openStore(options.source);
  const target = await openWritableStore(options.target);
  const recovered = await recoverJournal(target);
  const src = await sourceView(options.source, sourceStore);
  const prior = await readConsolidated<DerivedLedger>(target);
  if (prior !== undefined && prior.ledger?.aggregation !== "derived") throw new DeriveError("spec.datasetRef", `the store ${options.target} holds data that was not derived (an ingest's store); give the derived job a Dataset of its own`);
  const format: ZarrFormat = prior?.format ?? (options.layout.format === "zarr-v3" ? 3 : 2);
  const sourceHandle = { store: sourceStore, format: src.format, hierarchy: src.hierarchy };
  const plan = await planDerive(src, options.transform, { ...options.layout, format }, prior?.ledger, async (path) => {
    const a = arrayOf(sourceStore, src, path);
    return a === undefined ? [] : Array.from(await readRegion(a) as ArrayLike<number | bigint>, Number);
  });
  const complete = plan.steps.filter((s) => s.complete).length;
  const base = { steps: plan.steps.length, complete, provisional: plan.steps.length - complete, recovered };
  if (prior !== undefined && JSON.stringify(prior.ledger) === JSON.stringify(plan.ledger)) return { ...base, recomputed: [], chunksRewritten: 0, bytesWritten: 0, unchanged: true };
  const staging = new StagingStore(target);
  const timeChunk = plan.variables.map((v) => plan.hierarchy.arrays[v.name]?.meta.chunks[0] ?? 1)[0] ?? 1;
  const runs = runsOf(plan.changed, timeChunk);
  const stats = await (options.compute ?? computeLocal)({ plan, runs, transform: options.transform, source: sourceHandle, staging, format });
  const axisBytes = await writeAxes(plan, sourceHandle, staging, format, prior === undefined);
  await commitStaged(target, staging, plan.hierarchy, plan.ledger, format, prior?.hierarchy, options.hooks);
  return { ...base, recomputed: plan.changed, chunksRewritten: stats.chunks, bytesWritten: stats.bytesWritten + axisBytes, unchanged: false };
}
