// What an aggregation should contain, computed by the tests independently of the planner.
import type { CycleFile } from "./fixtures.js";

/** The best forecast: per valid time, the forecast with the smallest lead; nowcasts excluded. */
export function expectedBest(files: ReadonlyArray<{ f: CycleFile; path: string; valid: number }>): Array<[string, number]> {
  const best = new Map<number, { lead: number; path: string }>();
  for (const { f, path, valid } of files) {
    if (f.kind !== "f") continue;
    const lead = valid - f.cycle.getTime();
    const held = best.get(valid);
    if (held === undefined || lead < held.lead) best.set(valid, { lead, path });
  }
  return [...best.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => [v.path, 0]);
}
