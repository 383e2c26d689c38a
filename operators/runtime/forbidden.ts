// A reconcile that the API server refuses with 403 means the operator's RBAC lacks a permission:
// retrying cannot fix it, and a log line in the operator's pod is where nobody looks. The object
// gets Degraded=True (reason Forbidden, kube-apiserver's message naming verb, resource and scope)
// and a Warning Event, so `kubectl describe` shows what to grant (operators/rbac.ts).
import type { Condition } from "../../crds/index.js";
import type { KubeObject } from "../../kube/types.js";
import { setCondition } from "./conditions.js";
import { httpStatus } from "./errors.js";
import type { EventRecorder } from "./events.js";

/** kube-apiserver's message of a 403 thrown by client-node, or undefined for any other error. */
export function forbiddenMessage(error: unknown): string | undefined {
  if (httpStatus(error) !== 403) return undefined;
  const body = (error as { body?: unknown }).body;
  let status: unknown = body;
  if (typeof body === "string") {
    try {
      status = JSON.parse(body) as unknown;
    } catch {
      return body;
    }
  }
  const message = typeof status === "object" && status !== null ? (status as { message?: unknown }).message : undefined;
  return typeof message === "string" ? message : "forbidden";
}

interface StatusWriter {
  patchStatus(namespace: string, name: string, status: { conditions: Condition[] }): Promise<unknown>;
}

/** The Controller `onError` hook that reports a 403 on the object being reconciled. */
export function reportForbidden<T extends KubeObject & { status?: { conditions?: Condition[] } }>(
  lookup: (key: string) => T | undefined,
  client: StatusWriter,
  recorder: EventRecorder,
  now: () => Date = () => new Date(),
): (key: string, error: unknown) => Promise<void> {
  return async (key, error) => {
    const refused = forbiddenMessage(error);
    if (refused === undefined) return;
    const object = lookup(key);
    if (!object) return;
    const message = `the operator's ServiceAccount is not allowed to do what this object needs (grant it in operators/rbac.ts): ${refused}`;
    const previous = object.status?.conditions?.find((c) => c.type === "Degraded");
    if (previous?.reason === "Forbidden" && previous.message === message) return;
    const conditions = setCondition(object.status?.conditions, { type: "Degraded", status: "True", reason: "Forbidden", message }, object.metadata.generation ?? 0, now());
    await recorder.record(object, "Warning", "Forbidden", message);
    await client.patchStatus(object.metadata.namespace ?? "default", object.metadata.name ?? "", { conditions });
  };
}
