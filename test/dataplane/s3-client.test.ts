// Every S3 client of the platform comes from dataplane/s3-client.ts: default credential chain,
// AWS_REGION, and AWS_ENDPOINT_URL_S3 with path-style addressing for S3-compatible stores.
import { describe, expect, it } from "vitest";
import { createS3Client, s3ClientConfig } from "../../dataplane/s3-client.js";

describe("s3ClientConfig", () => {
  it("is AWS itself in us-east-1 by default, with no credentials of its own (the default chain)", () => {
    expect(s3ClientConfig({})).toEqual({ region: "us-east-1" });
  });

  it("takes the region, and an S3-compatible endpoint with path-style addressing", () => {
    const env = { AWS_REGION: "us-west-2", AWS_ENDPOINT_URL_S3: "http://object-store.dmac-system.svc.cluster.local:17084", AWS_ENDPOINT_URL: "http://elsewhere:1" };
    expect(s3ClientConfig(env)).toEqual({ region: "us-west-2", endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: "http://generic:9000" })).toMatchObject({ endpoint: "http://generic:9000", forcePathStyle: true });
  });
});

describe("createS3Client", () => {
  it("puts a caller's endpoint and region over the environment's, path-style", async () => {
    const client = createS3Client({ endpoint: "http://127.0.0.1:9", region: "eu-west-1" }, { AWS_ENDPOINT_URL_S3: "http://object-store:17084" });
    try {
      expect(await client.config.region()).toBe("eu-west-1");
      expect(client.config.forcePathStyle).toBe(true);
      const endpoint = await client.config.endpoint?.();
      expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe("http://127.0.0.1:9");
    } finally {
      client.destroy();
    }
  });
});
