// Steps 4 and 5 of an ingest: plan where every inspected file's steps go and build the tasks that
// copy them (reusing copies made while inspecting when the plan agrees), then write the arrays
// along no time dimension (the grid) once, when their group first appears.
import { planAggregation, type LedgerStep, type Plan } from "../aggregate/plan.js";
import type { GridReference } from "../aggregate/file-facts.js";
import { isTimeDependent, type DatasetTemplate } from "../aggregate/template.js";
import { arrayPath, isAggregationCoordinate, taskFor } from "../aggregate/tasks.js";
import { sameWrites } from "../executor/speculative.js";
import type { TypedArray } from "../types.js";
import type { IngestTask, TaskResult } from "../task.js";
import { writeRegion } from "../zarr/chunks.js";
import type { Hierarchy } from "../zarr/metadata.js";
import type { WritableStore } from "../zarr/store.js";
import { buildHierarchy } from "./hierarchy.js";
import { candidateOf, type Inspection } from "./inspect.js";
import type { Layout } from "./layout.js";

export interface Writes {
  template: DatasetTemplate;
  plan: Plan;
  /** The hierarchy with the plan's lengths: what tasks write into. */
  target: Hierarchy;
  /** Every file the plan writes, as a task. */
  tasks: IngestTask[];
  /** The tasks still to run (those copied early with the same writes are not). */
  toRun: IngestTask[];
  copiedEarly: TaskResult[];
  /** Per file, the arrays the planner writes itself: its time coordinate and char variables. */
  plannerWritten: Map<string, Map<string, TypedArray>>;
}

export function planWrites(storeUrl: string, layout: Layout, existing: Record<string, LedgerStep[]>, storeCycleMs: number | undefined, inspection: Inspection & { reference: GridReference }): Writes {
  const template = inspection.reference.template;
  const plan = planAggregation(layout.type, existing, inspection.inspected.map(candidateOf), storeCycleMs, layout.run);
  const target = buildHierarchy(template, Object.fromEntries(Object.entries(plan.groups).map(([g, s]) => [g, s.length])), layout);
  if (layout.zarrFormat === 3 && (template.chars ?? []).length > 0)
    throw new Error(`storage.format zarr-v3: char variable ${template.chars?.[0]?.name} has no Zarr v3 core data type; use zarr-v2 for these files`);
  const tasks = plan.files.filter((f) => f.status === "write").map((f) => taskFor(f, template, target, { url: storeUrl, zarrFormat: layout.zarrFormat }));
  // Copies made while inspecting count when the final plan gives their file the same writes.
  const copiedEarly: TaskResult[] = [];
  const toRun = tasks.filter((t) => {
    const early = inspection.speculated.get(t.id);
    const f = plan.files.find((x) => x.id === t.id);
    if (early?.result === undefined || f === undefined || early.group !== f.group || !sameWrites(early.writes, f.writes)) return true;
    copiedEarly.push(early.result);
    return false;
  });
  const coordinate = template.variables.find((v) => isAggregationCoordinate(v, template.concatDim));
  const plannerWritten = new Map(
    inspection.inspected.map((f) => [f.input, new Map<string, TypedArray>([...f.chars, ...(coordinate !== undefined ? [[coordinate.name, f.coordinate] as const] : [])])]),
  );
  return { template, plan, target, tasks, toRun, copiedEarly, plannerWritten };
}

/** Arrays along no time dimension are written once, when their group first appears. */
export async function writeStatics(store: WritableStore, layout: Layout, prior: Hierarchy | undefined, w: Writes, statics: ReadonlyMap<string, TypedArray>): Promise<void> {
  const { template, target } = w;
  for (const group of Object.keys(w.plan.groups)) {
    for (const v of [...template.variables, ...(template.chars ?? [])]) {
      if (isTimeDependent(v, template.concatDim)) continue;
      const path = arrayPath(group, v.name);
      if (prior?.arrays[path] !== undefined) continue;
      const data = statics.get(v.name);
      const node = target.arrays[path];
      if (data === undefined || node === undefined) throw new Error(`internal: no values for static variable ${v.name}`);
      await writeRegion({ store, path, meta: node.meta, format: layout.zarrFormat }, node.meta.shape.map(() => 0), node.meta.shape, data);
    }
  }
}
