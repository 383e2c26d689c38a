// metav1.Condition bookkeeping, one helper for every reconciler (the kubebuilder pattern):
// lastTransitionTime changes only when status flips; observedGeneration always tracks the spec seen.
import type { Condition } from "../../crds/index.js";

export interface ConditionInput {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
}

export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, generation: number, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    // The API limits messages to 32 KiB; a stack trace must not make the status write fail.
    message: input.message.length > 32_768 ? `${input.message.slice(0, 32_700)}… (truncated)` : input.message,
    lastTransitionTime: previous && previous.status === input.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    observedGeneration: generation,
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the Ready condition is True and was set for the current generation. */
export function isReady(object: { metadata: { generation?: number }; status?: { conditions?: Condition[] } }): boolean {
  const ready = getCondition(object.status?.conditions, "Ready");
  return ready?.status === "True" && ready.observedGeneration === object.metadata.generation;
}

/** Structural equality of two condition lists, ignoring order: avoids status writes that change nothing. */
export function sameConditions(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  const key = (list: readonly Condition[] | undefined) => JSON.stringify([...(list ?? [])].sort((x, y) => x.type.localeCompare(y.type)));
  return key(a) === key(b);
}
