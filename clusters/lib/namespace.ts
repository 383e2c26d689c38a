// A namespace that enforces Pod Security "restricted" and starts from default-deny networking.
import type { Construct } from "constructs";
import { k8s } from "cdk8s-plus-27";
import { allowDns, defaultDeny } from "./network-policy.js";
import { partOf } from "./labels.js";

/** Pod Security admission labels: enforce, audit and warn all at "restricted", pinned to the latest policy. */
export const podSecurityLabels: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

export interface RestrictedNamespaceProps {
  readonly name: string;
  /** What the namespace holds, e.g. platform, domain, third-party. */
  readonly purpose: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** The Namespace, its default-deny NetworkPolicy and the DNS allow every pod needs. */
export function restrictedNamespace(scope: Construct, props: RestrictedNamespaceProps): void {
  new k8s.KubeNamespace(scope, `namespace-${props.name}`, {
    metadata: {
      name: props.name,
      labels: { ...podSecurityLabels, "app.kubernetes.io/part-of": partOf, "dmac.ioos.us/purpose": props.purpose, ...props.labels },
      ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
    },
  });
  defaultDeny(scope, props.name);
  allowDns(scope, props.name);
}
