// Renders RBAC from PolicyRule lists declared beside the code that needs them (e.g. operators/rbac.ts).
import type { Construct } from "constructs";
import { k8s } from "cdk8s-plus-27";

/** A Kubernetes RBAC PolicyRule (rbac.authorization.k8s.io/v1), without non-resource URLs. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

function toK8s(rules: readonly PolicyRule[]): k8s.PolicyRule[] {
  return rules.map((r) => ({
    apiGroups: [...r.apiGroups],
    resources: [...r.resources],
    verbs: [...r.verbs],
    ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
  }));
}

export interface Subject {
  readonly serviceAccount: string;
  readonly namespace: string;
}

const subjectOf = (s: Subject): k8s.Subject => ({ kind: "ServiceAccount", name: s.serviceAccount, namespace: s.namespace });

export function clusterRole(scope: Construct, name: string, rules: readonly PolicyRule[], labels: Record<string, string>): void {
  new k8s.KubeClusterRole(scope, `clusterrole-${name}`, { metadata: { name, labels }, rules: toK8s(rules) });
}

export function clusterRoleBinding(scope: Construct, name: string, role: string, subject: Subject, labels: Record<string, string>): void {
  new k8s.KubeClusterRoleBinding(scope, `clusterrolebinding-${name}`, {
    metadata: { name, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [subjectOf(subject)],
  });
}

export function namespacedRole(scope: Construct, name: string, namespace: string, rules: readonly PolicyRule[], labels: Record<string, string>): void {
  new k8s.KubeRole(scope, `role-${namespace}-${name}`, { metadata: { name, namespace, labels }, rules: toK8s(rules) });
}

/** Binds a Role, or a ClusterRole limited to this one namespace. */
export function roleBinding(
  scope: Construct,
  props: { name: string; namespace: string; roleKind: "Role" | "ClusterRole"; role: string; subject: Subject; labels: Record<string, string> },
): void {
  new k8s.KubeRoleBinding(scope, `rolebinding-${props.namespace}-${props.name}`, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: props.roleKind, name: props.role },
    subjects: [subjectOf(props.subject)],
  });
}
