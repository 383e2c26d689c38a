// Legacy (unaggregated) discovery documents: kubectl and client-go fall back to these when the
// server does not offer aggregated discovery, and they change live as CRDs come and go.
import type { Registry } from "./registry.js";
import { groupVersion, type ResourceType } from "./resource-type.js";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function apiVersions(serverAddress: string): object {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupDocument(name: string, versions: string[]): object {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: Registry): object {
  const groups = [...registry.groups()].filter(([name]) => name !== "").sort(([a], [b]) => a.localeCompare(b));
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(([name, versions]) => groupDocument(name, versions)) };
}

export function apiGroup(registry: Registry, group: string): object | undefined {
  const versions = registry.groups().get(group);
  return versions && group !== "" ? { kind: "APIGroup", apiVersion: "v1", ...groupDocument(group, versions) } : undefined;
}

export function apiResourceList(registry: Registry, group: string, version: string): object | undefined {
  const types = registry.all().filter((t) => t.group === group && t.versions.some((v) => v.name === version && v.served));
  if (types.length === 0) return undefined;
  const resources = types
    .sort((a, b) => a.plural.localeCompare(b.plural))
    .flatMap((type) => {
      const served = type.versions.find((v) => v.name === version)!;
      const entries = [resourceEntry(type)];
      if (served.statusSubresource) entries.push({ name: `${type.plural}/status`, singularName: "", namespaced: type.namespaced, kind: type.kind, verbs: ["get", "patch", "update"] });
      if (group === "" && type.plural === "serviceaccounts") entries.push(TOKEN_SUBRESOURCE);
      return entries;
    });
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources };
}

/** TokenRequest, served as a subresource of ServiceAccounts. */
const TOKEN_SUBRESOURCE = { name: "serviceaccounts/token", singularName: "", namespaced: true, group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] };

function resourceEntry(type: ResourceType): object {
  const entry: Record<string, unknown> = { name: type.plural, singularName: type.singular, namespaced: type.namespaced, kind: type.kind, verbs: type.virtual ? ["create"] : VERBS };
  if (type.shortNames.length > 0) entry.shortNames = type.shortNames;
  if (type.categories.length > 0) entry.categories = type.categories;
  return entry;
}
