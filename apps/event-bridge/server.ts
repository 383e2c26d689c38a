// `dmac event-bridge` at run time: informers over IngestJobs and Datasets (what notifications are
// matched against), one sqs-consumer per NODD queue feeding NoddBridge, the dead-letter sends, and
// /metrics, /healthz and /readyz. Messages are consumed only once both caches are synced: before
// that every key would look unmatched and be acknowledged.
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import type { KubeConfig } from "@kubernetes/client-node";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Consumer } from "sqs-consumer";
import { group, version, type Dataset, type IngestJob } from "../../crds/index.js";
import { Informer } from "../../kube/informer.js";
import { NoddBridge, type BridgeDeps } from "./bridge.js";
import { BridgeMetrics } from "./metrics.js";

export interface NoddQueue {
  /** A short name for logs and metrics (ofs, rtofs). */
  readonly name: string;
  readonly url: string;
  /** Default: the queue's own dead-letter queue, from its RedrivePolicy. */
  readonly deadLetterUrl?: string;
}

/** The dead-letter queue a queue's RedrivePolicy names (infra/messaging.ts sets one on every NODD queue). */
export async function deadLetterUrlOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["RedrivePolicy"] }));
  const policy = Attributes?.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }) : undefined;
  const arn = policy?.deadLetterTargetArn?.split(":");
  if (!arn || arn.length < 6) throw new Error(`${queueUrl}: no RedrivePolicy with a deadLetterTargetArn; give --dead-letter-queue`);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: arn[5], QueueOwnerAWSAccountId: arn[4] }));
  if (!QueueUrl) throw new Error(`${queueUrl}: its dead-letter queue ${arn.join(":")} has no URL`);
  return QueueUrl;
}

export interface EventBridgeOptions {
  readonly kubeConfig: KubeConfig;
  readonly queues: readonly NoddQueue[];
  readonly sqs: SQSClientConfig;
  readonly bus: BridgeDeps["bus"];
  readonly log: BridgeDeps["log"];
  readonly port: number;
  readonly host?: string;
  readonly maxReceives?: number;
  /** Messages received at once per queue (SQS allows 1-10): with one poll at a time, the bound on messages in flight. */
  readonly batchSize?: number;
  /** Seconds before a message whose handoff failed is received again. */
  readonly retryAfterSeconds?: number;
  /** Long-poll seconds (20 in AWS; shorter in tests). */
  readonly waitTimeSeconds?: number;
  readonly namespace?: string;
  readonly metrics?: BridgeMetrics;
}

export interface RunningEventBridge {
  readonly url: string;
  readonly metrics: BridgeMetrics;
  readonly bridges: ReadonlyMap<string, NoddBridge>;
  stop(): Promise<void>;
}

export async function startEventBridge(options: EventBridgeOptions): Promise<RunningEventBridge> {
  const { log } = options;
  const metrics = options.metrics ?? new BridgeMetrics();
  const abort = new AbortController();
  const informer = <T extends IngestJob | Dataset>(kind: string, plural: string) =>
    new Informer<T>(options.kubeConfig, {
      apiVersion: `${group}/${version}`,
      kind,
      path: `/apis/${group}/${version}/${plural}`,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      resyncMs: 0,
      log: (level, message, fields) => log(level, message, fields),
    });
  const jobs = informer<IngestJob>("IngestJob", "ingestjobs");
  const datasets = informer<Dataset>("Dataset", "datasets");
  const running = [jobs.start(abort.signal), datasets.start(abort.signal)];
  const sqs = new SQSClient(options.sqs);
  const consumers: Consumer[] = [];
  const bridges = new Map<string, NoddBridge>();
  let ready = false;

  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.url === "/metrics") {
        response.writeHead(200, { "content-type": metrics.registry.contentType });
        response.end(await metrics.registry.metrics());
      } else if (request.url === "/healthz") {
        response.writeHead(200).end("ok");
      } else if (request.url === "/readyz") {
        response.writeHead(ready ? 200 : 503).end(ready ? "ok" : "informers not synced");
      } else response.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? "127.0.0.1", () => resolve()));
  const address = server.address() as AddressInfo;

  const started = Date.now();
  while (!(jobs.hasSynced && datasets.hasSynced)) {
    if (Date.now() - started > 120_000) log("warn", "IngestJob and Dataset informers not synced after 120 s; still waiting before consuming");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const queue of options.queues) {
    const deadLetterUrl = queue.deadLetterUrl ?? (await deadLetterUrlOf(sqs, queue.url));
    const bridge = new NoddBridge({
      ingestJobs: () => jobs.list(),
      datasets: () => datasets.list(),
      bus: options.bus,
      metrics,
      queue: queue.name,
      log,
      ...(options.maxReceives !== undefined ? { maxReceives: options.maxReceives } : {}),
      sendToDeadLetter: async ({ body, reason, receiveCount }) => {
        await sqs.send(new SendMessageCommand({
          QueueUrl: deadLetterUrl,
          MessageBody: body === "" ? "(empty)" : body,
          MessageAttributes: {
            "dmac-reason": { DataType: "String", StringValue: reason.slice(0, 1024) },
            "dmac-source-queue": { DataType: "String", StringValue: queue.url },
            "dmac-receive-count": { DataType: "Number", StringValue: String(receiveCount) },
          },
        }));
      },
    });
    bridges.set(queue.name, bridge);
    const consumer = Consumer.create({
      queueUrl: queue.url,
      sqs,
      batchSize: options.batchSize ?? 10,
      waitTimeSeconds: options.waitTimeSeconds ?? 20,
      messageSystemAttributeNames: ["ApproximateReceiveCount"],
      // A failed handoff comes back after a short pause instead of the queue's whole visibility timeout.
      // (0 is given as `true`: sqs-consumer reads a plain 0 as "leave the visibility timeout alone".)
      terminateVisibilityTimeout: options.retryAfterSeconds === 0 ? true : (options.retryAfterSeconds ?? 5),
      handleMessage: async (message) => {
        const result = await bridge.handle(message);
        // Throwing leaves the message on the queue (received again after retryAfterSeconds).
        if (!result.ack) throw new Error(result.reason);
        return message;
      },
    });
    consumer.on("error", (err) => log("warn", "SQS consumer error", { queue: queue.name, err: err.message }));
    consumer.on("processing_error", () => undefined); // logged by the bridge with its reason
    consumer.start();
    consumers.push(consumer);
  }
  ready = true;
  log("info", "event bridge consuming", { queues: options.queues.map((q) => q.name) });
  return {
    url: `http://${address.address}:${address.port}`,
    metrics,
    bridges,
    async stop() {
      ready = false;
      await Promise.all(consumers.map((c) => new Promise<void>((resolve) => {
        if (!c.status.isRunning) return resolve();
        c.once("stopped", () => resolve());
        c.stop({ abort: true });
      })));
      abort.abort();
      await Promise.allSettled(running);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      sqs.destroy();
    },
  };
}
