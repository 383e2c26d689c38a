// Copies that start while the ingest is still inspecting files, for appends and best forecasts.
// The plan needs every file's times, so without this no chunk is written until the last file is
// inspected (about a fifth of a 40-file run; two fifths of a CBOFS cycle, bench/scale). Files are
// taken in input order; while each new file's first time is after every earlier one's, the plan
// of the files seen so far already gives the final targets of all of them, so the file's task can
// run now. The first file out of order stops the speculation, and so does (best forecast) a file
// that would take a step already in the store or planned: only pure extensions are copied early.
// The ingest compares every speculative copy with the final plan and redoes any whose writes differ.
//
// Safe for readers because early copies write beyond the committed shape only, and each chunk is
// one step (`oneStepChunks`), so a chunk has one early writer and a wrong one is overwritten whole
// by the final run, which starts once the early copies have finished; no commit happens until the
// final plan. Only copies running when inspection ends are waited for: queued ones go back to the
// final run, which commits as it goes.
import { planAggregation, type Candidate, type FilePlan, type LedgerStep } from "../aggregate/plan.js";
import { isAggregationCoordinate, taskFor } from "../aggregate/tasks.js";
import { isTimeDependent, type DatasetTemplate } from "../aggregate/template.js";
import type { Hierarchy, ZarrFormat } from "../zarr/metadata.js";
import type { IngestTask, TaskResult } from "../task.js";
import { runTask } from "./run-task.js";

export interface SpeculativeCopyOptions {
  /** The aggregation (model-run stores are not copied early: files of another run may come first). */
  type: "append" | "best-forecast";
  /** The store's committed steps per group (the ledger's). */
  existing: Record<string, LedgerStep[]>;
  template: DatasetTemplate;
  /** The store's hierarchy for given group lengths (ingest.ts buildHierarchy). */
  hierarchyFor: (lengths: Record<string, number>) => Hierarchy;
  store: { url: string; zarrFormat: ZarrFormat };
  /** Copies at once (the inline executor's two). */
  lanes: number;
}

export interface SpeculativeOutcome {
  group: string;
  writes: FilePlan["writes"];
  result?: TaskResult;
  error?: string;
}

/**
 * True when every array a task writes (time-dependent, not the coordinate: taskFor) has chunks
 * of one step along the aggregation dimension, in every group of `h`.
 */
export function oneStepChunks(h: Hierarchy, template: DatasetTemplate): boolean {
  const copied = new Set(template.variables.filter((v) => isTimeDependent(v, template.concatDim) && !isAggregationCoordinate(v, template.concatDim)).map((v) => v.name));
  return Object.entries(h.arrays).every(([path, node]) => !copied.has(path.slice(path.lastIndexOf("/") + 1)) || node.meta.chunks[0] === 1);
}

export function sameWrites(a: FilePlan["writes"], b: FilePlan["writes"]): boolean {
  return a.length === b.length && a.every((w, i) => w.source === b[i]?.source && w.target === b[i]?.target);
}

/**
 * Files after which speculation stops: planning each one copies the planner's state (all steps
 * so far), so the cost grows with the square of the files; the rest go to the final run.
 */
export const MAX_SPECULATIVE_FILES = 2048;

export class SpeculativeCopy {
  private readonly settled = new Map<number, Candidate | null>();
  private next = 0;
  /** The store's steps plus those of every file planned so far (the planner's state). */
  private groups: Record<string, LedgerStep[]>;
  private latest = -Infinity;
  private stopped = false;
  private readonly launched = new Map<string, Promise<SpeculativeOutcome>>();
  private readonly queue: Array<{ task: IngestTask; group: string; resolve: (o: SpeculativeOutcome) => void }> = [];
  private running = 0;

  constructor(private readonly o: SpeculativeCopyOptions) {
    this.groups = o.existing;
  }

  /** Input `index` has been inspected: its candidate, or null if it was refused. Any order. */
  settle(index: number, candidate: Candidate | null): void {
    this.settled.set(index, candidate);
    for (let c = this.settled.get(this.next); c !== undefined; c = this.settled.get(this.next)) {
      this.settled.delete(this.next++);
      if (c !== null) this.consider(c);
    }
  }

  private consider(c: Candidate): void {
    if (this.stopped) return;
    if (this.launched.size >= MAX_SPECULATIVE_FILES) {
      this.stopped = true;
      return;
    }
    const first = c.times[0];
    // Ties and earlier files reorder the plan (it sorts by first time): stop here.
    if (first === undefined || !(first > this.latest)) {
      this.stopped = true;
      return;
    }
    this.latest = first;
    // The file sorts last, so planning it alone against the steps planned so far gives what
    // planning all of them together would (and costs one file, not all of them again).
    const plan = planAggregation(this.o.type, this.groups, [c]);
    const f = plan.files[0];
    // A best forecast gives a file the steps it has the shortest lead for, committed or planned
    // ones too: two copies would then write one chunk, or a reader see it change. Stop there.
    if (f?.status === "write" && f.writes.some((w) => w.target < (this.groups[f.group]?.length ?? 0))) {
      this.stopped = true;
      return;
    }
    this.groups = plan.groups;
    if (f?.status !== "write") return;
    const lengths = Object.fromEntries(Object.entries(plan.groups).map(([g, s]) => [g, s.length]));
    const task = taskFor(f, this.o.template, this.o.hierarchyFor(lengths), this.o.store);
    this.launched.set(c.id, new Promise((resolve) => this.queue.push({ task, group: f.group, resolve })));
    this.pump();
  }

  private pump(): void {
    while (this.running < this.o.lanes && !this.stopped) {
      const job = this.queue.shift();
      if (job === undefined) return;
      this.running += 1;
      const base = { group: job.group, writes: job.task.steps };
      void runTask(job.task)
        .then(
          (result) => job.resolve({ ...base, result }),
          (err: unknown) => job.resolve({ ...base, error: (err as Error).message }),
        )
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }

  /** Stops starting copies, waits for the running ones and returns what finished, by file. */
  async finish(): Promise<Map<string, SpeculativeOutcome>> {
    this.stopped = true;
    for (const job of this.queue.splice(0)) {
      this.launched.delete(job.task.id);
      job.resolve({ group: job.group, writes: job.task.steps });
    }
    const done = new Map<string, SpeculativeOutcome>();
    for (const [id, outcome] of this.launched) done.set(id, await outcome);
    return done;
  }
}
