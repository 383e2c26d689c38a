// The default ClusterRoles and bindings kube-apiserver creates at start (a subset of its
// bootstrap policy): cluster-admin for system:masters, discovery and self-reviews for every
// authenticated user, health and version for everyone. Re-created on each start if deleted.
import type { Api } from "./api.js";
import { RBAC_BUCKETS, RBAC_GROUP } from "./rbac-state.js";
import type { KObject } from "./types.js";

const labels = { "kubernetes.io/bootstrapping": "rbac-defaults" };
const annotations = { "rbac.authorization.kubernetes.io/autoupdate": "true" };

const clusterRole = (name: string, rules: object[]): KObject => ({ apiVersion: `${RBAC_GROUP}/v1`, kind: "ClusterRole", metadata: { name, labels, annotations }, rules });
const bindGroups = (name: string, groups: string[]): KObject => ({
  apiVersion: `${RBAC_GROUP}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name, labels, annotations },
  roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
  subjects: groups.map((group) => ({ apiGroup: RBAC_GROUP, kind: "Group", name: group })),
});

export const bootstrapPolicy: readonly KObject[] = [
  clusterRole("cluster-admin", [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ]),
  bindGroups("cluster-admin", ["system:masters"]),
  clusterRole("system:discovery", [{ nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], verbs: ["get"] }]),
  bindGroups("system:discovery", ["system:authenticated"]),
  clusterRole("system:basic-user", [
    { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], verbs: ["create"] },
    { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
  ]),
  bindGroups("system:basic-user", ["system:authenticated"]),
  clusterRole("system:public-info-viewer", [{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] }]),
  bindGroups("system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
];

export async function ensureBootstrapPolicy(api: Api): Promise<void> {
  for (const object of bootstrapPolicy) {
    const bucket = object.kind === "ClusterRole" ? RBAC_BUCKETS.clusterRoles : RBAC_BUCKETS.clusterRoleBindings;
    if (api.store.get(bucket, undefined, object.metadata.name!)) continue;
    const type = api.registry.byBucket(bucket)!;
    await api.create({ type, version: type.versions[0]! }, structuredClone(object), { fieldManager: "dmac-control-plane" });
  }
}
