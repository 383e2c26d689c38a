// Namespaces of the platform and of the third-party components: Pod Security "restricted",
// default-deny, DNS, and the network allows of the third-party workloads (their charts' own
// NetworkPolicies are switched off in clusters/third-party.ts so this is the one source). Without a
// cloud stack, also the platform's backing Services and data volume (clusters/lib/backing.ts).
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, type StackOutputs } from "./config/stack-outputs.js";
import type { EnvironmentConfig } from "./environments.js";
import { backingObjects } from "./lib/backing.js";
import { allow, anyAddress, apiServerPorts } from "./lib/network-policy.js";
import { restrictedNamespace } from "./lib/namespace.js";
import { daskOperatorNamespace, ingressNamespace, rabbitmqNamespace } from "./third-party.js";

const traefikPorts = [{ port: 8000 }, { port: 8443 }];
const rabbitmqClusterPorts = [{ port: 4369 }, { port: 5672 }, { port: 25672 }];

export interface PlatformChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    // The HTTP ports Traefik routes to: the ones behind an Ingress (the APIs and the viewer).
    const routedPorts = [...new Set([env.workloads.catalogApi.port, env.workloads.dataApi.port, env.workloads.viewer.port])].sort((a, b) => a - b).map((port) => ({ port }));
    restrictedNamespace(this, { name: platformNamespace, purpose: "platform" });
    for (const name of [daskOperatorNamespace, rabbitmqNamespace, ingressNamespace]) {
      restrictedNamespace(this, { name, purpose: "third-party" });
    }

    // The Dask operator watches DaskJobs and creates pods: API server only.
    allow(this, { name: "dask-operator", namespace: daskOperatorNamespace, podSelector: {}, egress: [{ to: [anyAddress], ports: [...apiServerPorts] }] });

    // RabbitMQ: AMQP from the platform namespace; clustering traffic between its own pods.
    allow(this, {
      name: "rabbitmq",
      namespace: rabbitmqNamespace,
      podSelector: {},
      ingress: [
        { from: [{ namespace: platformNamespace }], ports: [{ port: 5672 }] },
        { from: [{ namespace: rabbitmqNamespace }], ports: rabbitmqClusterPorts },
      ],
      egress: [
        { to: [{ namespace: rabbitmqNamespace }], ports: rabbitmqClusterPorts },
        { to: [anyAddress], ports: [...apiServerPorts] },
      ],
    });

    // Traefik: HTTP(S) from anywhere, to the platform APIs; watches Ingresses on the API server.
    allow(this, {
      name: "traefik",
      namespace: ingressNamespace,
      podSelector: {},
      ingress: [{ from: [anyAddress], ports: traefikPorts }],
      egress: [
        { to: [{ namespace: platformNamespace }], ports: routedPorts },
        { to: [anyAddress], ports: [...apiServerPorts] },
      ],
    });

    backingObjects(this, env, outputs);
  }
}
