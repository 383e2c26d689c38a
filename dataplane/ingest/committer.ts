// The commit state of one ingest run, in one object: which files' tasks are still unfinished,
// the bytes written, the hierarchy last published. A finished task is absorbed (the planner
// writes that file's time coordinate and char data), and a commit publishes every group up to
// the first step an unfinished file still owes, with the ledger, in one atomic write.
import type { LedgerStep, Plan } from "../aggregate/plan.js";
import type { DatasetTemplate } from "../aggregate/template.js";
import { arrayPath } from "../aggregate/tasks.js";
import type { TaskProgress } from "../executor/local.js";
import { product } from "../ndarray.js";
import type { TypedArray } from "../types.js";
import { writeRegion } from "../zarr/chunks.js";
import { commitHierarchy, type Hierarchy } from "../zarr/metadata.js";
import type { WritableStore } from "../zarr/store.js";
import { updateOverviews, type OverviewRecord } from "../multiscale/writer.js";
import { buildHierarchy } from "./hierarchy.js";
import type { Layout } from "./layout.js";
import type { FileOutcome, IngestOptions, IngestProgress, Ledger } from "./types.js";

export interface CommitterOptions {
  store: WritableStore;
  layout: Layout;
  template: DatasetTemplate;
  plan: Plan;
  /** The hierarchy the store's arrays have now (what the plan writes into). */
  target: Hierarchy;
  /** The store's committed state before this run. */
  prior: { hierarchy: Hierarchy; groups: Record<string, LedgerStep[]>; overviews?: Record<string, OverviewRecord> | undefined } | undefined;
  /** Ids of the files this run writes (each must be absorbed before its steps are committed). */
  tasks: readonly string[];
  /** Per file, the arrays the planner writes for it (time coordinate, char variables). */
  plannerWritten: ReadonlyMap<string, ReadonlyMap<string, TypedArray>>;
  /** Where failed files are recorded. */
  outcomes: Map<string, FileOutcome>;
  onProgress?: (p: IngestProgress) => void;
  /** Thresholds of the overview levels written with each commit (ingest option `overviews`). */
  overviews?: IngestOptions["overviews"];
}

export class Committer {
  private readonly unfinished: Set<string>;
  /** Which file owns each planned slot ("group:index"). */
  private readonly slotOwner = new Map<string, string>();
  private previous: Hierarchy | undefined;
  private committed: Record<string, LedgerStep[]>;
  /** The overview levels as last committed. */
  private overviews: Record<string, OverviewRecord> | undefined;
  bytesWritten = 0;

  constructor(private readonly o: CommitterOptions) {
    this.unfinished = new Set(o.tasks);
    for (const f of o.plan.files) for (const w of f.writes) this.slotOwner.set(`${f.group}:${w.target}`, f.id);
    this.previous = o.prior?.hierarchy;
    this.committed = o.prior?.groups ?? {};
    this.overviews = o.prior?.overviews;
  }

  /** Length of each group as last committed. */
  lengths(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.committed).map(([g, s]) => [g, s.length]));
  }

  /** A task's outcome: a failure refuses its file; a success writes its planner arrays and frees its steps for commit. */
  async absorb(last: TaskProgress["last"]): Promise<void> {
    if ("error" in last) {
      this.o.outcomes.set(last.id, { input: last.id, status: "refused", reason: `${last.id}: ${last.error}`, timeSteps: 0 });
      return;
    }
    this.bytesWritten += await this.writePlannerArrays(last.id);
    this.unfinished.delete(last.id);
    this.bytesWritten += last.bytesWritten;
  }

  /** Publishes every step no unfinished file still owes, and the ledger, atomically. */
  async commit(): Promise<void> {
    const { store, layout, template, plan } = this.o;
    const before = { groups: this.committed, overviews: this.overviews };
    const committed = this.committable();
    const h = buildHierarchy(template, Object.fromEntries(Object.entries(committed).map(([g, s]) => [g, s.length])), layout);
    // The overview levels of the steps this commit publishes, written before it and published by it (multiscale/writer.ts).
    const overviews = await updateOverviews({
      store, format: layout.zarrFormat, template, hierarchy: h, groups: committed, before, options: this.o.overviews,
      onProgress: (p) => this.o.onProgress?.({ phase: "overview", ...p }),
    });
    this.o.onProgress?.({ phase: "commit" });
    const ledger: Ledger = {
      version: 1, aggregation: layout.type, concatDim: template.concatDim, template, groups: committed,
      encoding: layout.encoding, chunking: layout.chunking, attributes: layout.attributes,
      ...(layout.axisChunk !== undefined ? { axisChunk: layout.axisChunk } : {}),
      ...(layout.spatialChunk !== undefined ? { spatialChunk: layout.spatialChunk } : {}),
      ...(plan.cycleMs !== undefined ? { cycleMs: plan.cycleMs } : {}),
      ...(overviews !== undefined ? { overviews } : {}),
    };
    await commitHierarchy(store, h, ledger, this.previous, layout.zarrFormat);
    this.previous = h;
    this.committed = committed;
    this.overviews = overviews;
  }

  /**
   * Commits again while overview levels are behind the committed steps (a store made before
   * overviews catching up, a batch at a time: multiscale/level-io.ts planSteps), so each batch is
   * kept if the run is stopped. Stops when a commit makes no progress.
   */
  async finishOverviews(): Promise<void> {
    const behind = (): boolean => Object.entries(this.committed).some(([g, steps]) => (this.overviews?.[g]?.length ?? steps.length) < steps.length);
    while (behind()) {
      const before = JSON.stringify(this.overviews);
      await this.commit();
      if (JSON.stringify(this.overviews) === before) return;
    }
  }

  /** Each group up to the first new step an unfinished file owes; old steps it would overwrite keep their old entry. */
  private committable(): Record<string, LedgerStep[]> {
    const groups: Record<string, LedgerStep[]> = {};
    for (const [group, steps] of Object.entries(this.o.plan.groups)) {
      const old = this.o.prior?.groups[group] ?? [];
      let cut = steps.length;
      for (const f of this.o.plan.files) if (f.group === group && this.unfinished.has(f.id)) for (const w of f.writes) if (w.target >= old.length) cut = Math.min(cut, w.target);
      groups[group] = steps.slice(0, cut).map((s, i) => (i < old.length && this.unfinished.has(this.slotOwner.get(`${group}:${i}`) ?? "") ? (old[i] ?? s) : s));
    }
    return groups;
  }

  /**
   * Char variables are not part of the task contract (its arrays are numeric), and the time
   * coordinate is stored in the dataset's units, not the file's: the planner writes both from what
   * it read while inspecting, once the file's task has succeeded.
   */
  private async writePlannerArrays(id: string): Promise<number> {
    const { store, layout, target, plan } = this.o;
    const f = plan.files.find((p) => p.id === id);
    const data = this.o.plannerWritten.get(id);
    if (f === undefined || data === undefined) return 0;
    let bytes = 0;
    for (const [name, all] of data) {
      const path = arrayPath(f.group, name);
      const node = target.arrays[path];
      if (node === undefined) continue;
      const inner = node.meta.shape.slice(1);
      const stepLen = product(inner);
      // Steps consecutive in both the file and the store go in one region write.
      for (let i = 0; i < f.writes.length; ) {
        const first = f.writes[i] as { source: number; target: number };
        let n = 1;
        while (f.writes[i + n]?.source === first.source + n && f.writes[i + n]?.target === first.target + n) n++;
        const array = { store, path, meta: node.meta, format: layout.zarrFormat };
        const stats = await writeRegion(array, [first.target, ...inner.map(() => 0)], [n, ...inner], all.subarray(first.source * stepLen, (first.source + n) * stepLen));
        bytes += stats.bytesWritten;
        i += n;
      }
    }
    return bytes;
  }
}
