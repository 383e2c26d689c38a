// `dmac event-bridge`: consumes the NODD SQS queues and hands each announced object to the IngestJobs
// whose source names it, as data.new events on the RabbitMQ bus (apps/event-bridge, docs/events.md).
import type { Command } from "commander";
import { resolve } from "node:path";
import { addBusOptions, busFromFlags, type BusFlags } from "./bus-options.js";
import { kubeConfigFrom } from "./operator.js";

interface Options extends BusFlags {
  kubeconfig?: string;
  namespace?: string;
  queue: string[];
  deadLetterQueue: string[];
  region?: string;
  sqsEndpoint?: string;
  port: string;
  host: string;
  maxReceives: string;
  batchSize: string;
}

const collect = (value: string, all: string[]) => [...all, value];

/** `name=url` pairs into a map, refusing a malformed one with the flag's name. */
function pairs(values: readonly string[], flag: string, program: Command): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0 || !/^https?:\/\//.test(value.slice(at + 1))) program.error(`error: ${flag} must be <name>=<queue URL>, got "${value}"`);
    map.set(value.slice(0, at), value.slice(at + 1));
  }
  return map;
}

function bounded(value: string, flag: string, min: number, max: number, program: Command): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) program.error(`error: ${flag} must be ${min}-${max}, got "${value}"`);
  return n;
}

export function registerEventBridge(program: Command): void {
  const cmd = program
    .command("event-bridge")
    .description("Consume the NODD SQS queues and hand new objects to the matching IngestJobs over the event bus")
    .option("--kubeconfig <file>", "kubeconfig to use (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
    .option("--namespace <ns>", "match only IngestJobs of this namespace (default: all)")
    .option("--queue <name=url>", "an SQS queue of NODD notifications (repeat per feed: ofs=..., rtofs=...; also from $DMAC_NODD_QUEUES, comma-separated)", collect, (process.env.DMAC_NODD_QUEUES ?? "").split(",").map((q) => q.trim()).filter((q) => q !== ""))
    .option("--dead-letter-queue <name=url>", "the dead-letter queue of a --queue, by the same name (default: the one its RedrivePolicy names)", collect, [] as string[])
    .option("--region <region>", "AWS region of the queues (default: $AWS_REGION, else the queue URLs' own, sqs.<region>.amazonaws.com)", process.env.AWS_REGION)
    .option("--sqs-endpoint <url>", "SQS endpoint (an emulator; default: AWS)", process.env.AWS_ENDPOINT_URL_SQS)
    .option("--port <n>", "port for /metrics, /healthz and /readyz", "8080")
    .option("--host <address>", "interface for that port (0.0.0.0 in a pod)", "127.0.0.1")
    .option("--max-receives <n>", "receives after which a message whose handoff fails goes to the DLQ with its reason (below the queue's redrive count)", "3")
    .option("--batch-size <n>", "messages received at once per queue (1-10): the bound on handoffs in flight per queue", "10");
  addBusOptions(cmd, "rabbitmq").action(async (options: Options) => {
    const [{ startEventBridge }, { default: pino }] = await Promise.all([import("../../event-bridge/server.js"), import("pino")]);
    const queues = pairs(options.queue, "--queue", program);
    const deadLetters = pairs(options.deadLetterQueue, "--dead-letter-queue", program);
    if (queues.size === 0) program.error("error: give at least one --queue <name>=<url>");
    for (const name of deadLetters.keys()) if (!queues.has(name)) program.error(`error: --dead-letter-queue ${name} names no --queue`);
    if (options.bus !== "rabbitmq") program.error("error: the event bridge hands off across processes: --bus must be rabbitmq");
    const log = pino({ name: "dmac-event-bridge", level: process.env.DMAC_LOG_LEVEL ?? "info", base: { component: "dmac-event-bridge" }, timestamp: pino.stdTimeFunctions.isoTime });
    const logFn = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) => log[level](fields, message);
    const configured = await busFromFlags({ ...options, ...(options.outboxDir ? { outboxDir: resolve(options.outboxDir) } : {}) }, logFn).catch((error: Error) => program.error(`error: ${error.message}`));
    const bridge = await startEventBridge({
      kubeConfig: await kubeConfigFrom(options.kubeconfig),
      queues: [...queues].map(([name, url]) => ({ name, url, ...(deadLetters.has(name) ? { deadLetterUrl: deadLetters.get(name)! } : {}) })),
      sqs: { region: options.region ?? /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec([...queues.values()][0] ?? "")?.[1] ?? "us-east-1", ...(options.sqsEndpoint ? { endpoint: options.sqsEndpoint } : {}) },
      bus: configured.bus,
      log: logFn,
      port: bounded(options.port, "--port", 0, 65535, program),
      host: options.host,
      maxReceives: bounded(options.maxReceives, "--max-receives", 1, 100, program),
      batchSize: bounded(options.batchSize, "--batch-size", 1, 10, program),
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
    log.info({ metrics: `${bridge.url}/metrics` }, "event bridge started");
    await new Promise<void>((done) => {
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    await bridge.stop();
    await configured.close();
  });
}
