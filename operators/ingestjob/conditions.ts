// The IngestJob's conditions as both its reconcilers (file ingest and derived jobs) write them.

export type JobCondition = { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string };

/**
 * Ready, Progressing and Degraded all saying one problem: the job cannot go on until it is fixed.
 * `degraded: false` for a wait that is not a fault (a derived job's source with no data yet).
 */
export function blocked(reason: string, message: string, degraded = true): JobCondition[] {
  return [
    { type: "Ready", status: "False", reason, message },
    { type: "Progressing", status: "False", reason, message },
    { type: "Degraded", status: degraded ? "True" : "False", reason: degraded ? reason : "AsExpected", message: degraded ? message : "" },
  ];
}
