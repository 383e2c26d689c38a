// Manifests of the browser viewer: the page and its bundle on a host of their own, with the data
// API and the STAC API proxied on the same origin. It calls neither the Kubernetes API nor the
// cloud, so its pods get no service account token and its service account no IAM role.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { allow } from "../../clusters/lib/network-policy.js";
import { selectorLabels } from "../../clusters/lib/labels.js";
import { serviceUrl } from "../../clusters/lib/restricted-workload.js";
import { catalogApiName } from "../catalog-api/chart.js";
import { dataApiName } from "../data-api/chart.js";
import { apiWorkload } from "../shared/api-chart.js";

export interface ViewerChartProps {
  readonly env: EnvironmentConfig;
}

export const viewerName = "viewer";
const component = "viewer";

export class ViewerChart extends Chart {
  constructor(scope: Construct, id: string, props: ViewerChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env } = props;
    const viewerPods = selectorLabels(viewerName);
    const { port } = env.workloads.viewer;
    // Every Service's port is its container's (clusters/lib/restricted-workload.ts httpService), so
    // the URL the viewer dials and the port NetworkPolicies match are one number.
    // test/charts/policy.test.ts follows the URLs through the rendered Services to the APIs' pods.
    const dataApi: { name: string; port: number } = { name: dataApiName, port: env.workloads.dataApi.port };
    const catalogApi = { name: catalogApiName, port: env.workloads.catalogApi.port };
    const upstreams = [dataApi, catalogApi];
    const url = (u: { name: string; port: number }) => serviceUrl(u.name, platformNamespace, u.port);
    apiWorkload(this, {
      name: viewerName,
      component,
      workload: env.workloads.viewer,
      // Beside stac. and edr.: the page fetches data/ and catalog/ relative to itself, from "/".
      host: `viewer.${env.apiHost}`,
      // Liveness asks nothing of the APIs (an API outage must not restart the viewer); readiness
      // waits for the esbuild bundle, so no request waits for the build or reaches a pod that cannot build it.
      probes: { livenessPath: "/healthz", readinessPath: "/readyz" },
      args: ["serve", "viewer", "--host=0.0.0.0", `--port=${port}`, `--data-api=${url(dataApi)}`, `--catalog-api=${url(catalogApi)}`],
      env: {},
      // The bundle is built in memory; nothing is written.
      tmpSizeMiB: 16,
      egress: upstreams.map((u) => ({ to: [{ pods: selectorLabels(u.name) }], ports: [{ port: u.port }] })),
    });
    // The other half of each proxied flow: the APIs' own policies admit only the ingress
    // controller, and NetworkPolicies add up, so the viewer's chart admits itself. Removing the
    // viewer removes these with it.
    for (const { name, port: upstreamPort } of upstreams) {
      allow(this, {
        name: `${name}-from-${viewerName}`,
        namespace: platformNamespace,
        podSelector: selectorLabels(name),
        ingress: [{ from: [{ pods: viewerPods }], ports: [{ port: upstreamPort }] }],
      });
    }
  }
}
