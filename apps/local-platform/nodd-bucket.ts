// A local stand-in for a NOAA NODD bucket and its notifications, on fauxqs (an S3/SNS/SQS emulator
// from npm): a bucket, the SNS topic NOAA publishes to, and our SQS queue with its dead-letter queue
// subscribed to it, as infra/messaging.ts creates them in AWS. Putting an object into the bucket
// through the S3 API announces it like NOAA does: an S3 event record, published to the topic, reaches
// the queue in an SNS envelope.
//
// fauxqs does not emulate S3 event notifications (its README lists bucket notification
// configuration as unsupported), so this module emits them: it follows fauxqs's own record of
// completed uploads (its message spy: a waiter whose filter sees every event and never resolves)
// and, for each new object, reads the object's ETag and size back through the S3 API and publishes
// the event record itself. The event is therefore sent after the object is readable, as in S3.
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { FauxqsServer } from "fauxqs";

export interface LocalNoddOptions {
  readonly port?: number;
  /** Objects as files (default: in memory). */
  readonly storageDir?: string;
  readonly bucket?: string;
  readonly topic?: string;
  readonly queue?: string;
  readonly region?: string;
  /** The queue's own redrive count (infra/messaging.ts uses 4). */
  readonly maxReceiveCount?: number;
  readonly onError?: (error: Error, key: string) => void;
}

export interface LocalNodd {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly deadLetterUrl: string;
  readonly fauxqs: FauxqsServer;
  /** An S3 client for the bucket (path-style, dummy credentials: fauxqs does not check signatures). */
  s3(): S3Client;
  /** Puts an object (and so announces it, unless `announce` is false). */
  put(key: string, body: Uint8Array | string, options?: { announce?: boolean }): Promise<void>;
  /**
   * Announces an object (again: a duplicate notification). With `identity`, without reading the
   * object: a notification that arrives before its object is readable.
   */
  announce(key: string, identity?: { size: number; eTag: string }): Promise<void>;
  stop(): Promise<void>;
}

export const credentials = { accessKeyId: "local", secretAccessKey: "local" };

/** S3 event keys are URL-encoded with `+` for spaces. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
}

export async function startLocalNodd(options: LocalNoddOptions = {}): Promise<LocalNodd> {
  const { startFauxqs } = await import("fauxqs");
  const region = options.region ?? "us-east-1";
  const bucket = options.bucket ?? "noaa-nos-ofs-pds";
  const topic = options.topic ?? "NewOFSObject";
  const queue = options.queue ?? "dmac-nodd-ofs";
  const fauxqs = await startFauxqs({ port: options.port ?? 0, host: "127.0.0.1", logger: false, defaultRegion: region, messageSpies: { bufferSize: 64 }, ...(options.storageDir ? { s3StorageDir: options.storageDir } : {}) });
  const endpoint = `http://127.0.0.1:${fauxqs.port}`;
  fauxqs.createBucket(bucket);
  const { topicArn } = fauxqs.createTopic(topic, { region });
  const dlq = fauxqs.createQueue(`${queue}-dlq`, { region });
  const main = fauxqs.createQueue(queue, { region, attributes: { VisibilityTimeout: "120", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: options.maxReceiveCount ?? 4 }) } });
  fauxqs.subscribe({ topic, queue, region });
  const client = new S3Client({ region, endpoint, forcePathStyle: true, credentials });
  let sequence = 0;

  const announce = async (key: string, identity?: { size: number; eTag: string }) => {
    const head = identity ? { ContentLength: identity.size, ETag: identity.eTag } : await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const record = {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: region,
      eventTime: new Date().toISOString(),
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "dmac-local-nodd",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: {
          key: encodeS3EventKey(key),
          size: head.ContentLength ?? 0,
          eTag: (head.ETag ?? "").replaceAll('"', ""),
          // S3's sequencer grows per key; equal for duplicates of one event.
          sequencer: `${Date.now().toString(16).toUpperCase().padStart(12, "0")}${(sequence++).toString(16).toUpperCase().padStart(6, "0")}`,
        },
      },
    };
    fauxqs.publish(topic, JSON.stringify({ Records: [record] }), { region });
  };
  const uploaded = new Set<string>();
  const silent = new Set<string>();
  let stopped = false;
  void fauxqs.spy
    .waitForMessage((message) => {
      if (!stopped && message.service === "s3" && message.status === "uploaded" && message.bucket === bucket) {
        // Published once per upload event (the spy's buffer is searched again by every new waiter).
        const id = `${message.key}@${message.timestamp}`;
        if (!uploaded.has(id)) {
          uploaded.add(id);
          if (silent.delete(message.key)) return false;
          if (uploaded.size > 10_000) uploaded.delete(uploaded.values().next().value as string);
          void announce(message.key).catch((error: Error) => options.onError?.(error, message.key));
        }
      }
      return false;
    })
    .catch(() => undefined); // rejected when fauxqs stops

  return {
    endpoint,
    region,
    bucket,
    topicArn,
    // fauxqs names queues by a virtual host (sqs.<region>.127.0.0.1) that neither resolves nor parses
    // as a WHATWG URL (a last label that is a number means IPv4); it routes by path.
    queueUrl: `${endpoint}${main.queueUrl.replace(/^[a-z]+:\/\/[^/]+/, "")}`,
    deadLetterUrl: `${endpoint}${dlq.queueUrl.replace(/^[a-z]+:\/\/[^/]+/, "")}`,
    fauxqs,
    s3: () => client,
    put: async (key, body, putOptions) => {
      if (putOptions?.announce === false) silent.add(key);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === "string" ? Buffer.from(body) : body }));
    },
    announce,
    stop: async () => {
      stopped = true;
      client.destroy();
      await fauxqs.stop();
    },
  };
}
