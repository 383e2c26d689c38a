// Step 6 of an ingest: run the copy tasks and commit as they finish. Inline (the default), one
// run over every chain commits after every `commitEvery` finished tasks while the others go on
// writing; another executor (the operator's DaskJob) takes whole batches, a commit after each.
import { runLocal, type TaskProgress } from "../executor/local.js";
import type { IngestTask, TaskResult } from "../task.js";
import type { Committer } from "./committer.js";
import type { IngestOptions } from "./types.js";

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

/** The chains of `tasks`, earliest target first. */
export function orderedChains(tasks: IngestTask[]): IngestTask[][] {
  const minTarget = (t: IngestTask): number => Math.min(...t.steps.map((s) => s.target));
  return chainTasks(tasks).sort((a, b) => Math.min(...a.map(minTarget)) - Math.min(...b.map(minTarget)));
}

export interface RunRequest {
  chains: IngestTask[][];
  /** Tasks of this run, including those copied while inspecting (for progress). */
  total: number;
  /** Results of copies made while inspecting that the final plan kept. */
  copiedEarly: TaskResult[];
  committer: Committer;
}

export async function runTasks(opts: IngestOptions, req: RunRequest): Promise<void> {
  if (opts.executor === undefined) await runInline(opts, req);
  else await runOnExecutor(opts, opts.executor, req);
}

async function runInline(opts: IngestOptions, { chains, total, copiedEarly, committer }: RunRequest): Promise<void> {
  // Inline by default: reads and codecs already run on libuv's thread pool, and worker threads
  // cost a V8 heap and an h5wasm instance each for no gain (bench/ingest, docs/dataplane.md).
  // Finished tasks are absorbed one at a time, in order, so no core waits for the slowest task of a batch.
  const commitEvery = opts.commitEvery ?? 16;
  let done = 0;
  let earlyBytes = 0;
  for (const r of copiedEarly) {
    await committer.absorb(r);
    earlyBytes += r.bytesWritten;
    opts.onProgress?.({ phase: "write", done: ++done, total, bytesWritten: earlyBytes });
  }
  if (copiedEarly.length > 0) await committer.commit();
  let absorbed: Promise<void> = Promise.resolve();
  let sinceCommit = 0;
  let absorbError: unknown;
  await runLocal(chains, {
    concurrency: opts.concurrency ?? 0,
    ...(opts.filesAtOnce !== undefined ? { inlineParallel: opts.filesAtOnce } : {}),
    // A failed commit (or char/coordinate write) ends the run: no point copying on for hours.
    shouldStop: () => absorbError !== undefined,
    onProgress: (p: TaskProgress) => {
      opts.onProgress?.({ phase: "write", done: done + p.done, total, bytesWritten: earlyBytes + p.bytesWritten });
      absorbed = absorbed
        .then(async () => {
          if (absorbError !== undefined) return;
          await committer.absorb(p.last);
          if (++sinceCommit >= commitEvery) {
            sinceCommit = 0;
            await committer.commit();
          }
        })
        .catch((err: unknown) => {
          absorbError ??= err;
        });
    },
  });
  await absorbed;
  if (absorbError !== undefined) throw absorbError;
  await committer.commit();
}

async function runOnExecutor(opts: IngestOptions, executor: NonNullable<IngestOptions["executor"]>, { chains, total, committer }: RunRequest): Promise<void> {
  const commitEvery = opts.commitEvery ?? 16;
  const batches: IngestTask[][][] = [];
  for (const chain of chains) {
    const last = batches[batches.length - 1];
    if (last === undefined || last.reduce((n, c) => n + c.length, 0) >= commitEvery) batches.push([chain]);
    else last.push(chain);
  }
  let done = 0;
  for (const batch of batches) {
    const outcome = await executor(batch, {
      concurrency: opts.concurrency ?? 0,
      onProgress: (p: TaskProgress) => opts.onProgress?.({ phase: "write", done: done + p.done, total, bytesWritten: committer.bytesWritten + p.bytesWritten }),
    });
    done += batch.reduce((n, c) => n + c.length, 0);
    for (const r of outcome.results) await committer.absorb(r);
    for (const f of outcome.failures) await committer.absorb(f);
    await committer.commit();
  }
  if (batches.length === 0) await committer.commit();
}
