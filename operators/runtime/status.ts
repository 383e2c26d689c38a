// Status writes, one way for every reconciler: through /status as a merge patch, conditions set
// through setCondition (lastTransitionTime moves only when a condition flips), observedGeneration
// the spec seen, and no write at all when nothing would change (a no-op write would still wake
// every watcher, the writing controller included).
import type { Condition } from "../../crds/index.js";
import { setCondition, type ConditionInput } from "./conditions.js";

// Status comparison that ignores key order, so reconcilers skip writes that would change nothing.
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
}

export function sameStatus(current: unknown, next: unknown): boolean {
  return JSON.stringify(canonical(current ?? {})) === JSON.stringify(canonical(next));
}

interface StatusBase {
  observedGeneration?: number;
  conditions?: Condition[];
}

interface Target<S> {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: S;
}

export interface StatusWriterOptions<S> {
  /** The /status merge patch of the kind's client. */
  readonly patchStatus: (namespace: string, name: string, status: S) => Promise<unknown>;
  readonly now: () => Date;
  /**
   * Fields of the current status a write keeps when the new status lacks them: "all" (the new
   * status is merged over the current one) or a list; by default none.
   */
  readonly keep?: "all" | readonly (keyof S & string)[];
}

export class StatusWriter<S extends StatusBase> {
  constructor(private readonly options: StatusWriterOptions<S>) {}

  /** Writes `status` with `conditions` set on the object's current ones; skipped when unchanged. */
  async write(object: Target<S>, status: S, conditions: readonly ConditionInput[]): Promise<void> {
    const generation = object.metadata.generation ?? 1;
    const now = this.options.now();
    let list = object.status?.conditions;
    for (const condition of conditions) list = setCondition(list, condition, generation, now);
    const next: S = { ...this.merged(object.status, status), observedGeneration: generation, conditions: list };
    if (sameStatus(object.status, next)) return;
    await this.options.patchStatus(object.metadata.namespace ?? "default", object.metadata.name, next);
  }

  private merged(current: S | undefined, status: S): S {
    const keep = this.options.keep;
    if (current === undefined || keep === undefined) return status;
    if (keep === "all") return { ...current, ...status };
    return { ...status, ...Object.fromEntries(keep.filter((k) => !status[k] && current[k]).map((k) => [k, current[k]])) };
  }
}
