// The authorizer's view of the stored RBAC objects. Parsed once per store resourceVersion, so a
// request costs a map lookup unless roles or anything else changed since the last one.
import { isPlainObject } from "./schema.js";
import type { Store } from "./store.js";
import type { Binding, PolicyRule, RbacState, RoleRef, Subject } from "./rbac.js";
import type { KObject } from "./types.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";
export const RBAC_BUCKETS = {
  roles: `${RBAC_GROUP}/roles`,
  clusterRoles: `${RBAC_GROUP}/clusterroles`,
  roleBindings: `${RBAC_GROUP}/rolebindings`,
  clusterRoleBindings: `${RBAC_GROUP}/clusterrolebindings`,
} as const;

export function storeRbacState(store: Store): RbacState {
  let seen = -1;
  let cache = new Map<string, unknown>();
  const cached = <T>(key: string, compute: () => T): T => {
    if (store.resourceVersion !== seen) {
      seen = store.resourceVersion;
      cache = new Map();
    }
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  };
  return {
    clusterRoleBindings: () => cached("crb", () => store.list(RBAC_BUCKETS.clusterRoleBindings).map((o) => bindingOf(o, ""))),
    roleBindings: (namespace) => cached(`rb/${namespace}`, () => store.list(RBAC_BUCKETS.roleBindings, namespace).map((o) => bindingOf(o, namespace))),
    rules: (ref, namespace) =>
      cached(`rules/${ref.kind}/${ref.kind === "Role" ? namespace : ""}/${ref.name}`, () => {
        const object = ref.kind === "Role" ? store.get(RBAC_BUCKETS.roles, namespace, ref.name) : store.get(RBAC_BUCKETS.clusterRoles, undefined, ref.name);
        return object ? rulesOf(object) : undefined;
      }),
  };
}

/** The rules of a stored Role or ClusterRole (validated on write; malformed entries are skipped). */
export function rulesOf(object: Pick<KObject, "rules"> | Record<string, unknown>): PolicyRule[] {
  const rules = (object as Record<string, unknown>).rules;
  if (!Array.isArray(rules)) return [];
  return rules.filter(isPlainObject).map((r) => ({
    verbs: strings(r.verbs),
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    resourceNames: strings(r.resourceNames),
    nonResourceURLs: strings(r.nonResourceURLs),
  }));
}

export function bindingOf(object: KObject, namespace: string): Binding {
  const ref = isPlainObject(object.roleRef) ? object.roleRef : {};
  const roleRef: RoleRef = { kind: ref.kind === "Role" ? "Role" : "ClusterRole", name: typeof ref.name === "string" ? ref.name : "" };
  const subjects: Subject[] = (Array.isArray(object.subjects) ? object.subjects : []).filter(isPlainObject).map((s) => ({
    kind: typeof s.kind === "string" ? s.kind : "",
    name: typeof s.name === "string" ? s.name : "",
    ...(typeof s.namespace === "string" ? { namespace: s.namespace } : {}),
  }));
  return { namespace, name: object.metadata.name ?? "", roleRef, subjects };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
