// The S3 data lake: encrypted, versioned, private unless the stack opts into public read for open data,
// TLS only, and model-run objects expire after a configured number of days (the prototype kept 29).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config.js";
import { bucketPolicy } from "./policy-documents.js";

export interface DataLake {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
}

/** Lifecycle rules as data, so tests and the runbook can name them. */
export function lifecycleRules(lake: StackConfig["dataLake"]): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "expire-model-runs",
      status: "Enabled",
      filter: { prefix: lake.modelRunPrefix },
      expiration: { days: lake.modelRunExpirationDays },
      noncurrentVersionExpiration: { noncurrentDays: 1 },
    },
    {
      // Versioning protects against overwrites by mistake; old versions still must not pile up forever.
      id: "expire-old-versions",
      status: "Enabled",
      filter: { prefix: "" },
      noncurrentVersionExpiration: { noncurrentDays: 30 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

/**
 * SSE-KMS normally; SSE-S3 (AES256) for a public-read bucket, because anonymous readers cannot use a KMS
 * key and every GetObject on a KMS-encrypted object would be denied to them.
 */
export function encryptionFor(publicRead: boolean): "aws:kms" | "AES256" {
  return publicRead ? "AES256" : "aws:kms";
}

export function dataBucketResourceName(prefix: string): string {
  return `${prefix}-data`;
}

export function createDataLake(name: string, cfg: StackConfig): DataLake {
  const lake = cfg.dataLake;
  const bucket = new aws.s3.Bucket(dataBucketResourceName(name), {
    forceDestroy: lake.forceDestroy,
    tags: { "dmac.ioos.us/stack": cfg.stack, "dmac.ioos.us/public-read": String(lake.publicRead) },
  });
  new aws.s3.BucketOwnershipControls(`${name}-data`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-data`, {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: encryptionFor(lake.publicRead) }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketVersioning(`${name}-data`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-data`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    // Public read works through the bucket policy only (ACLs stay blocked), so only these two open up.
    blockPublicPolicy: !lake.publicRead,
    restrictPublicBuckets: !lake.publicRead,
  });
  new aws.s3.BucketPolicy(
    `${name}-data`,
    { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(bucketPolicy(arn, lake.publicRead))) },
    { dependsOn: [publicAccess] },
  );
  new aws.s3.BucketLifecycleConfiguration(`${name}-data`, { bucket: bucket.id, rules: lifecycleRules(lake) });
  return { bucketName: bucket.bucket, bucketArn: bucket.arn };
}
