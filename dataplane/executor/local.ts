// The local executor: runs ingest tasks in Node worker threads, at most `concurrency` at once.
// Tasks in one chain run in order (they share target chunks); chains run in parallel. Inline, a
// chain whose chunks hold several steps is copied chunk by chunk (chain-by-chunk.ts).
import type { Worker } from "node:worker_threads";
import { startWorker } from "./start-worker.js";
import { availableParallelism } from "node:os";
import type { IngestTask, TaskResult } from "../task.js";
import { runTask } from "./run-task.js";
import { batchesByChunk, runChainByChunk } from "./chain-by-chunk.js";

export interface TaskProgress {
  done: number;
  total: number;
  bytesWritten: number;
  last: TaskResult | { id: string; error: string };
}

export interface LocalExecutorOptions {
  /** Worker threads (default: the machine's parallelism). 0 runs tasks inline on the main thread. */
  concurrency?: number;
  /** Tasks interleaved on the calling thread when `concurrency` is 0 (default 2). */
  inlineParallel?: number;
  onProgress?: (p: TaskProgress) => void;
  /** Checked before each task: true stops taking new ones (those running finish). */
  shouldStop?: () => boolean;
}

export interface ExecutionOutcome {
  results: TaskResult[];
  failures: Array<{ id: string; error: string }>;
}

class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];
  private seq = 0;
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(import.meta.url, "./worker");
      this.workers.push(w);
      this.idle.push(w);
    }
  }
  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    return w !== undefined ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve));
  }
  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(w);
    else this.idle.push(w);
  }
  async run(task: IngestTask): Promise<TaskResult> {
    const w = await this.acquire();
    const seq = ++this.seq;
    let dead = false;
    try {
      return await new Promise<TaskResult>((resolve, reject) => {
        const onMessage = (msg: { seq: number; ok: boolean; result?: TaskResult; error?: string }): void => {
          if (msg.seq !== seq) return;
          cleanup();
          if (msg.ok && msg.result !== undefined) resolve(msg.result);
          else reject(new Error(msg.error ?? "worker failed"));
        };
        const onError = (err: Error): void => {
          dead = true;
          cleanup();
          reject(err);
        };
        const onExit = (code: number): void => {
          dead = true;
          cleanup();
          reject(new Error(`worker exited with code ${code}`));
        };
        const cleanup = (): void => {
          w.off("message", onMessage);
          w.off("error", onError);
          w.off("exit", onExit);
        };
        w.on("message", onMessage);
        w.on("error", onError);
        w.on("exit", onExit);
        w.postMessage({ seq, task });
      });
    } finally {
      // A worker that crashed is replaced, so later tasks still get a live one.
      if (dead) {
        void w.terminate();
        const fresh = startWorker(import.meta.url, "./worker");
        this.workers.push(fresh);
        this.release(fresh);
      } else this.release(w);
    }
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export async function runLocal(chains: IngestTask[][], opts: LocalExecutorOptions = {}): Promise<ExecutionOutcome> {
  const total = chains.reduce((n, c) => n + c.length, 0);
  const size = Math.min(opts.concurrency ?? availableParallelism(), chains.length);
  const pool = size > 0 ? new Pool(size) : undefined;
  const outcome: ExecutionOutcome = { results: [], failures: [] };
  let done = 0;
  let bytesWritten = 0;
  let batched: Promise<void> = Promise.resolve();
  const report = (last: TaskProgress["last"]): void => {
    done += 1;
    opts.onProgress?.({ done, total, bytesWritten, last });
  };
  const runChain = async (chain: IngestTask[]): Promise<void> => {
    if (pool === undefined && batchesByChunk(chain) && opts.shouldStop?.() !== true) {
      // One batched chain at a time: each holds a whole chunk of one variable (twice while encoding).
      const turn = batched.then(() => runChainByChunk(chain));
      batched = turn.then(
        () => undefined,
        () => undefined,
      );
      const results = await turn.catch(() => undefined);
      if (results !== undefined) {
        for (const result of results) {
          bytesWritten += result.bytesWritten;
          outcome.results.push(result);
          report(result);
        }
        return;
      }
      // A failure: task by task below, which names the file that fails.
    }
    for (const task of chain) {
      if (opts.shouldStop?.() === true) return;
      try {
        const result = pool !== undefined ? await pool.run(task) : await runTask(task);
        bytesWritten += result.bytesWritten;
        outcome.results.push(result);
        report(result);
      } catch (err) {
        const failure = { id: task.id, error: (err as Error).message };
        outcome.failures.push(failure);
        report(failure);
      }
    }
  };
  try {
    if (pool === undefined) {
      // Inline: a few chains interleave on this thread, so reads, inflates and deflates
      // (all on libuv's thread pool) overlap with the JavaScript work of another task.
      const queue = [...chains];
      const lane = async (): Promise<void> => {
        for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) await runChain(chain);
      };
      await Promise.all(Array.from({ length: Math.min(opts.inlineParallel ?? 2, queue.length) }, lane));
    } else await Promise.all(chains.map(runChain));
  } finally {
    await pool?.close();
  }
  return outcome;
}
