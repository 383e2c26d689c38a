// From a plan's file to the task that copies it (task.ts contract): pure, shared by the ingest's
// final run and its speculative copies during inspection (executor/speculative.ts).
import { TASK_CONTRACT, type IngestTask } from "../task.js";
import type { Hierarchy, ZarrFormat } from "../zarr/metadata.js";
import type { FilePlan } from "./plan.js";
import { isTimeDependent, type DatasetTemplate } from "./template.js";

export function arrayPath(group: string, name: string): string {
  return group === "" ? name : `${group}/${name}`;
}

/** Whether `v` is the aggregation's coordinate, which the planner writes (time-axis.ts), not a task. */
export function isAggregationCoordinate(v: { name: string; dims: string[] }, concatDim: string): boolean {
  return v.name === concatDim && v.dims.length === 1 && v.dims[0] === concatDim;
}

/**
 * The task writing `f`'s steps into the time-dependent arrays of `target` (the hierarchy after
 * the plan). The time coordinate is not among them: it is stored in the dataset's units, which
 * may not be the file's, so the planner writes the values it decoded while inspecting.
 */
export function taskFor(f: FilePlan, template: DatasetTemplate, target: Hierarchy, store: { url: string; zarrFormat: ZarrFormat }): IngestTask {
  return {
    contract: TASK_CONTRACT,
    id: f.id,
    source: { url: f.id },
    target: { store: store.url, ...(store.zarrFormat === 3 ? { zarrFormat: 3 as const } : {}) },
    concatDim: template.concatDim,
    steps: f.writes,
    arrays: template.variables
      .filter((v) => isTimeDependent(v, template.concatDim) && !isAggregationCoordinate(v, template.concatDim))
      .map((v) => {
        const path = arrayPath(f.group, v.name);
        const node = target.arrays[path];
        if (node === undefined) throw new Error(`internal: no array ${path}`);
        return { variable: v.name, path, zarray: node.meta };
      }),
  };
}
