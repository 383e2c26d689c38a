// One regional association (domain): its namespace, the operator's access to its source-credential
// Secrets, the network flows of its Dask jobs, and its custom resources.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, serviceAccounts } from "./config/stack-outputs.js";
import { componentLabels } from "./lib/labels.js";
import { allow, anyAddress } from "./lib/network-policy.js";
import { restrictedNamespace } from "./lib/namespace.js";
import { roleBinding } from "./lib/rbac.js";
import { daskSchedulerPort } from "../operators/chart.js";
import { operatorDomainClusterRole } from "../operators/rbac.js";

export interface DomainChartProps {
  readonly name: string;
  readonly title: string;
}

export const domainNamePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class DomainChart extends Chart {
  constructor(scope: Construct, id: string, props: DomainChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    if (!domainNamePattern.test(props.name)) throw new Error(`domain "${props.name}": name must be a DNS label (it becomes the namespace)`);
    const namespace = props.name;
    restrictedNamespace(this, { name: namespace, purpose: "domain", annotations: { "dmac.ioos.us/title": props.title } });

    roleBinding(this, {
      name: `${serviceAccounts.operator}-domain`,
      namespace,
      roleKind: "ClusterRole",
      role: operatorDomainClusterRole,
      subject: { serviceAccount: serviceAccounts.operator, namespace: platformNamespace },
      labels: componentLabels(serviceAccounts.operator, "operator"),
    });

    // Dask scheduler, workers and the job pod talk among themselves on ports the operator chooses.
    allow(this, {
      name: "dask-within-namespace",
      namespace,
      podSelector: {},
      ingress: [{ from: [{ namespaceLabels: { "kubernetes.io/metadata.name": namespace } }], ports: [] }],
      egress: [{ to: [{ namespaceLabels: { "kubernetes.io/metadata.name": namespace } }], ports: [] }],
    });
    // The operator follows job progress on the scheduler.
    allow(this, {
      name: "operator-to-scheduler",
      namespace,
      podSelector: { "dask.org/component": "scheduler" },
      ingress: [{ from: [{ namespace: platformNamespace, pods: { "app.kubernetes.io/name": serviceAccounts.operator } }], ports: [{ port: daskSchedulerPort }] }],
    });
    // Ingest reads sources (NODD buckets, HTTPS servers) and writes Zarr to object storage.
    allow(this, { name: "egress-https", namespace, podSelector: {}, egress: [{ to: [anyAddress], ports: [{ port: 443 }] }] });
  }
}
