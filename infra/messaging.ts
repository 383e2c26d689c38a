// NODD event queues: one SQS queue per NOAA feed, subscribed to NOAA's public SNS topic, with a
// dead-letter queue after 4 failed receives and a queue policy that accepts only that topic.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arnRegion, type StackConfig } from "./config.js";
import { queueAcceptsTopicPolicy } from "./policy-documents.js";

export const maxReceiveCount = 4;

export interface FeedQueue {
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The event bridge sends here itself, with a reason, before the redrive count is reached. */
  readonly deadLetterArn: pulumi.Output<string>;
}

export interface Messaging {
  readonly ofs: FeedQueue;
  readonly rtofs: FeedQueue;
}

export function createMessaging(name: string, cfg: StackConfig): Messaging {
  const providers = new Map<string, aws.Provider>();
  // An SNS subscription lives in the topic's region; NODD publishes from us-east-1.
  const providerFor = (region: string): aws.Provider | undefined => {
    if (region === cfg.region) return undefined;
    let p = providers.get(region);
    if (!p) {
      p = new aws.Provider(`${name}-${region}`, { region: region as aws.Region });
      providers.set(region, p);
    }
    return p;
  };
  const feed = (feedName: "ofs" | "rtofs"): FeedQueue => {
    const topicArn = cfg.noddTopics[feedName];
    const tags = { "dmac.ioos.us/stack": cfg.stack, "dmac.ioos.us/feed": feedName };
    const dlq = new aws.sqs.Queue(`${name}-${feedName}-dlq`, {
      messageRetentionSeconds: 14 * 24 * 3600,
      sqsManagedSseEnabled: true,
      tags,
    });
    const queue = new aws.sqs.Queue(`${name}-${feedName}`, {
      // Longer than the event bridge needs to turn one notification into an IngestJob.
      visibilityTimeoutSeconds: 120,
      messageRetentionSeconds: 4 * 24 * 3600,
      receiveWaitTimeSeconds: 20,
      sqsManagedSseEnabled: true,
      redrivePolicy: dlq.arn.apply((deadLetterTargetArn) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount })),
      tags,
    });
    new aws.sqs.RedriveAllowPolicy(`${name}-${feedName}-dlq`, {
      queueUrl: dlq.url,
      redriveAllowPolicy: queue.arn.apply((arn) => JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] })),
    });
    const policy = new aws.sqs.QueuePolicy(`${name}-${feedName}`, {
      queueUrl: queue.url,
      policy: queue.arn.apply((arn) => JSON.stringify(queueAcceptsTopicPolicy(arn, topicArn))),
    });
    new aws.sns.TopicSubscription(
      `${name}-${feedName}`,
      { topic: topicArn, protocol: "sqs", endpoint: queue.arn },
      { dependsOn: [policy], provider: providerFor(arnRegion(topicArn)) },
    );
    return { url: queue.url, arn: queue.arn, deadLetterArn: dlq.arn };
  };
  return { ofs: feed("ofs"), rtofs: feed("rtofs") };
}
