// The ingest: inspect source files, check them against the dataset's grid, plan where their time
// steps go, run the copy tasks, then commit the new shapes and the ledger in one atomic write of
// the consolidated metadata. Each step is a module of ingest/; this is the order they run in.
import type { Plan } from "./aggregate/plan.js";
import { readConsolidated } from "./zarr/metadata.js";
import { openWritableStore } from "./zarr/open.js";
import { Committer } from "./ingest/committer.js";
import { inspectInputs } from "./ingest/inspect.js";
import { readReference, resolveLayout } from "./ingest/layout.js";
import { orderedChains, runTasks } from "./ingest/run.js";
import { planWrites, writeStatics } from "./ingest/write.js";
import type { FileOutcome, IngestOptions, IngestReport, Ledger } from "./ingest/types.js";

export type { AggregationOptions, FileOutcome, IngestOptions, IngestProgress, IngestReport, Ledger } from "./ingest/types.js";
export { AXIS_CHUNK } from "./ingest/types.js";
export { buildHierarchy } from "./ingest/hierarchy.js";
export { chainTasks } from "./ingest/run.js";

export async function ingest(opts: IngestOptions): Promise<IngestReport> {
  // Station observations have their own store layout and merge rules (dataplane/observations/).
  if (opts.featureType === "timeSeries") return (await import("./observations/ingest.js")).ingestObservations(opts);
  const store = await openWritableStore(opts.store);
  const prior = await readConsolidated<Ledger>(store);
  const layout = resolveLayout(store, prior, opts);
  const existing = prior?.ledger?.groups ?? {};
  const inspection = await inspectInputs(opts, layout, store.url, existing, await readReference(store, prior));
  const outcomes = new Map<string, FileOutcome>(inspection.refused);
  const { reference } = inspection;
  const report = (files: Plan["files"] | undefined, lengths: Record<string, number>, timeSteps: number, bytesWritten: number): IngestReport =>
    reportOf(opts.inputs, store.url, layout.type, outcomes, files, lengths, timeSteps, bytesWritten);
  if (reference === undefined || inspection.inspected.length === 0)
    return report(undefined, Object.fromEntries(Object.entries(existing).map(([g, s]) => [g, s.length])), 0, 0);

  const writes = planWrites(store.url, layout, existing, prior?.ledger?.cycleMs, { ...inspection, reference });
  await writeStatics(store, layout, prior?.hierarchy, writes, reference.statics);
  const committer = new Committer({
    store, layout, template: writes.template, plan: writes.plan, target: writes.target,
    prior: prior === undefined ? undefined : { hierarchy: prior.hierarchy, groups: existing, overviews: prior.ledger?.overviews },
    tasks: writes.tasks.map((t) => t.id), plannerWritten: writes.plannerWritten, outcomes,
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    ...(opts.overviews !== undefined ? { overviews: opts.overviews } : {}),
  });
  await runTasks(opts, { chains: orderedChains(writes.toRun), total: writes.tasks.length, copiedEarly: writes.copiedEarly, committer });
  await committer.finishOverviews();

  const committed = committer.lengths();
  for (const f of writes.plan.files) {
    if (f.status !== "write" || outcomes.has(f.id)) continue;
    if (f.writes.some((w) => w.target >= (committed[f.group] ?? 0)))
      outcomes.set(f.id, { input: f.id, status: "refused", reason: `${f.id}: not committed because an earlier file in the same run failed; run again`, timeSteps: 0 });
  }
  const written = writes.plan.files.filter((f) => f.status === "write" && !outcomes.has(f.id)).reduce((s, f) => s + f.writes.length, 0);
  return report(writes.plan.files, committed, written, committer.bytesWritten);
}

/** Step 7: one outcome per input, in input order (refusals first recorded win; unplanned inputs were skipped). */
function reportOf(inputs: string[], store: string, aggregation: IngestReport["aggregation"], outcomes: Map<string, FileOutcome>, files: Plan["files"] | undefined, lengths: Record<string, number>, timeSteps: number, bytesWritten: number): IngestReport {
  for (const f of files ?? [])
    if (!outcomes.has(f.id)) outcomes.set(f.id, { input: f.id, status: f.status === "write" ? "ingested" : f.status === "skip" ? "skipped" : "refused", ...(f.reason ? { reason: `${f.id}: ${f.reason}` } : {}), timeSteps: f.writes.length });
  return { store, aggregation, files: inputs.map((i) => outcomes.get(i) ?? { input: i, status: "skipped", timeSteps: 0 }), timeSteps, bytesWritten, lengths };
}
