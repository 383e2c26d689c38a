// Writes the overview levels of the steps a commit publishes, before the commit: the ingest's
// Committer calls `updateOverviews` with the hierarchy it is about to publish, after the copy
// tasks of those steps have finished (inline or on a DaskJob), so the new steps are read back
// from the store whatever wrote them. New steps land beyond the levels' committed shapes, as
// level 0's do, and the commit that publishes level 0's steps publishes theirs and the group's
// `multiscales` attribute in the same atomic write: a reader never sees a level behind level 0,
// and a crash before that write leaves the previous commit whole (the next run redoes the files,
// and with them their overviews). Memory: one band of rows of one time step and one vertical
// level of one variable at a time, plus one plane per level of that step.
import type { OverviewRecord, OverviewUpdate } from "./level-io.js";
import { updateGridOverviews } from "./grid-writer.js";
import { updateMeshOverviews } from "./mesh-writer.js";
import { overviewPlan } from "./plan.js";

export type { OverviewRecord, OverviewUpdate } from "./level-io.js";
export { staleSteps } from "./level-io.js";

/**
 * Adds the overview levels of every group to `u.hierarchy`, writes the chunks of the steps that
 * need them, and returns the records for the ledger (undefined: the dataset has no overviews).
 */
export async function updateOverviews(u: OverviewUpdate): Promise<Record<string, OverviewRecord> | undefined> {
  const plan = overviewPlan(u.template, u.options);
  if (plan === undefined) return undefined;
  return plan.kind === "mesh" ? updateMeshOverviews(u, plan) : updateGridOverviews(u, plan);
}
