// RBAC writes as kube-apiserver's rbac registry strategy checks them: structural rules the schema
// cannot say (a Role has no non-resource URLs, a ClusterRoleBinding binds only a ClusterRole, a
// binding's roleRef never changes), and escalation prevention: a subject may create a role only with
// permissions it holds (or with `escalate`), and bind a role only if it holds that role's permissions
// (or has `bind` on it).
import type { AdmissionCheck, AdmissionRequest } from "./api.js";
import { ApiError, errors, qualifiedResource, type StatusCause } from "./errors.js";
import type { Guard } from "./guard.js";
import { MASTERS_GROUP, rulesFor, uncoveredRules, type PolicyRule, type UserInfo } from "./rbac.js";
import { bindingOf, RBAC_GROUP, rulesOf } from "./rbac-state.js";
import { deepEqual, isPlainObject } from "./schema.js";

export function rbacAdmission(guard: Guard): AdmissionCheck {
  return (request) => {
    const { type } = request.target;
    if (type.group !== RBAC_GROUP) return;
    const name = request.object.metadata.name ?? "";
    const namespace = request.object.metadata.namespace ?? "";
    const isBinding = type.plural === "rolebindings" || type.plural === "clusterrolebindings";
    const causes = isBinding ? bindingErrors(request) : roleErrors(request);
    if (causes.length > 0) throw errors.invalid(type.kind, type.group, name, causes);
    const user = request.user;
    if (!user || user.groups.includes(MASTERS_GROUP)) return;
    if (isBinding) {
      const ref = bindingOf(request.object, namespace).roleRef;
      const refResource = ref.kind === "Role" ? "roles" : "clusterroles";
      if (guard.allows(user, { kind: "resource", verb: "bind", apiGroup: RBAC_GROUP, apiVersion: "v1", resource: refResource, subresource: "", namespace, name: ref.name })) return;
      const rules = guard.rbac.rules(ref, namespace);
      if (!rules) throw new ApiError(403, "Forbidden", `${qualifiedResource(type.plural, type.group)} "${name}" is forbidden: ${qualifiedResource(refResource, RBAC_GROUP)} "${ref.name}" not found, and user "${user.name}" has no bind permission on it`, { name, group: type.group, kind: type.plural });
      refuseEscalation(user, rulesFor(guard.rbac, user, namespace), rules, type.plural, name);
      return;
    }
    if (guard.allows(user, { kind: "resource", verb: "escalate", apiGroup: RBAC_GROUP, apiVersion: "v1", resource: type.plural, subresource: "", namespace, name })) return;
    refuseEscalation(user, rulesFor(guard.rbac, user, namespace), rulesOf(request.object), type.plural, name);
  };
}

function refuseEscalation(user: UserInfo, held: readonly PolicyRule[], granted: readonly PolicyRule[], resource: string, name: string): void {
  const missing = uncoveredRules(held, granted);
  if (missing.length === 0) return;
  const list = missing.map(describeRule).join("\n");
  throw new ApiError(403, "Forbidden", `${qualifiedResource(resource, RBAC_GROUP)} "${name}" is forbidden: user "${user.name}" (groups=${JSON.stringify(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${list}`, { name, group: RBAC_GROUP, kind: resource });
}

function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups) parts.push(`APIGroups:${JSON.stringify(rule.apiGroups)}`);
  if (rule.resources) parts.push(`Resources:${JSON.stringify(rule.resources)}`);
  if (rule.resourceNames) parts.push(`ResourceNames:${JSON.stringify(rule.resourceNames)}`);
  if (rule.nonResourceURLs) parts.push(`NonResourceURLs:${JSON.stringify(rule.nonResourceURLs)}`);
  parts.push(`Verbs:${JSON.stringify(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}

function roleErrors({ target, object }: AdmissionRequest): StatusCause[] {
  const causes: StatusCause[] = [];
  const rules = Array.isArray(object.rules) ? object.rules : [];
  rules.forEach((rule, i) => {
    if (!isPlainObject(rule)) return;
    const has = (field: string) => Array.isArray(rule[field]) && (rule[field] as unknown[]).length > 0;
    if (!has("verbs")) causes.push({ reason: "FieldValueRequired", message: "Required value: verbs must contain at least one value", field: `rules[${i}].verbs` });
    if (has("nonResourceURLs")) {
      if (target.type.namespaced) causes.push({ reason: "FieldValueInvalid", message: "Invalid value: namespaced rules cannot apply to non-resource URLs", field: `rules[${i}].nonResourceURLs` });
      else if (has("resources") || has("apiGroups")) causes.push({ reason: "FieldValueInvalid", message: "Invalid value: rules cannot apply to both regular resources and non-resource URLs", field: `rules[${i}].nonResourceURLs` });
    } else {
      if (!has("resources")) causes.push({ reason: "FieldValueRequired", message: "Required value: resource rules must supply at least one resource", field: `rules[${i}].resources` });
      if (!has("apiGroups")) causes.push({ reason: "FieldValueRequired", message: "Required value: resource rules must supply at least one api group", field: `rules[${i}].apiGroups` });
    }
  });
  return causes;
}

function bindingErrors({ target, object, old }: AdmissionRequest): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = isPlainObject(object.roleRef) ? object.roleRef : {};
  if (!target.type.namespaced && ref.kind !== "ClusterRole") causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: "ClusterRole"`, field: "roleRef.kind" });
  if (old && !deepEqual(old.roleRef, object.roleRef)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(object.roleRef)}: cannot change roleRef`, field: "roleRef" });
  const subjects = Array.isArray(object.subjects) ? object.subjects : [];
  subjects.forEach((subject, i) => {
    if (!isPlainObject(subject)) return;
    if (subject.kind === "ServiceAccount") {
      if (subject.apiGroup !== undefined && subject.apiGroup !== "") causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(subject.apiGroup)}: supported values: ""`, field: `subjects[${i}].apiGroup` });
      if (!target.type.namespaced && !subject.namespace) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `subjects[${i}].namespace` });
    } else if (subject.apiGroup !== undefined && subject.apiGroup !== RBAC_GROUP) {
      causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(subject.apiGroup)}: supported values: "${RBAC_GROUP}"`, field: `subjects[${i}].apiGroup` });
    }
  });
  return causes;
}
