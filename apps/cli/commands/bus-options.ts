// The `--bus` options every long-running command shares (`dmac operator`, `dmac serve data-api`,
// `dmac up`, `dmac event-bridge`): which event bus, and for RabbitMQ where it is and where the outbox lives.
import { Option, type Command } from "commander";

export interface BusFlags {
  bus: string;
  amqpUrl?: string;
  outboxDir?: string;
}

export function addBusOptions(cmd: Command, defaultKind: "inprocess" | "rabbitmq" = "inprocess"): Command {
  return cmd
    .addOption(new Option("--bus <kind>", "event bus: inprocess (one process) or rabbitmq (between processes; docs/events.md)").choices(["inprocess", "rabbitmq"]).default(process.env.DMAC_BUS ?? defaultKind))
    .option("--amqp-url <url>", "RabbitMQ URL for --bus rabbitmq", process.env.DMAC_AMQP_URL)
    .option("--outbox-dir <dir>", "where events wait until RabbitMQ confirms them (a volume that outlives the process)", process.env.DMAC_OUTBOX_DIR);
}

/**
 * The AMQP URL with the login from $DMAC_AMQP_USERNAME and $DMAC_AMQP_PASSWORD when the URL has
 * none: in a pod they come from a Secret, so the password never sits in the rendered args.
 */
export function amqpUrlWithLogin(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const parsed = new URL(url);
  if (parsed.username === "" && env.DMAC_AMQP_USERNAME) {
    parsed.username = encodeURIComponent(env.DMAC_AMQP_USERNAME);
    parsed.password = encodeURIComponent(env.DMAC_AMQP_PASSWORD ?? "");
  }
  return parsed.href;
}

/** The bus a command's flags name, logging through `log`. */
export async function busFromFlags(flags: BusFlags, log: (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void) {
  const { createEventBus } = await import("../../../events/bus-config.js");
  return createEventBus({ kind: flags.bus === "rabbitmq" ? "rabbitmq" : "inprocess", ...(flags.amqpUrl ? { url: amqpUrlWithLogin(flags.amqpUrl) } : {}), ...(flags.outboxDir ? { outboxDir: flags.outboxDir } : {}), log });
}
