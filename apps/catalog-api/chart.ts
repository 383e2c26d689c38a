// Manifests of the STAC catalog API: it serves the catalog database over HTTP behind the ingress.
// It does not call the Kubernetes API, so its pods get no service account token.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { anyAddress } from "../../clusters/lib/network-policy.js";
import { apiWorkload } from "../shared/api-chart.js";

export interface CatalogApiChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const catalogApiName = serviceAccounts.catalogApi;
const component = "catalog-api";
/** The container port the API listens on (the viewer's NetworkPolicies name it). */
export const catalogApiPort = 8080;
const port = catalogApiPort;
const postgresPort = 5432;

export class CatalogApiChart extends Chart {
  constructor(scope: Construct, id: string, props: CatalogApiChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    // A host of its own: STAC links are absolute and the app serves from "/", so no path rewriting.
    const host = `stac.${env.apiHost}`;
    apiWorkload(this, {
      name: catalogApiName,
      component,
      workload: env.workloads.catalogApi,
      host,
      port,
      ...(outputs ? { roleArn: outputs.roleArns.catalogApi } : {}),
      // The static conformance page shows the process serves; the landing page lists collections,
      // so it answers only when the catalog store does.
      probes: { livenessPath: "/conformance", readinessPath: "/" },
      args: ["serve", "catalog-api", "--host=0.0.0.0", `--port=${port}`, `--base-url=https://${host}`],
      env: {
        DMAC_ENVIRONMENT: env.name,
        // `dmac serve` reads its catalog location from DMAC_CATALOG; user and password come from the
        // Secrets Manager secret (IRSA). Without a cloud database the store is PGlite on the pod's /tmp:
        // enough for a throwaway cluster, rebuilt from the CatalogEntries.
        DMAC_CATALOG: outputs ? `postgres://${outputs.catalogDatabase.endpoint}/catalog` : "/tmp/catalog",
        ...(outputs ? { AWS_REGION: outputs.region, DMAC_CATALOG_DB_SECRET_ARN: outputs.catalogDatabase.secretArn } : {}),
      },
      tmpSizeMiB: outputs ? 64 : 512,
      // The catalog database (RDS in the cloud, outside the cluster) and Secrets Manager over HTTPS.
      egress: [{ to: [anyAddress], ports: [{ port: postgresPort }, { port: 443 }] }],
    });
  }
}
