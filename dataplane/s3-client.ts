// The one way the platform makes an S3 client: the AWS SDK's default credential chain (IRSA in a
// pod, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from a Secret locally, a profile on a laptop), the
// region from AWS_REGION, and for an S3-compatible store the endpoint from AWS_ENDPOINT_URL_S3 (or
// AWS_ENDPOINT_URL) with path-style addressing, since such stores rarely resolve bucket subdomains.
// Callers with settings of their own (an IngestJob source's endpoint, region, keys) pass them over.
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/** The client settings the environment names; pure, so tests need no client. */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return { region: env.AWS_REGION || "us-east-1", ...(endpoint ? { endpoint, forcePathStyle: true } : {}) };
}

/** A client from the environment's settings, with `overrides` on top (an explicit endpoint is path-style too). */
export function createS3Client(overrides: S3ClientConfig = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const config: S3ClientConfig = { ...s3ClientConfig(env), ...overrides };
  if (overrides.endpoint !== undefined) config.forcePathStyle = true;
  return new S3Client(config);
}
