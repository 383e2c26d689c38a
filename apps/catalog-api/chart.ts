// Manifests of the STAC catalog API: it serves the catalog database over HTTP behind the ingress.
// It does not call the Kubernetes API, so its pods get no service account token.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { backingFor } from "../../clusters/lib/backing.js";
import { apiWorkload } from "../shared/api-chart.js";

export interface CatalogApiChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const catalogApiName = serviceAccounts.catalogApi;
const component = "catalog-api";

/** The public base URL of the STAC API: its own host, since STAC links are absolute and the app serves from "/". */
export const catalogApiPublicUrl = (env: EnvironmentConfig): string => `https://stac.${env.apiHost}`;

export class CatalogApiChart extends Chart {
  constructor(scope: Construct, id: string, props: CatalogApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const workload = env.workloads.catalogApi;
    const publicUrl = catalogApiPublicUrl(env);
    // The same PostgreSQL the operator writes (clusters/lib/backing.ts): RDS in the cloud, the
    // catalog-db Service without a stack. Its login never sits in Git.
    const backing = backingFor(env, outputs);
    apiWorkload(this, {
      name: catalogApiName,
      component,
      workload,
      host: new URL(publicUrl).host,
      ...(outputs ? { roleArn: outputs.roleArns.catalogApi } : {}),
      // The static conformance page shows the process serves; the landing page lists collections,
      // so it answers only when the catalog store does.
      probes: { livenessPath: "/conformance", readinessPath: "/" },
      args: ["serve", "catalog-api", "--host=0.0.0.0", `--port=${workload.port}`, `--base-url=${publicUrl}`, `--catalog=${backing.catalogUrl}`],
      env: backing.catalogEnv,
      tmpSizeMiB: 64,
      egress: backing.catalogEgress,
    });
  }
}
