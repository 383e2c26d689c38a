// From a plan's file to the task that copies it (task.ts contract): pure, shared by the ingest's
// final run and its speculative copies during inspection (executor/speculative.ts).
import { TASK_CONTRACT, type IngestTask } from "../task.js";
import type { Hierarchy, ZarrFormat } from "../zarr/metadata.js";
import type { FilePlan } from "./plan.js";
import { isTimeDependent, type DatasetTemplate } from "./template.js";

export function arrayPath(group: string, name: string): string {
  return group === "" ? name : `${group}/${name}`;
}

/** The task writing `f`'s steps into the time-dependent arrays of `target` (the hierarchy after the plan). */
export function taskFor(f: FilePlan, template: DatasetTemplate, target: Hierarchy, store: { url: string; zarrFormat: ZarrFormat }): IngestTask {
  return {
    contract: TASK_CONTRACT,
    id: f.id,
    source: { url: f.id },
    target: { store: store.url, ...(store.zarrFormat === 3 ? { zarrFormat: 3 as const } : {}) },
    concatDim: template.concatDim,
    steps: f.writes,
    arrays: template.variables
      .filter((v) => isTimeDependent(v, template.concatDim))
      .map((v) => {
        const path = arrayPath(f.group, v.name);
        const node = target.arrays[path];
        if (node === undefined) throw new Error(`internal: no array ${path}`);
        return { variable: v.name, path, zarray: node.meta };
      }),
  };
}
