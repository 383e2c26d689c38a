// The RBAC authorizer: kube-apiserver's rules for Role, ClusterRole, RoleBinding and
// ClusterRoleBinding (k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac), as pure functions over
// the stored objects. Aggregated ClusterRoles are not implemented: their rules are whatever is stored.
import { qualifiedResourceName, type NonResourceAttributes, type RequestAttributes, type ResourceAttributes } from "./request-info.js";

export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface RoleRef {
  readonly kind: "Role" | "ClusterRole";
  readonly name: string;
}

export interface Binding {
  /** "" for a ClusterRoleBinding. */
  readonly namespace: string;
  readonly name: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
}

/** What the authorizer reads: the current roles and bindings. */
export interface RbacState {
  clusterRoleBindings(): readonly Binding[];
  roleBindings(namespace: string): readonly Binding[];
  /** The rules of a Role (namespace given) or ClusterRole; undefined when it does not exist. */
  rules(ref: RoleRef, namespace: string): readonly PolicyRule[] | undefined;
}

export const MASTERS_GROUP = "system:masters";
export const AUTHENTICATED_GROUP = "system:authenticated";
export const UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const ANONYMOUS_USER = "system:anonymous";
const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return { name: `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`, ...(uid ? { uid } : {}), groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, AUTHENTICATED_GROUP] };
}

/** [namespace, name] of a ServiceAccount user name, or undefined for any other user. */
export function parseServiceAccountUser(user: string): [string, string] | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const [namespace, name, ...extra] = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  return namespace && name && extra.length === 0 ? [namespace, name] : undefined;
}

export interface Decision {
  readonly allowed: boolean;
  /** Which binding and role allowed it (kube's reason string), or why nothing did. */
  readonly reason: string;
}

/** Whether `user` may do `attributes`: system:masters always; otherwise some bound rule must allow it. */
export function authorize(state: RbacState, user: UserInfo, attributes: RequestAttributes): Decision {
  if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: `member of ${MASTERS_GROUP}` };
  for (const { binding, rules } of boundRules(state, user, attributes.kind === "resource" ? attributes.namespace : "")) {
    if (rules.some((rule) => ruleAllows(rule, attributes))) {
      const where = binding.namespace ? `RoleBinding "${binding.name}" of ${binding.roleRef.kind} "${binding.roleRef.name}" to User "${user.name}" in namespace "${binding.namespace}"` : `ClusterRoleBinding "${binding.name}" of ClusterRole "${binding.roleRef.name}" to User "${user.name}"`;
      return { allowed: true, reason: `RBAC: allowed by ${where}` };
    }
  }
  return { allowed: false, reason: "" };
}

/** Every rule that applies to `user` in `namespace` ("" = cluster-wide bindings only). */
export function rulesFor(state: RbacState, user: UserInfo, namespace: string): PolicyRule[] {
  return boundRules(state, user, namespace).flatMap(({ rules }) => rules);
}

function boundRules(state: RbacState, user: UserInfo, namespace: string): { binding: Binding; rules: readonly PolicyRule[] }[] {
  const found: { binding: Binding; rules: readonly PolicyRule[] }[] = [];
  for (const binding of state.clusterRoleBindings()) {
    if (binding.roleRef.kind !== "ClusterRole" || !binding.subjects.some((s) => appliesTo(s, user, ""))) continue;
    const rules = state.rules(binding.roleRef, "");
    if (rules) found.push({ binding, rules });
  }
  if (namespace) {
    for (const binding of state.roleBindings(namespace)) {
      if (!binding.subjects.some((s) => appliesTo(s, user, namespace))) continue;
      const rules = state.rules(binding.roleRef, namespace);
      if (rules) found.push({ binding, rules });
    }
  }
  return found;
}

function appliesTo(subject: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's own.
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== "" && `${SERVICE_ACCOUNT_PREFIX}${namespace}:${subject.name}` === user.name;
    }
    default:
      return false;
  }
}

export function ruleAllows(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!matches(rule.verbs, attributes.verb)) return false;
  if (attributes.kind === "nonResource") return nonResourceMatches(rule, attributes);
  return matches(rule.apiGroups ?? [], attributes.apiGroup) && resourceMatches(rule, attributes) && (rule.resourceNames === undefined || rule.resourceNames.length === 0 || rule.resourceNames.includes(attributes.name));
}

function matches(values: readonly string[], wanted: string): boolean {
  return values.includes("*") || values.includes(wanted);
}

function resourceMatches(rule: PolicyRule, attributes: ResourceAttributes): boolean {
  const combined = qualifiedResourceName(attributes);
  return (rule.resources ?? []).some((r) => r === "*" || r === combined || (attributes.subresource !== "" && r === `*/${attributes.subresource}`));
}

function nonResourceMatches(rule: PolicyRule, attributes: NonResourceAttributes): boolean {
  return (rule.nonResourceURLs ?? []).some((url) => urlMatches(url, attributes.path));
}

/** A rule's non-resource URL: exact, "*", or a prefix ending in "*". */
function urlMatches(ruleUrl: string, path: string): boolean {
  return ruleUrl === "*" || ruleUrl === path || (ruleUrl.endsWith("*") && path.startsWith(ruleUrl.slice(0, -1)));
}

/** kube-apiserver's 403 message for a denied request. */
export function forbiddenMessage(user: UserInfo, attributes: RequestAttributes): string {
  if (attributes.kind === "nonResource") return `User "${user.name}" cannot ${attributes.verb} path "${attributes.path}"`;
  const scope = attributes.namespace ? `in the namespace "${attributes.namespace}"` : "at the cluster scope";
  return `User "${user.name}" cannot ${attributes.verb} resource "${qualifiedResourceName(attributes)}" in API group "${attributes.apiGroup}" ${scope}`;
}

/**
 * Escalation check: does `owner` hold every permission `servant` grants? Each servant rule is split
 * into single (verb, group, resource, name) or (verb, URL) grants that some owner rule must cover,
 * as kube's validation.Covers does; a "*" in the servant is covered only by a "*" in the owner.
 */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of servant) {
    for (const atom of atomize(rule)) if (!owner.some((o) => covers(o, atom))) missing.push(atom);
  }
  return missing;
}

function atomize(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs ?? []) atoms.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames && rule.resourceNames.length > 0 ? rule.resourceNames : [undefined];
        for (const name of names) atoms.push({ verbs: [verb], apiGroups: [group], resources: [resource], ...(name === undefined ? {} : { resourceNames: [name] }) });
      }
    }
  }
  return atoms;
}

function covers(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!matches(owner.verbs, atom.verbs[0]!)) return false;
  if (atom.nonResourceURLs) {
    const url = atom.nonResourceURLs[0]!;
    return (owner.nonResourceURLs ?? []).some((o) => urlMatches(o, url));
  }
  if (!matches(owner.apiGroups ?? [], atom.apiGroups![0]!)) return false;
  const resource = atom.resources![0]!;
  const [base, sub] = resource.split("/", 2) as [string, string?];
  const resourceOk = (owner.resources ?? []).some((o) => o === "*" || o === resource || (sub !== undefined && o === `${base}/*`) || (sub !== undefined && o === `*/${sub}`));
  if (!resourceOk) return false;
  if (!owner.resourceNames || owner.resourceNames.length === 0) return true;
  return atom.resourceNames !== undefined && owner.resourceNames.includes(atom.resourceNames[0]!);
}
