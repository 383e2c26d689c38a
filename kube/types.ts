// Shapes shared by the runtime: a Kubernetes object as the runtime sees it, and the Runnable contract.

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    creationTimestamp?: string;
  };
}

/** Everything long-running has one start/stop shape: start runs until the signal aborts. */
export interface Runnable {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
}

/** Queue key of an object: "namespace/name" (or "name" for cluster-scoped objects). */
export function objectKey(object: { metadata: { name?: string; namespace?: string } }): string {
  const name = object.metadata.name ?? "";
  return object.metadata.namespace ? `${object.metadata.namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
