// Manifests of the dmac operator: ServiceAccount, RBAC from ./rbac.ts, the Deployment and its network allows.
// The namespace itself (with default-deny) comes from clusters/platform-chart.ts.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, serviceAccounts, type StackOutputs } from "../clusters/config/stack-outputs.js";
import { catalogApiPublicUrl } from "../apps/catalog-api/chart.js";
import type { EnvironmentConfig } from "../clusters/environments.js";
import { backingFor } from "../clusters/lib/backing.js";
import { busArgs, busEgress, busEnv } from "../clusters/lib/bus.js";
import { componentLabels } from "../clusters/lib/labels.js";
import { allow, anyAddress, apiServerPorts } from "../clusters/lib/network-policy.js";
import { clusterRole, clusterRoleBinding, namespacedRole, roleBinding } from "../clusters/lib/rbac.js";
import { restrictedDeployment, serviceAccount } from "../clusters/lib/restricted-workload.js";
import { operatorNodeOptions } from "./heap.js";
import { operatorClusterRules, operatorDomainClusterRole, operatorDomainRules, operatorLeaderElectionRules } from "./rbac.js";

export interface OperatorChartProps {
  readonly env: EnvironmentConfig;
  /** Cloud identifiers of the environment's Pulumi stack; absent for environments without one. */
  readonly outputs?: StackOutputs;
}

export const operatorName = serviceAccounts.operator;
const component = "operator";
/** Dask scheduler port the operator talks to for job progress. */
export const daskSchedulerPort = 8786;

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const workload = env.workloads.operator;
    const namespace = platformNamespace;
    const labels = componentLabels(operatorName, component);
    const subject = { serviceAccount: operatorName, namespace };
    // The operator manager (operators/runtime/manager.ts) serves /metrics, /healthz and /readyz on one port.
    const probePort = workload.port;
    const backing = backingFor(env, outputs);

    const sa = serviceAccount(this, "service-account", {
      name: operatorName,
      namespace,
      component,
      ...(outputs ? { roleArn: outputs.roleArns.operator } : {}),
    });

    clusterRole(this, operatorName, operatorClusterRules, labels);
    clusterRoleBinding(this, operatorName, operatorName, subject, labels);
    namespacedRole(this, `${operatorName}-leader-election`, namespace, operatorLeaderElectionRules, labels);
    roleBinding(this, { name: `${operatorName}-leader-election`, namespace, roleKind: "Role", role: `${operatorName}-leader-election`, subject, labels });
    // Bound in each domain namespace by its own RoleBinding (clusters/domain-chart.ts), never cluster-wide.
    clusterRole(this, operatorDomainClusterRole, operatorDomainRules, labels);

    restrictedDeployment(this, "deployment", {
      name: operatorName,
      namespace,
      component,
      image: workload.image,
      replicas: workload.replicas,
      sizing: workload.sizing,
      serviceAccount: sa,
      mountServiceAccountToken: true,
      probes: { port: probePort, livenessPath: "/healthz", readinessPath: "/readyz" },
      args: [
        "operator",
        `--probe-port=${probePort}`,
        "--probe-host=0.0.0.0",
        // The catalog the catalog API serves (clusters/lib/backing.ts), and that API's public URL for status.collectionUrl.
        `--catalog=${backing.catalogUrl}`,
        `--catalog-api-url=${catalogApiPublicUrl(env)}`,
        ...(workload.replicas > 1 ? ["--leader-elect"] : []),
        // dataset.updated to the data API replicas, data.new from the event bridge (docs/events.md).
        ...busArgs(env),
      ],
      env: {
        DMAC_NAMESPACE: namespace,
        NODE_OPTIONS: operatorNodeOptions(workload.sizing),
        // The leader-election identity; on the host's network (podman) the hostname is the host's.
        POD_NAME: { podField: "metadata.name" },
        ...backing.catalogEnv,
        ...backing.objectStoreEnv,
        ...busEnv(env),
      },
      // file:// stores and inputs (--storage-root /data/stores, --input-root /data/inputs) where the
      // environment has a data volume; s3:// stores elsewhere. The local executor's scratch is /tmp.
      claims: backing.dataVolume(false),
      tmpSizeMiB: 1024,
    });

    allow(this, {
      name: operatorName,
      namespace,
      podSelector: { "app.kubernetes.io/name": operatorName },
      egress: [
        // API server, object stores and HTTPS data sources (NODD buckets, THREDDS).
        { to: [anyAddress], ports: [...apiServerPorts] },
        // Dask schedulers of DaskJobs in the domain namespaces.
        { to: [{ namespaceLabels: { "dmac.ioos.us/purpose": "domain" } }], ports: [{ port: daskSchedulerPort }] },
        // The catalog's PostgreSQL and the object store.
        ...backing.catalogEgress,
        ...backing.objectStoreEgress,
        ...busEgress(env),
      ],
    });
  }
}
