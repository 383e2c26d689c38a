// How a workload joins the platform event bus (docs/events.md), per environment: with RabbitMQ, the
// flags of `dmac operator|serve data-api|event-bridge --bus rabbitmq`, the broker login from a Secret
// (created outside Git with the RabbitMQ release's password: docs/operations.md), and the egress to
// the broker; nothing where the bus is in process.
import type { EnvironmentConfig } from "../environments.js";
import { rabbitmqNamespace, rabbitmqUrl } from "../third-party.js";
import type { AllowProps } from "./network-policy.js";

type EgressRule = NonNullable<AllowProps["egress"]>[number];
import type { EnvSource } from "./restricted-workload.js";

/** Secret (in the platform namespace) with keys `username` and `password` for RabbitMQ. */
export const rabbitmqCredentialsSecret = "rabbitmq-credentials";

/**
 * `outboxDir`: where unconfirmed events wait (events/outbox.ts). /tmp is an emptyDir: it outlives a
 * broker outage and container restarts, not the pod's deletion (docs/events.md says what that means).
 */
export function busArgs(env: EnvironmentConfig, outboxDir = "/tmp/outbox"): string[] {
  return env.bus === "rabbitmq" ? ["--bus=rabbitmq", `--amqp-url=${rabbitmqUrl}`, `--outbox-dir=${outboxDir}`] : [];
}

export function busEnv(env: EnvironmentConfig): Record<string, EnvSource> {
  return env.bus === "rabbitmq"
    ? { DMAC_AMQP_USERNAME: { secret: rabbitmqCredentialsSecret, key: "username" }, DMAC_AMQP_PASSWORD: { secret: rabbitmqCredentialsSecret, key: "password" } }
    : {};
}

export function busEgress(env: EnvironmentConfig): EgressRule[] {
  return env.bus === "rabbitmq" ? [{ to: [{ namespace: rabbitmqNamespace }], ports: [{ port: 5672 }] }] : [];
}
