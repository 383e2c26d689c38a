// Manifests of the OGC EDR data API: it reads Zarr stores named by Dataset resources.
// It watches Datasets (read-only) to learn which stores exist, so it mounts a token and has a ClusterRole.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { backingFor } from "../../clusters/lib/backing.js";
import { busArgs, busEgress, busEnv } from "../../clusters/lib/bus.js";
import { anyAddress, apiServerPorts } from "../../clusters/lib/network-policy.js";
import type { PolicyRule } from "../../clusters/lib/rbac.js";
import { group as dmacGroup } from "../../crds/api/common.js";
import { apiWorkload } from "../shared/api-chart.js";
import { BASELINE_MIB, RUNTIME_ENV } from "./cache-budget.js";

export interface DataApiChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const dataApiName = serviceAccounts.dataApi;
const component = "data-api";

/** Read-only discovery of Datasets; nothing else in the cluster. */
export const dataApiRules: readonly PolicyRule[] = [{ apiGroups: [dmacGroup], resources: ["datasets"], verbs: ["get", "list", "watch"] }];

/**
 * The data API's cache budget for a container memory limit (MiB): half of it, the rest for the
 * process itself and its working memory (BASELINE_MIB, measured in bench/scale/api.ts), which
 * is why a limit below 2 x BASELINE_MIB is refused.
 */
export function dataApiCacheMiB(memoryLimitMiB: number): number {
  if (memoryLimitMiB < 2 * BASELINE_MIB) throw new Error(`workloads.dataApi.sizing.memoryMiB.limit: ${memoryLimitMiB} MiB leaves no room for the cache; the data API needs at least ${2 * BASELINE_MIB} MiB (${BASELINE_MIB} for itself, the rest for --cache-mb)`);
  return Math.floor(memoryLimitMiB / 2);
}

export class DataApiChart extends Chart {
  constructor(scope: Construct, id: string, props: DataApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const host = `edr.${env.apiHost}`;
    const workload = env.workloads.dataApi;
    // Stores are s3:// (the object store: S3 in the cloud, the object-store Service without a stack)
    // or, locally, file:// on the data volume, which the data API only reads.
    const backing = backingFor(env, outputs);
    apiWorkload(this, {
      name: dataApiName,
      component,
      workload,
      host,
      ...(outputs ? { roleArn: outputs.roleArns.dataApi } : {}),
      clusterRules: dataApiRules,
      probes: { livenessPath: "/healthz", readinessPath: "/readyz" },
      // With RabbitMQ, every replica drops its cached chunks of a store on dataset.updated.
      // Every cache together (decoded chunks, opened datasets, station documents) stays under
      // --cache-mb: half the container's memory limit, leaving the rest for the process itself
      // and the answers in flight (docs/data-api.md "At real size").
      args: ["serve", "data-api", "--host=0.0.0.0", `--port=${workload.port}`, `--base-url=https://${host}`, `--cache-mb=${dataApiCacheMiB(workload.sizing.memoryMiB.limit)}`, ...busArgs(env)],
      // glibc and V8 settings that keep RSS near the budget under a burst of queries (cache-budget.ts).
      env: { ...RUNTIME_ENV, ...backing.objectStoreEnv, ...busEnv(env) },
      // Scratch only: the caches are in memory, under --cache-mb.
      tmpSizeMiB: 512,
      claims: backing.dataVolume(true),
      // API server (Dataset watch) and the object store.
      egress: [{ to: [anyAddress], ports: [...apiServerPorts] }, ...backing.objectStoreEgress, ...busEgress(env)],
    });
  }
}
