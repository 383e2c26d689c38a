// A derived job's update on the dask executor: the derive task (dataplane/transform/task.ts) is
// written beside the data, a DaskJob runs `python -m ingest_worker.derive` on it, and its results
// (the chunk keys it staged) go back to the update, which commits them through its journal.
// A DaskJob that ends without results fails the update; the next reconcile runs it again (the
// staged chunks of the failed one are discarded: they were never journaled).
import type { KubeConfig } from "@kubernetes/client-node";
import type { IngestJob } from "../../crds/index.js";
import type { DeriveTask, DeriveTaskResult } from "../../dataplane/transform/task.js";
import type { StoreKey } from "../../dataplane/index.js";
import { openWritableStore } from "../dataplane.js";
import { buildDaskJob, daskJobName, deleteDaskJob, runDaskJob, type DaskJobStatus } from "./daskjob.js";

export interface DerivedDaskOptions {
  readonly kubeConfig: KubeConfig;
  readonly job: IngestJob;
  /** The derived store as the operator and the Dask pods see it (s3://... in production). */
  readonly target: string;
  readonly pollMs?: number;
  readonly onJobStatus?: (name: string, status: DaskJobStatus | undefined) => void;
}

export function derivedDaskRunner(options: DerivedDaskOptions): (task: DeriveTask) => Promise<DeriveTaskResult> {
  return async (task) => {
    const store = await openWritableStore(options.target);
    const name = daskJobName(options.job);
    const [taskKey, resultsKey] = [`/.dmac/dask/${name}/derive-task.json`, `/.dmac/dask/${name}/derive-results.json`] as StoreKey[];
    await store.set(taskKey as StoreKey, new TextEncoder().encode(JSON.stringify(task)));
    const base = options.target.replace(/\/$/, "");
    const [taskUrl, resultsUrl] = [`${base}${taskKey}`, `${base}${resultsKey}`];
    const daskJob = buildDaskJob({ job: options.job, name, tasksUrl: taskUrl, resultsUrl, args: ["python", "-m", "ingest_worker.derive", "--task", taskUrl, "--results", resultsUrl] });
    const status = await runDaskJob(options, daskJob);
    const bytes = await store.get(resultsKey as StoreKey);
    await deleteDaskJob(options.kubeConfig, daskJob);
    if (status !== "Successful" || bytes === undefined) throw new Error(`DaskJob ${name} ended ${status ?? "deleted"} without derive results; the update runs again`);
    return JSON.parse(new TextDecoder().decode(bytes)) as DeriveTaskResult;
  };
}
