// Manifests of the event bridge (`dmac event-bridge`): it consumes the NODD SQS queues (IRSA role
// from infra/, queue URLs from the stack outputs), matches each announced object against the
// cluster's IngestJobs (read-only: get/list/watch IngestJobs and Datasets) and publishes data.new on
// RabbitMQ for the operator. Runs from the operator's image (the same Node runtime tree).
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { platformNamespace, serviceAccounts, type StackOutputs } from "../../clusters/config/stack-outputs.js";
import type { EnvironmentConfig } from "../../clusters/environments.js";
import { busArgs, busEgress, busEnv } from "../../clusters/lib/bus.js";
import { componentLabels } from "../../clusters/lib/labels.js";
import { allow, anyAddress, apiServerPorts } from "../../clusters/lib/network-policy.js";
import { clusterRole, clusterRoleBinding, type PolicyRule } from "../../clusters/lib/rbac.js";
import { restrictedDeployment, serviceAccount, type EnvSource } from "../../clusters/lib/restricted-workload.js";
import { group as dmacGroup } from "../../crds/api/common.js";

export interface EventBridgeChartProps {
  readonly env: EnvironmentConfig;
  readonly outputs?: StackOutputs;
}

export const eventBridgeName = serviceAccounts.eventBridge;
const component = "event-bridge";

/** Where queue URLs come from without a stack: a Secret created outside Git (key `queues`: "ofs=<url>,rtofs=<url>"; the region is the URLs'). */
export const noddQueuesSecret = "nodd-queues";

/** Reads IngestJobs (what a key is matched against) and Datasets (their stores are never inputs: loop safety). Writes nothing. */
export const eventBridgeRules: readonly PolicyRule[] = [{ apiGroups: [dmacGroup], resources: ["ingestjobs", "datasets"], verbs: ["get", "list", "watch"] }];

export class EventBridgeChart extends Chart {
  constructor(scope: Construct, id: string, props: EventBridgeChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { env, outputs } = props;
    const workload = env.workloads.eventBridge;
    const namespace = platformNamespace;
    const name = eventBridgeName;
    const labels = componentLabels(name, component);

    const sa = serviceAccount(this, "service-account", { name, namespace, component, ...(outputs ? { roleArn: outputs.roleArns.eventBridge } : {}) });
    clusterRole(this, name, eventBridgeRules, labels);
    clusterRoleBinding(this, name, name, { serviceAccount: name, namespace }, labels);

    // With a stack the queue URLs are in the args (reviewed in the diff); without, in a Secret.
    const queueArgs = outputs ? [`--queue=ofs=${outputs.queueUrls.ofs}`, `--queue=rtofs=${outputs.queueUrls.rtofs}`] : [];
    const queueEnv: Record<string, EnvSource> = outputs ? { AWS_REGION: outputs.region } : { DMAC_NODD_QUEUES: { secret: noddQueuesSecret, key: "queues" } };
    const { image, replicas, sizing, port } = workload;
    restrictedDeployment(this, "deployment", {
      name, namespace, component, image, replicas, sizing,
      serviceAccount: sa,
      mountServiceAccountToken: true,
      probes: { port, livenessPath: "/healthz", readinessPath: "/readyz" },
      // Each queue's dead-letter queue is the one its RedrivePolicy names (infra/messaging.ts).
      args: ["event-bridge", "--host=0.0.0.0", `--port=${port}`, ...queueArgs, ...busArgs(env)],
      env: { ...queueEnv, ...busEnv(env) },
    });

    allow(this, {
      name,
      namespace,
      podSelector: { "app.kubernetes.io/name": name },
      egress: [
        // API server (IngestJob and Dataset watches) and SQS over HTTPS.
        { to: [anyAddress], ports: [...apiServerPorts] },
        ...busEgress(env),
      ],
    });
  }
}
