// One S3-compatible test server per suite, and the environment that points the AWS SDK, boto3 and
// child processes at it (the endpoint variable both S3 stores read; dummy credentials, as the
// server ignores signatures). Shared so a new variable the stores start reading is set in one place.
import { afterAll, beforeAll } from "vitest";
import { startS3, type S3TestServer } from "../dataplane/s3-server.js";

/** The variables that send S3 traffic to `endpoint`. */
export function s3TestEnv(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
}

/**
 * Starts the server before the suite and closes it after; with `setProcessEnv`, also points this
 * process at it for the suite and restores the environment afterwards. Returns a getter, since
 * the server exists only once beforeAll has run.
 */
export function useS3TestServer(options: { setProcessEnv?: boolean } = {}): () => S3TestServer {
  let server: S3TestServer | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    server = await startS3();
    if (options.setProcessEnv) Object.assign(process.env, s3TestEnv(server.endpoint));
  });
  afterAll(async () => {
    if (options.setProcessEnv) process.env = saved;
    await server?.close();
  });
  return () => {
    if (server === undefined) throw new Error("useS3TestServer: the S3 test server is not started yet (use it inside a test)");
    return server;
  };
}
