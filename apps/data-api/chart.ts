// Manifests of the OGC EDR data API: it reads Zarr stores named by Dataset resources.
// It watches Datasets (read-only) to learn which stores exist, so it mounts a token and has a ClusterRole.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { anyAddress, apiServerPorts } from "../../clusters/lib/network-policy.js";
import { dmacGroup, type PolicyRule } from "../../operators/rbac.js";
import { apiWorkload } from "../shared/api-chart.js";

export interface DataApiChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const dataApiName = serviceAccounts.dataApi;
const component = "data-api";
/** The container port the API listens on (the viewer's NetworkPolicies name it). */
export const dataApiPort = 8080;
const port = dataApiPort;

/** Read-only discovery of Datasets; nothing else in the cluster. */
export const dataApiRules: readonly PolicyRule[] = [{ apiGroups: [dmacGroup], resources: ["datasets"], verbs: ["get", "list", "watch"] }];

export class DataApiChart extends Chart {
  constructor(scope: Construct, id: string, props: DataApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const host = `edr.${env.apiHost}`;
    apiWorkload(this, {
      name: dataApiName,
      component,
      workload: env.workloads.dataApi,
      host,
      port,
      ...(outputs ? { roleArn: outputs.roleArns.dataApi } : {}),
      clusterRules: dataApiRules,
      probes: { livenessPath: "/healthz", readinessPath: "/readyz" },
      args: ["serve", "data-api", "--host=0.0.0.0", `--port=${port}`, `--base-url=https://${host}`],
      env: {
        DMAC_ENVIRONMENT: env.name,
        ...(outputs ? { AWS_REGION: outputs.region, DMAC_DATA_BUCKET: outputs.dataBucket } : {}),
      },
      // Chunk cache for Zarr reads lives in /tmp.
      tmpSizeMiB: 512,
      // API server (Dataset watch) and object storage over HTTPS.
      egress: [{ to: [anyAddress], ports: [...apiServerPorts] }],
    });
  }
}
