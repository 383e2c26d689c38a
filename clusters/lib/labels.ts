// Recommended Kubernetes labels (app.kubernetes.io/*) for everything we render.

export const partOf = "dmac";

/** Labels every object of a component carries; `name` is also the pod selector. */
export function componentLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": partOf,
    "app.kubernetes.io/managed-by": "cdk8s",
  };
}

/** The subset of labels that selects a workload's pods; must never change for a running Deployment. */
export function selectorLabels(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": name };
}
