// The operator's permissions, declared once, beside the operator code that needs them.
// operators/chart.ts renders these rules; test/charts checks there are no wildcards.
// Each rule says why it exists: a verb without a reason here is a verb to remove.

import type { PolicyRule } from "../clusters/lib/rbac.js";
import { group as dmacGroup } from "../crds/api/common.js";

// The rule type and the API group live with the libraries that render and define them; re-exported
// so the operator's permissions read as one list here.
export type { PolicyRule };
export { dmacGroup };
export const dmacResources = ["ingestjobs", "datasets", "catalogentries"] as const;

/** Cluster-wide: the operator watches our kinds in every domain namespace. */
export const operatorClusterRules: readonly PolicyRule[] = [
  // Read and watch desired state; patch adds and removes our finalizer (metadata only).
  { apiGroups: [dmacGroup], resources: [...dmacResources], verbs: ["get", "list", "watch", "patch"] },
  // A Dataset with spec.catalog gets a CatalogEntry the operator creates (and patches, above).
  { apiGroups: [dmacGroup], resources: ["catalogentries"], verbs: ["create"] },
  // Report observedGeneration and conditions.
  { apiGroups: [dmacGroup], resources: dmacResources.map((r) => `${r}/status`), verbs: ["get", "patch", "update"] },
  // Owner references with blockOwnerDeletion on the DaskJobs we create need update on /finalizers.
  { apiGroups: [dmacGroup], resources: dmacResources.map((r) => `${r}/finalizers`), verbs: ["update"] },
  // The dask executor: one DaskJob per ingest run, deleted when the run is done.
  { apiGroups: ["kubernetes.dask.org"], resources: ["daskjobs"], verbs: ["get", "list", "watch", "create", "delete"] },
  // Kubernetes Events on our objects, through either Events API.
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
];

/** Namespaced in dmac-system: leader election between operator replicas. */
export const operatorLeaderElectionRules: readonly PolicyRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

/**
 * Bound per domain namespace only (a RoleBinding in each domain folder): source credentials named by
 * an IngestJob's `source.credentials.secretRef`. Never cluster-wide, never list or watch.
 */
export const operatorDomainRules: readonly PolicyRule[] = [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }];

/** Name of the ClusterRole holding operatorDomainRules; domain RoleBindings refer to it. */
export const operatorDomainClusterRole = "dmac-operator-domain";
