// NetworkPolicies: every namespace starts from default-deny and opens exactly the flows it needs.
// Written with the L1 k8s types because cdk8s-plus-27's NetworkPolicy names peers by construct,
// and most of our peers (other namespaces, the API server, cloud endpoints) are not constructs here.
import type { Construct } from "constructs";
import { k8s } from "cdk8s-plus-27";

export type Protocol = "TCP" | "UDP";
export interface PortSpec {
  readonly port: number;
  readonly protocol?: Protocol;
}

/** A peer: pods by label (optionally in namespaces by name), or an address block. */
export type Peer =
  | { readonly pods: Record<string, string>; readonly namespace?: string }
  | { readonly namespace: string }
  | { readonly namespaceLabels: Record<string, string>; readonly pods?: Record<string, string> }
  | { readonly cidr: string; readonly except?: readonly string[] };

export interface AllowProps {
  readonly name: string;
  readonly namespace: string;
  /** Pods this policy applies to; empty selects every pod in the namespace. */
  readonly podSelector: Record<string, string>;
  readonly ingress?: readonly { readonly from: readonly Peer[]; readonly ports: readonly PortSpec[] }[];
  readonly egress?: readonly { readonly to: readonly Peer[]; readonly ports: readonly PortSpec[] }[];
}

/**
 * Any address. The Kubernetes API server and cloud endpoints (S3, SQS, RDS) have no pod labels, so
 * flows to them are opened by port to any address rather than by selector.
 */
export const anyAddress: Peer = { cidr: "0.0.0.0/0" };

/** Port of the Kubernetes API server: 443 behind the kubernetes Service VIP, 6443 on control-plane nodes. */
export const apiServerPorts: readonly PortSpec[] = [{ port: 443 }, { port: 6443 }];

const namespaceNameLabel = "kubernetes.io/metadata.name";

function toPeer(peer: Peer): k8s.NetworkPolicyPeer {
  if ("cidr" in peer) {
    return { ipBlock: { cidr: peer.cidr, ...(peer.except ? { except: [...peer.except] } : {}) } };
  }
  if ("namespaceLabels" in peer) {
    const namespaceSelector = { matchLabels: { ...peer.namespaceLabels } };
    return peer.pods ? { namespaceSelector, podSelector: { matchLabels: { ...peer.pods } } } : { namespaceSelector };
  }
  const namespaceSelector = peer.namespace ? { matchLabels: { [namespaceNameLabel]: peer.namespace } } : undefined;
  if ("pods" in peer) {
    return { podSelector: { matchLabels: { ...peer.pods } }, ...(namespaceSelector ? { namespaceSelector } : {}) };
  }
  return { namespaceSelector: namespaceSelector ?? {} };
}

/** An empty port list means every port (e.g. between the pods of one Dask cluster). */
function portsOf(ports: readonly PortSpec[]): { ports?: k8s.NetworkPolicyPort[] } {
  if (ports.length === 0) return {};
  return { ports: ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? "TCP" })) };
}

/** Denies all ingress and egress for every pod in the namespace; allows are added per flow. */
export function defaultDeny(scope: Construct, namespace: string): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `default-deny-${namespace}`, {
    metadata: { name: "default-deny", namespace },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  });
}

/** Every pod may resolve names through the cluster DNS in kube-system. */
export function allowDns(scope: Construct, namespace: string): k8s.KubeNetworkPolicy {
  return allow(scope, {
    name: "allow-dns",
    namespace,
    podSelector: {},
    egress: [
      {
        to: [{ namespace: "kube-system", pods: { "k8s-app": "kube-dns" } }],
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      },
    ],
  });
}

export function allow(scope: Construct, props: AllowProps): k8s.KubeNetworkPolicy {
  const policyTypes = [...(props.ingress ? ["Ingress"] : []), ...(props.egress ? ["Egress"] : [])];
  if (policyTypes.length === 0) throw new Error(`NetworkPolicy ${props.namespace}/${props.name}: needs ingress or egress rules`);
  return new k8s.KubeNetworkPolicy(scope, `${props.namespace}-${props.name}`, {
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      podSelector: Object.keys(props.podSelector).length > 0 ? { matchLabels: { ...props.podSelector } } : {},
      policyTypes,
      ...(props.ingress ? { ingress: props.ingress.map((r) => ({ from: r.from.map(toPeer), ...portsOf(r.ports) })) } : {}),
      ...(props.egress ? { egress: props.egress.map((r) => ({ to: r.to.map(toPeer), ...portsOf(r.ports) })) } : {}),
    },
  });
}
