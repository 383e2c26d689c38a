// Manifests of the event bridge: it consumes NODD object notifications (SQS), publishes them to
// RabbitMQ and nudges the matching IngestJob (an annotation patch) so the operator rescans the source.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { componentLabels } from "../../clusters/lib/labels.js";
import { allow, anyAddress, apiServerPorts } from "../../clusters/lib/network-policy.js";
import { clusterRole, clusterRoleBinding } from "../../clusters/lib/rbac.js";
import { restrictedDeployment, serviceAccount } from "../../clusters/lib/restricted-workload.js";
import { rabbitmqNamespace, rabbitmqUrl } from "../../clusters/third-party.js";
import { dmacGroup, type PolicyRule } from "../../operators/rbac.js";

export interface EventBridgeChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const eventBridgeName = serviceAccounts.eventBridge;
const component = "event-bridge";
const port = 8080;
const amqpPort = 5672;

/** Find IngestJobs whose source matches a new object, and annotate them; Events for what it did. */
export const eventBridgeRules: readonly PolicyRule[] = [
  { apiGroups: [dmacGroup], resources: ["ingestjobs"], verbs: ["get", "list", "watch", "patch"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
];

export class EventBridgeChart extends Chart {
  constructor(scope: Construct, id: string, props: EventBridgeChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const workload = env.workloads.eventBridge;
    const namespace = platformNamespace;
    const name = eventBridgeName;
    const labels = componentLabels(name, component);

    const sa = serviceAccount(this, "service-account", {
      name,
      namespace,
      component,
      ...(outputs ? { roleArn: outputs.roleArns.eventBridge } : {}),
    });
    clusterRole(this, name, eventBridgeRules, labels);
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
      args: ["event-bridge", `--port=${port}`],
      env: {
        DMAC_ENVIRONMENT: env.name,
        DMAC_RABBITMQ_URL: rabbitmqUrl,
        ...(outputs
          ? { AWS_REGION: outputs.region, DMAC_QUEUE_URL_OFS: outputs.queueUrls.ofs, DMAC_QUEUE_URL_RTOFS: outputs.queueUrls.rtofs }
          : {}),
      },
    });

    allow(this, {
      name,
      namespace,
      podSelector: { "app.kubernetes.io/name": name },
      egress: [
        // API server and SQS over HTTPS.
        { to: [anyAddress], ports: [...apiServerPorts] },
        { to: [{ namespace: rabbitmqNamespace }], ports: [{ port: amqpPort }] },
      ],
    });
  }
}
