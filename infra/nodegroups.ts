// Managed node groups as data: the system group (on-demand) runs the platform, Nebari's hub and user
// servers; the Dask worker group (spot) is labelled and tainted so only pods that tolerate it land there.
import type { NodeGroupConfig, StackConfig } from "./config.js";

export const nodeRoleLabel = "dmac.ioos.us/node-role";
export const daskWorkerTaint = { key: "dmac.ioos.us/dask-worker", value: "true", effect: "NO_SCHEDULE" } as const;

export interface NodeGroupSpec {
  readonly name: "system" | "dask-workers";
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { readonly key: string; readonly value: string; readonly effect: "NO_SCHEDULE" }[];
  readonly sizes: NodeGroupConfig;
}

export function nodeGroupSpecs(cfg: StackConfig): readonly NodeGroupSpec[] {
  return [
    { name: "system", capacityType: "ON_DEMAND", labels: { [nodeRoleLabel]: "system" }, taints: [], sizes: cfg.systemNodes },
    { name: "dask-workers", capacityType: "SPOT", labels: { [nodeRoleLabel]: "dask-worker" }, taints: [daskWorkerTaint], sizes: cfg.daskWorkerNodes },
  ];
}

/** Kubernetes spelling of a taint effect (EKS spells it NO_SCHEDULE), for tolerations. */
export function kubernetesEffect(effect: "NO_SCHEDULE"): "NoSchedule" {
  return effect === "NO_SCHEDULE" ? "NoSchedule" : effect;
}
