// The manifests every public HTTP API of the platform needs, wired one way: a service account (with
// its IRSA role in the cloud), optionally a read-only ClusterRole, a restricted Deployment, a
// Service, an Ingress on its own host, and a NetworkPolicy that admits only the ingress controller
// and lets out only what the app declares. Each API's chart says what differs (args, env, probes,
// permissions, egress).
import type { Construct } from "constructs";
import { platformNamespace } from "../../clusters/config/stack-outputs.js";
import type { WorkloadConfig } from "../../clusters/environments.js";
import { apiIngress } from "../../clusters/lib/ingress.js";
import { componentLabels } from "../../clusters/lib/labels.js";
import { allow, type AllowProps } from "../../clusters/lib/network-policy.js";
import { clusterRole, clusterRoleBinding } from "../../clusters/lib/rbac.js";
import { httpService, restrictedDeployment, serviceAccount, type ClaimMount, type EnvSource, type HttpProbes } from "../../clusters/lib/restricted-workload.js";
import { ingressNamespace } from "../../clusters/third-party.js";
import type { PolicyRule } from "../../clusters/lib/rbac.js";

export interface ApiWorkloadProps {
  readonly name: string;
  readonly component: string;
  readonly workload: WorkloadConfig;
  /** The API's own host, e.g. stac.<apiHost>; it serves from "/". */
  readonly host: string;
  /** IRSA role of the service account, in the cloud. */
  readonly roleArn?: string;
  /**
   * Cluster permissions (read-only discovery). With none the pod gets no service account token;
   * with some it gets a token and a ClusterRole bound to its service account.
   */
  readonly clusterRules?: readonly PolicyRule[];
  readonly probes: Omit<HttpProbes, "port">;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, EnvSource>>;
  readonly tmpSizeMiB: number;
  readonly claims?: readonly ClaimMount[];
  /** Where the pods may connect (DNS is allowed namespace-wide). */
  readonly egress: NonNullable<AllowProps["egress"]>;
}

export function apiWorkload(scope: Construct, props: ApiWorkloadProps): void {
  const { name, component, workload, host } = props;
  const { port } = workload;
  const namespace = platformNamespace;
  const sa = serviceAccount(scope, "service-account", { name, namespace, component, ...(props.roleArn ? { roleArn: props.roleArn } : {}) });
  if (props.clusterRules) {
    const labels = componentLabels(name, component);
    clusterRole(scope, name, props.clusterRules, labels);
    clusterRoleBinding(scope, name, name, { serviceAccount: name, namespace }, labels);
  }
  restrictedDeployment(scope, "deployment", {
    name,
    namespace,
    component,
    image: workload.image,
    replicas: workload.replicas,
    sizing: workload.sizing,
    serviceAccount: sa,
    mountServiceAccountToken: props.clusterRules !== undefined,
    probes: { port, ...props.probes },
    args: props.args,
    env: props.env,
    tmpSizeMiB: props.tmpSizeMiB,
    ...(props.claims ? { claims: props.claims } : {}),
  });
  httpService(scope, "service", { name, namespace, component, port });
  apiIngress(scope, "ingress", { name, namespace, component, host, pathPrefix: "/", serviceName: name });
  allow(scope, {
    name,
    namespace,
    podSelector: { "app.kubernetes.io/name": name },
    ingress: [{ from: [{ namespace: ingressNamespace }], ports: [{ port }] }],
    egress: props.egress,
  });
}
