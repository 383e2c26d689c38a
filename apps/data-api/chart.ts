// Manifests of the OGC EDR data API: it reads Zarr stores named by Dataset resources.
// It watches Datasets (read-only) to learn which stores exist, so it mounts a token and has a ClusterRole.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { apiIngress } from "../../clusters/lib/ingress.js";
import { componentLabels } from "../../clusters/lib/labels.js";
import { allow, anyAddress, apiServerPorts } from "../../clusters/lib/network-policy.js";
import { clusterRole, clusterRoleBinding } from "../../clusters/lib/rbac.js";
import { httpService, restrictedDeployment, serviceAccount } from "../../clusters/lib/restricted-workload.js";
import { ingressNamespace } from "../../clusters/third-party.js";
import { dmacGroup, type PolicyRule } from "../../operators/rbac.js";

export interface DataApiChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const dataApiName = serviceAccounts.dataApi;
const component = "data-api";
const port = 8080;

/** Read-only discovery of Datasets; nothing else in the cluster. */
export const dataApiRules: readonly PolicyRule[] = [{ apiGroups: [dmacGroup], resources: ["datasets"], verbs: ["get", "list", "watch"] }];

export class DataApiChart extends Chart {
  constructor(scope: Construct, id: string, props: DataApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const workload = env.workloads.dataApi;
    const namespace = platformNamespace;
    const name = dataApiName;
    const labels = componentLabels(name, component);
    const host = `edr.${env.apiHost}`;

    const sa = serviceAccount(this, "service-account", {
      name,
      namespace,
      component,
      ...(outputs ? { roleArn: outputs.roleArns.dataApi } : {}),
    });
    clusterRole(this, name, dataApiRules, labels);
    clusterRoleBinding(this, name, name, { serviceAccount: name, namespace }, labels);
    restrictedDeployment(this, "deployment", {
      name,
      namespace,
      component,
      image: workload.image,
      replicas: workload.replicas,
      sizing: workload.sizing,
      serviceAccount: sa,
      mountServiceAccountToken: true,
      probes: { port, livenessPath: "/healthz", readinessPath: "/readyz" },
      args: ["serve", "data-api", "--host=0.0.0.0", `--port=${port}`, `--base-url=https://${host}`],
      // Chunk cache for Zarr reads lives in /tmp.
      tmpSizeMiB: 512,
      env: {
        DMAC_ENVIRONMENT: env.name,
        ...(outputs ? { AWS_REGION: outputs.region, DMAC_DATA_BUCKET: outputs.dataBucket } : {}),
      },
    });
    httpService(this, "service", { name, namespace, component, port });
    apiIngress(this, "ingress", { name, namespace, component, host, pathPrefix: "/", serviceName: name });

    allow(this, {
      name,
      namespace,
      podSelector: { "app.kubernetes.io/name": name },
      ingress: [{ from: [{ namespace: ingressNamespace }], ports: [{ port }] }],
      // API server (Dataset watch) and object storage over HTTPS.
      egress: [{ to: [anyAddress], ports: [...apiServerPorts] }],
    });
  }
}
