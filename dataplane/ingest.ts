// The ingest pipeline: inspect source files, check them against the dataset's grid, plan where
// their time steps go, run the copy tasks on the local executor, then commit the new shapes and
// the ledger in one atomic write of the consolidated metadata.
import { basename } from "node:path";
import { SourceError, type AttrValue, type Attributes, type TypedArray } from "./source/types.js";
import { isTimeDependent, templateFromLedger, type DatasetTemplate, type TemplateVariable } from "./aggregate/template.js";
import { judgeFacts, readFileFacts, staticChars, staticVariables, type FactsRequest, type FileFacts } from "./aggregate/file-facts.js";
import { planAggregation, type AggregationType, type Candidate, type LedgerStep, type Plan } from "./aggregate/plan.js";
import { compressorConfig, type CodecOptions } from "./zarr/codecs.js";
import { commitHierarchy, fillValueJson, readConsolidated, type ArrayMetaV2, type Hierarchy } from "./zarr/metadata.js";
import { openWritableStore, type WritableStore } from "./zarr/store.js";
import { readRegion, writeRegion } from "./zarr/chunks.js";
import { product } from "./ndarray.js";
import { runLocal, type ExecutionOutcome, type LocalExecutorOptions, type TaskProgress } from "./executor/local.js";
import type { IngestTask, TaskResult } from "./task.js";
import { inLanes } from "./lanes.js";
import { SpeculativeCopy, oneStepChunks, sameWrites, type SpeculativeOutcome } from "./executor/speculative.js";
import { arrayPath, isAggregationCoordinate, taskFor } from "./aggregate/tasks.js";

export interface AggregationOptions {
  type?: AggregationType;
  /** Dimension files are joined along; by default the model family's time dimension. */
  concatDim?: string;
  /** Dimensions whose coordinates must be identical in every file (default: all of them). */
  identicalDims?: string[];
}

export interface IngestOptions {
  /** Target Zarr store: a local path, file:// or s3:// URL. */
  store: string;
  /** Local NetCDF files (fetch remote ones first; see `resolveInputs`). */
  inputs: string[];
  aggregation?: AggregationOptions;
  /** Chunk length per dimension name; unlisted dimensions are one chunk, the aggregation dimension 1. */
  chunking?: Record<string, number>;
  encoding?: CodecOptions;
  /** `storage.format`: Zarr v2 (default; what xarray here reads) or v3. Fixed when the store is created. */
  format?: "zarr-v2" | "zarr-v3";
  /** Global attributes to set (a value) or remove (null) on the store's groups. */
  attributes?: Record<string, AttrValue | null>;
  /** Worker threads for the copy (default 0: on the calling thread, two files at a time). */
  concurrency?: number;
  /** Files copied between two commits of the consolidated metadata (default 16). */
  commitEvery?: number;
  onProgress?: (p: IngestProgress) => void;
  /**
   * Runs the copy tasks; the worker-thread executor by default. The operator passes a DaskJob
   * executor here: the tasks follow the same contract (task.ts) wherever they run.
   */
  executor?: (chains: IngestTask[][], opts: LocalExecutorOptions) => Promise<ExecutionOutcome>;
}

export type IngestProgress =
  | { phase: "inspect"; done: number; total: number; file: string }
  | { phase: "write"; done: number; total: number; bytesWritten: number }
  | { phase: "commit" };

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
}

/**
 * Steps per chunk of the time coordinate (and char variables) in new stores. Only the planner
 * writes them, one file at a time, so they need not follow the data's one-step chunks; xarray
 * reads the whole coordinate when it opens a store, and 8,760 hourly steps should not be 8,760 objects.
 */
export const AXIS_CHUNK = 1024;

interface Inspected {
  input: string;
  template: DatasetTemplate;
  times: number[];
  /** Bytes of each time-dependent char variable (small: FVCOM Times is 26 bytes a step). */
  chars: Map<string, Uint8Array>;
  /** The time coordinate encoded in the dataset's units and dtype (time-axis.ts). */
  coordinate: TypedArray;
  cycleMs?: number;
  kind?: "nowcast" | "forecast";
}

function candidateOf(f: Inspected): Candidate {
  return { id: f.input, source: basename(f.input), times: f.times, ...(f.kind ? { kind: f.kind } : {}), ...(f.cycleMs !== undefined ? { cycleMs: f.cycleMs } : {}) };
}

function shapeOf(v: TemplateVariable, t: DatasetTemplate, length: number): number[] {
  return v.dims.map((d) => (d === t.concatDim ? length : (t.dims[d] ?? 0)));
}

export function buildHierarchy(t: DatasetTemplate, lengths: Record<string, number>, opts: Pick<IngestOptions, "chunking" | "encoding" | "attributes" | "format"> & { axisChunk?: number }): Hierarchy {
  const compressor = compressorConfig(opts.encoding ?? { codec: "zlib", level: 1 }, opts.format === "zarr-v3" ? 3 : 2);
  const attrs: Attributes = { ...t.attrs };
  for (const [k, v] of Object.entries(opts.attributes ?? {})) {
    if (v === null) delete attrs[k];
    else attrs[k] = v;
  }
  const h: Hierarchy = { groups: { "": attrs }, arrays: {} };
  for (const [group, length] of Object.entries(lengths)) {
    if (group !== "") h.groups[group] = attrs;
    for (const v of t.variables) {
      const shape = shapeOf(v, t, length);
      const plannerWritten = isAggregationCoordinate(v, t.concatDim);
      const chunks = v.dims.map((d, i) => {
        const want = (plannerWritten ? opts.axisChunk : undefined) ?? opts.chunking?.[d] ?? (d === t.concatDim ? 1 : (shape[i] ?? 1));
        if (!Number.isInteger(want) || want < 1) throw new Error(`chunking.${d}: must be a positive integer, got ${want}`);
        return d === t.concatDim ? want : Math.max(1, Math.min(want, shape[i] ?? 1));
      });
      const meta: ArrayMetaV2 = { zarr_format: 2, shape, chunks, dtype: v.dtype, compressor, fill_value: fillValueJson(v.fillValue), order: "C", filters: null, dimension_separator: "." };
      h.arrays[arrayPath(group, v.name)] = { meta, attrs: { ...v.attrs, _ARRAY_DIMENSIONS: v.dims } };
    }
    for (const c of t.chars ?? []) {
      const shape = c.dims.map((d) => (d === t.concatDim ? length : (t.dims[d] ?? 0)));
      // Strings stay whole in a chunk: only the time dimension follows the requested chunking.
      const chunks = c.dims.map((d, i) => (d === t.concatDim ? (opts.axisChunk ?? opts.chunking?.[d] ?? 1) : Math.max(1, shape[i] ?? 1)));
      const meta: ArrayMetaV2 = { zarr_format: 2, shape, chunks, dtype: "|S1", compressor, fill_value: null, order: "C", filters: null, dimension_separator: "." };
      h.arrays[arrayPath(group, c.name)] = { meta, attrs: { ...c.attrs, _ARRAY_DIMENSIONS: c.dims } };
    }
  }
  return h;
}

/** Tasks that write into a shared chunk of the aggregation dimension must run one after the other. */
export function chainTasks(tasks: IngestTask[]): IngestTask[][] {
  const parent = tasks.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i] ?? i)));
  const owner = new Map<string, number>();
  tasks.forEach((task, i) => {
    const first = task.arrays[0];
    const chunkLen = first?.zarray.chunks[0] ?? 1;
    const group = first?.path.includes("/") ? first.path.slice(0, first.path.lastIndexOf("/")) : "";
    for (const s of task.steps) {
      const key = `${group}:${Math.floor(s.target / chunkLen)}`;
      const j = owner.get(key);
      if (j === undefined) owner.set(key, i);
      else parent[find(i)] = find(j);
    }
  });
  const chains = new Map<number, IngestTask[]>();
  tasks.forEach((task, i) => {
    const root = find(i);
    chains.set(root, [...(chains.get(root) ?? []), task]);
  });
  return [...chains.values()];
}

export async function ingest(opts: IngestOptions): Promise<IngestReport> {
  const store: WritableStore = await openWritableStore(opts.store);
  const prior = await readConsolidated<Ledger>(store);
  const ledger = prior?.ledger;
  const type: AggregationType = opts.aggregation?.type ?? ledger?.aggregation ?? "append";
  if (prior !== undefined && ledger === undefined) throw new Error(`${store.url}: a Zarr store not written by dmac (no ledger in .zmetadata); refusing to modify it`);
  if (ledger !== undefined && ledger.aggregation !== type) throw new Error(`aggregation.type: the store holds a ${ledger.aggregation} aggregation, not ${type}`);
  if (ledger !== undefined && opts.aggregation?.concatDim !== undefined && opts.aggregation.concatDim !== ledger.concatDim)
    throw new Error(`aggregation.concatDim: the store is aggregated along ${ledger.concatDim}, not ${opts.aggregation.concatDim}`);

  // Chunks already written fix the codec and chunk shape: later runs must not relabel them.
  const encoding: CodecOptions = ledger?.encoding ?? opts.encoding ?? { codec: "zlib", level: 1 };
  const chunking: Record<string, number> = ledger?.chunking ?? opts.chunking ?? {};
  if (ledger !== undefined && opts.encoding !== undefined && JSON.stringify(compressorConfig(opts.encoding)) !== JSON.stringify(compressorConfig(encoding)))
    throw new Error(`encoding: the store was written with ${JSON.stringify(encoding)}; a different codec needs a new store`);
  if (ledger !== undefined && opts.chunking !== undefined && Object.keys(opts.chunking).length > 0 && JSON.stringify(opts.chunking) !== JSON.stringify(chunking))
    throw new Error(`chunking: the store was written with ${JSON.stringify(chunking)}; different chunks need a new store`);
  const attributes = opts.attributes ?? ledger?.attributes ?? {};
  const format = prior !== undefined ? (prior.format === 3 ? "zarr-v3" : "zarr-v2") : (opts.format ?? "zarr-v2");
  if (opts.format !== undefined && opts.format !== format) throw new Error(`storage.format: the store is ${format}, not ${opts.format}`);
  const zarrFormat = format === "zarr-v3" ? 3 : 2;
  const axisChunk = prior === undefined ? AXIS_CHUNK : ledger?.axisChunk;
  const layout = { encoding, chunking, attributes, format, ...(axisChunk !== undefined ? { axisChunk } : {}) } as const;
  let reference: DatasetTemplate | undefined = ledger?.template === undefined ? undefined : templateFromLedger(ledger.template);
  let referenceStatic: Map<string, TypedArray> | undefined;
  if (prior !== undefined && reference !== undefined) {
    const ref = reference;
    const group = Object.keys(ledger?.groups ?? {})[0] ?? "";
    referenceStatic = new Map();
    for (const v of [...staticVariables(ref, undefined), ...staticChars(ref)]) {
      const node = prior.hierarchy.arrays[arrayPath(group, v.name)];
      if (node !== undefined) referenceStatic.set(v.name, await readRegion(store, arrayPath(group, v.name), node.meta, undefined, undefined, prior.format));
    }
  }

  const outcomes = new Map<string, FileOutcome>();
  const concatDimKnown = ledger?.concatDim ?? opts.aggregation?.concatDim;
  const identicalDims = opts.aggregation?.identicalDims;
  /** Checks a file's facts against the reference grid; the first good file becomes the reference. */
  const judge = (input: string, facts: FileFacts): Inspected => {
    const judged = judgeFacts(input, facts, reference === undefined || referenceStatic === undefined ? undefined : { template: reference, statics: referenceStatic }, identicalDims);
    if (reference === undefined) {
      reference = facts.template;
      referenceStatic = facts.statics;
    }
    return { input, template: facts.template, chars: facts.chars, ...judged };
  };
  const inspectedAt: Array<Inspected | undefined> = [];
  let n = 0;
  const inspectOne = async (index: number): Promise<void> => {
    const input = opts.inputs[index] as string;
    opts.onProgress?.({ phase: "inspect", done: n++, total: opts.inputs.length, file: input });
    const req: FactsRequest = { input, ...(concatDimKnown !== undefined ? { concatDim: concatDimKnown } : {}), ...(identicalDims !== undefined ? { identicalDims } : {}), ...(reference !== undefined ? { reference } : {}) };
    try {
      const found = judge(input, await readFileFacts(req));
      inspectedAt[index] = found;
      speculation?.settle(index, candidateOf(found));
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      outcomes.set(input, { input, status: "refused", reason: err.message, timeSteps: 0 });
      speculation?.settle(index, null);
    }
  };
  // One file at a time until one becomes the reference grid, then a few at once: one file's
  // reads (on the thread pool) overlap another's parsing (WebAssembly, on this thread).
  let nextInput = 0;
  let speculation: SpeculativeCopy | undefined;
  while (reference === undefined && nextInput < opts.inputs.length) await inspectOne(nextInput++);
  // Appends copy the files seen so far while the rest are inspected (executor/speculative.ts).
  const grid = reference;
  if (type === "append" && opts.executor === undefined && (opts.concurrency ?? 0) === 0 && grid !== undefined && !(zarrFormat === 3 && (grid.chars ?? []).length > 0) && oneStepChunks(buildHierarchy(grid, { "": 1 }, layout), grid)) {
    speculation = new SpeculativeCopy({ existing: ledger?.groups ?? {}, template: grid, hierarchyFor: (lengths) => buildHierarchy(grid, lengths, layout), store: { url: store.url, zarrFormat }, lanes: 2 });
    for (let i = 0; i < nextInput; i++) {
      const found = inspectedAt[i];
      speculation.settle(i, found === undefined ? null : candidateOf(found));
    }
  }
  let speculated: Map<string, SpeculativeOutcome>;
  try {
    // An unexpected error (not a refusal) stops every lane before ingest() rejects with it.
    await inLanes(nextInput, opts.inputs.length, 4, inspectOne);
  } finally {
    // Never leave copies running past this call, whatever happened.
    speculated = (await speculation?.finish()) ?? new Map();
  }
  const inspected = inspectedAt.filter((f): f is Inspected => f !== undefined);

  const report = (files: Plan["files"] | undefined, lengths: Record<string, number>, timeSteps: number, bytesWritten: number): IngestReport => {
    for (const f of files ?? [])
      if (!outcomes.has(f.id)) outcomes.set(f.id, { input: f.id, status: f.status === "write" ? "ingested" : f.status === "skip" ? "skipped" : "refused", ...(f.reason ? { reason: `${f.id}: ${f.reason}` } : {}), timeSteps: f.writes.length });
    return { store: store.url, aggregation: type, files: opts.inputs.map((i) => outcomes.get(i) ?? { input: i, status: "skipped", timeSteps: 0 }), timeSteps, bytesWritten, lengths };
  };
  const priorLengths = Object.fromEntries(Object.entries(ledger?.groups ?? {}).map(([g, s]) => [g, s.length]));
  if (reference === undefined || inspected.length === 0) return report(undefined, priorLengths, 0, 0);
  const template = reference;

  const candidates: Candidate[] = inspected.map(candidateOf);
  const plan = planAggregation(type, ledger?.groups ?? {}, candidates, ledger?.cycleMs);
  const lengths = Object.fromEntries(Object.entries(plan.groups).map(([g, s]) => [g, s.length]));
  const target = buildHierarchy(template, lengths, layout);

  if (zarrFormat === 3 && (template.chars ?? []).length > 0)
    throw new Error(`storage.format zarr-v3: char variable ${template.chars?.[0]?.name} has no Zarr v3 core data type; use zarr-v2 for these files`);
  // Arrays along no time dimension are written once, when their group first appears.
  for (const group of Object.keys(lengths)) {
    for (const v of [...template.variables, ...(template.chars ?? [])]) {
      if (isTimeDependent(v, template.concatDim)) continue;
      const path = arrayPath(group, v.name);
      if (prior?.hierarchy.arrays[path] !== undefined) continue;
      const data = referenceStatic?.get(v.name);
      const node = target.arrays[path];
      if (data === undefined || node === undefined) throw new Error(`internal: no values for static variable ${v.name}`);
      await writeRegion(store, path, node.meta, node.meta.shape.map(() => 0), node.meta.shape, data, zarrFormat);
    }
  }

  const tasks: IngestTask[] = plan.files.filter((f) => f.status === "write").map((f) => taskFor(f, template, target, { url: store.url, zarrFormat }));
  // Copies made while inspecting count when the final plan gives their file the same writes.
  const copiedEarly: TaskResult[] = [];
  const toRun = tasks.filter((t) => {
    const early = speculated.get(t.id);
    const f = plan.files.find((x) => x.id === t.id);
    if (early?.result === undefined || f === undefined || early.group !== f.group || !sameWrites(early.writes, f.writes)) return true;
    copiedEarly.push(early.result);
    return false;
  });
  // Commit after every batch of files, so a long ingest that is killed keeps what it finished.
  const slotOwner = new Map<string, string>();
  for (const f of plan.files) for (const w of f.writes) slotOwner.set(`${f.group}:${w.target}`, f.id);
  const committable = (unfinished: Set<string>): Record<string, LedgerStep[]> => {
    const groups: Record<string, LedgerStep[]> = {};
    for (const [group, steps] of Object.entries(plan.groups)) {
      const old = ledger?.groups[group] ?? [];
      let cut = steps.length;
      for (const f of plan.files) if (f.group === group && unfinished.has(f.id)) for (const w of f.writes) if (w.target >= old.length) cut = Math.min(cut, w.target);
      groups[group] = steps.slice(0, cut).map((s, i) => (i < old.length && unfinished.has(slotOwner.get(`${group}:${i}`) ?? "") ? (old[i] ?? s) : s));
    }
    return groups;
  };
  const minTarget = (t: IngestTask): number => Math.min(...t.steps.map((s) => s.target));
  const chains = chainTasks(toRun).sort((a, b) => Math.min(...a.map(minTarget)) - Math.min(...b.map(minTarget)));
  const commitEvery = opts.commitEvery ?? 16;
  // Char variables are not part of the task contract (its arrays are numeric), and the time
  // coordinate is stored in the dataset's units, not the file's: the planner writes both from
  // what it read while inspecting, once the file's task has succeeded.
  const coordinate = template.variables.find((v) => isAggregationCoordinate(v, template.concatDim));
  const plannerWritten = new Map(
    inspected.map((f) => [f.input, new Map<string, TypedArray>([...f.chars, ...(coordinate !== undefined ? [[coordinate.name, f.coordinate] as const] : [])])]),
  );
  const writePlannerArrays = async (id: string): Promise<number> => {
    const f = plan.files.find((p) => p.id === id);
    const data = plannerWritten.get(id);
    if (f === undefined || data === undefined) return 0;
    let bytes = 0;
    for (const [name, all] of data) {
      const node = target.arrays[arrayPath(f.group, name)];
      if (node === undefined) continue;
      const inner = node.meta.shape.slice(1);
      const stepLen = product(inner);
      // Steps consecutive in both the file and the store go in one region write.
      for (let i = 0; i < f.writes.length; ) {
        const first = f.writes[i] as { source: number; target: number };
        let n = 1;
        while (f.writes[i + n]?.source === first.source + n && f.writes[i + n]?.target === first.target + n) n++;
        const stats = await writeRegion(store, arrayPath(f.group, name), node.meta, [first.target, ...inner.map(() => 0)], [n, ...inner], all.subarray(first.source * stepLen, (first.source + n) * stepLen), zarrFormat);
        bytes += stats.bytesWritten;
        i += n;
      }
    }
    return bytes;
  };
  const unfinished = new Set(tasks.map((t) => t.id));
  const failed = new Set<string>();
  let bytesWritten = 0;
  let done = 0;
  let previous = prior?.hierarchy;
  let committedGroups: Record<string, LedgerStep[]> = ledger?.groups ?? {};
  const commit = async (): Promise<void> => {
    opts.onProgress?.({ phase: "commit" });
    committedGroups = committable(unfinished);
    const h = buildHierarchy(template, Object.fromEntries(Object.entries(committedGroups).map(([g, s]) => [g, s.length])), layout);
    const newLedger: Ledger = { version: 1, aggregation: type, concatDim: template.concatDim, template, groups: committedGroups, encoding, chunking, attributes, ...(axisChunk !== undefined ? { axisChunk } : {}), ...(plan.cycleMs !== undefined ? { cycleMs: plan.cycleMs } : {}) };
    await commitHierarchy(store, h, newLedger, previous, zarrFormat);
    previous = h;
  };
  const absorb = async (last: TaskProgress["last"]): Promise<void> => {
    if ("error" in last) {
      failed.add(last.id);
      outcomes.set(last.id, { input: last.id, status: "refused", reason: `${last.id}: ${last.error}`, timeSteps: 0 });
      return;
    }
    bytesWritten += await writePlannerArrays(last.id);
    unfinished.delete(last.id);
    bytesWritten += last.bytesWritten;
  };
  // Inline by default: reads and codecs already run on libuv's thread pool, and worker threads
  // cost a V8 heap and an h5wasm instance each for no gain (bench/ingest, docs/dataplane.md).
  const concurrency = { concurrency: opts.concurrency ?? 0 };
  if (opts.executor === undefined) {
    // One run over every chain, committing after every `commitEvery` finished tasks while the
    // others go on writing (their chunks lie beyond the committed shape, unseen), so no core
    // waits for the slowest task of a batch. Finished tasks are absorbed one at a time, in order.
    let absorbed: Promise<void> = Promise.resolve();
    let sinceCommit = 0;
    let absorbError: unknown;
    let earlyBytes = 0;
    for (const r of copiedEarly) {
      await absorb(r);
      earlyBytes += r.bytesWritten;
      opts.onProgress?.({ phase: "write", done: ++done, total: tasks.length, bytesWritten: earlyBytes });
    }
    if (copiedEarly.length > 0) await commit();
    await runLocal(chains, {
      ...concurrency,
      // A failed commit (or char/coordinate write) ends the run: no point copying on for hours.
      shouldStop: () => absorbError !== undefined,
      onProgress: (p: TaskProgress) => {
        opts.onProgress?.({ phase: "write", done: done + p.done, total: tasks.length, bytesWritten: earlyBytes + p.bytesWritten });
        absorbed = absorbed
          .then(async () => {
            if (absorbError !== undefined) return;
            await absorb(p.last);
            if (++sinceCommit >= commitEvery) {
              sinceCommit = 0;
              await commit();
            }
          })
          .catch((err: unknown) => {
            absorbError ??= err;
          });
      },
    });
    await absorbed;
    if (absorbError !== undefined) throw absorbError;
    await commit();
  } else {
    // Another executor (the operator's DaskJob) takes whole batches of chains; a commit follows each.
    const batches: IngestTask[][][] = [];
    for (const chain of chains) {
      const last = batches[batches.length - 1];
      if (last === undefined || last.reduce((n, c) => n + c.length, 0) >= commitEvery) batches.push([chain]);
      else last.push(chain);
    }
    for (const batch of batches) {
      const outcome = await opts.executor(batch, {
        ...concurrency,
        onProgress: (p: TaskProgress) => opts.onProgress?.({ phase: "write", done: done + p.done, total: tasks.length, bytesWritten: bytesWritten + p.bytesWritten }),
      });
      done += batch.reduce((n, c) => n + c.length, 0);
      for (const r of outcome.results) await absorb(r);
      for (const f of outcome.failures) await absorb(f);
      await commit();
    }
    if (batches.length === 0) await commit();
  }
  const committedLengths = Object.fromEntries(Object.entries(committedGroups).map(([g, s]) => [g, s.length]));
  for (const f of plan.files) {
    if (f.status !== "write" || outcomes.has(f.id)) continue;
    const lost = f.writes.some((w) => w.target >= (committedLengths[f.group] ?? 0));
    if (lost) outcomes.set(f.id, { input: f.id, status: "refused", reason: `${f.id}: not committed because an earlier file in the same run failed; run again`, timeSteps: 0 });
  }
  const written = plan.files.filter((f) => f.status === "write" && !outcomes.has(f.id)).reduce((s, f) => s + f.writes.length, 0);
  return report(plan.files, committedLengths, written, bytesWritten);
}
