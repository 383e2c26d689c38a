// S3 source credentials from a Secret, on the embedded control plane with an S3-compatible server
// that checks request signatures: the operator reads `spec.source.credentials.secretRef` in the
// IngestJob's namespace and lists and reads the bucket with it; a missing Secret or key, or keys the
// server refuses, leave the job Degraded with a message naming what to fix, never the secret itself.
import type { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob, IngestJobStatus } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { buildDaskJob } from "../../operators/ingestjob/daskjob.js";
import { romsFile } from "../dataplane/fixtures.js";
import { startSignedS3, type SignedS3Server } from "../support/s3-signed-server.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

const keys = { accessKeyId: "AKIDDMACTEST0001", secretAccessKey: "s3cr3t/Key+for-the-test-server" };
const namespace = "maracoos";

describe("S3 source credentials from a Secret", () => {
  let stack: OperatorStack;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let s3: SignedS3Server;

  beforeAll(async () => {
    stack = await startOperatorStack({ tempPrefix: "dmac-creds-", namespace, servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob" }, operator: { identity: "test" } });
    ({ kc, core } = stack);
    s3 = await startSignedS3(keys);
    for (const hour of [1, 2]) {
      const path = romsFile(join(stack.dir, "fixtures"), { cycle: new Date("2023-10-22T00:00:00Z"), kind: "f", hour });
      s3.put("ofs", `cbofs/${basename(path)}`, readFileSync(path));
    }
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
    await s3.close();
  });

  const secret = (name: string, data: Record<string, string>) =>
    core.createNamespacedSecret({ namespace, body: { metadata: { name, namespace }, type: "Opaque", stringData: data } });

  function ingestJob(name: string, secretName: string): IngestJob {
    return {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace },
      spec: {
        source: {
          prefix: { url: "s3://ofs/cbofs/", keyPattern: "\\.nc$", recursive: true }, endpoint: s3.endpoint, region: "us-east-1",
          credentials: { anonymous: false, secretRef: { name: secretName, accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" } },
        },
        format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name },
        executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false,
      },
    };
  }

  async function create(name: string, secretName: string): Promise<void> {
    const dataset: Dataset = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace },
      spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    };
    await new ResourceClient(kc, datasets).create(dataset);
    await new ResourceClient(kc, ingestJobs).create(ingestJob(name, secretName));
  }

  const statusOf = async (name: string) => (await new ResourceClient(kc, ingestJobs).get(namespace, name))?.status;
  const degraded = (name: string, reason: string) => until(`${name} Degraded (${reason})`, async () => {
    const status = await statusOf(name);
    const condition = status?.conditions?.find((c) => c.type === "Degraded");
    return condition?.status === "True" && condition.reason === reason ? condition.message : undefined;
  });
  const succeeded = (name: string) => until(`${name} Succeeded`, async () => {
    const status = await statusOf(name);
    return status?.phase === "Succeeded" ? status : undefined;
  });
  const eventMessages = async (name: string) =>
    (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
  const expectNoSecretIn = (status: IngestJobStatus | undefined, events: string[]) => {
    const text = JSON.stringify(status) + events.join("\n");
    expect(text).not.toContain(keys.secretAccessKey);
    expect(text).not.toContain("wrong-secret");
  };

  it("lists and ingests the bucket with the Secret's keys", async () => {
    await secret("ofs-reader", { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    await create("signed", "ofs-reader");
    const status = await succeeded("signed");
    expect(status.items).toEqual({ total: 2, pending: 0, running: 0, succeeded: 2, failed: 0 });
    await until("Dataset has 2 steps", async () => (await new ResourceClient(kc, datasets).get(namespace, "signed"))?.status?.timeSteps === 2);
    expectNoSecretIn(status, await eventMessages("signed"));
  });

  it("a missing Secret leaves the job Degraded naming it; once the Secret exists the job runs", async () => {
    await create("no-secret", "ofs-later");
    expect(await degraded("no-secret", "CredentialsUnavailable")).toBe("Secret maracoos/ofs-later (spec.source.credentials.secretRef.name) does not exist");
    expect(await eventMessages("no-secret")).toContain("CredentialsUnavailable: Secret maracoos/ofs-later (spec.source.credentials.secretRef.name) does not exist");
    await secret("ofs-later", { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey });
    // Secrets are not watched (the operator may only get them); a change to the job, or the
    // one-minute recheck, picks the Secret up.
    await new ResourceClient(kc, ingestJobs).patch(namespace, "no-secret", { metadata: { annotations: { "example.com/touched": "1" } } });
    const status = await succeeded("no-secret");
    expect(status.conditions?.find((c) => c.type === "Degraded")?.status).toBe("False");
  });

  it("a Secret without the key the job names leaves it Degraded naming the key", async () => {
    await secret("ofs-partial", { AWS_ACCESS_KEY_ID: keys.accessKeyId });
    await create("no-key", "ofs-partial");
    expect(await degraded("no-key", "CredentialsUnavailable")).toBe("Secret maracoos/ofs-partial has no key AWS_SECRET_ACCESS_KEY (spec.source.credentials.secretRef.secretAccessKeyKey)");
    expect((await statusOf("no-key"))?.items?.total ?? 0).toBe(0);
  });

  it("keys the server refuses fail clearly: Degraded with S3's error code", async () => {
    await secret("ofs-wrong", { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: "wrong-secret" });
    await create("wrong-keys", "ofs-wrong");
    const message = await degraded("wrong-keys", "SourceUnavailable");
    expect(message).toBe("listing s3://ofs/cbofs/: S3 answered 403 SignatureDoesNotMatch: SignatureDoesNotMatch (test server) (check the credentials in spec.source.credentials.secretRef)");
    expect(s3.refused.get("SignatureDoesNotMatch")).toBeGreaterThan(0);
    expectNoSecretIn(await statusOf("wrong-keys"), await eventMessages("wrong-keys"));
  });

  it("a DaskJob gets the credentials as secretKeyRef references, never their values", () => {
    const job = { ...ingestJob("dask", "ofs-reader"), metadata: { name: "dask", namespace, uid: "u" } };
    job.spec.executor = { type: "dask", dask: { image: "ghcr.io/ioos/dmac-ingest-worker:0.1.0", workers: 2 } } as IngestJob["spec"]["executor"];
    const daskJob = buildDaskJob({ job, name: "dask-1", tasksUrl: "s3://b/t.json", resultsUrl: "s3://b/r.json" });
    for (const container of [daskJob.spec.job.spec.containers[0]!, daskJob.spec.cluster.spec.worker.spec.containers[0]!]) {
      expect(container.env).toEqual(expect.arrayContaining([
        { name: "DMAC_SOURCE_AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "ofs-reader", key: "AWS_ACCESS_KEY_ID" } } },
        { name: "DMAC_SOURCE_AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "ofs-reader", key: "AWS_SECRET_ACCESS_KEY" } } },
        { name: "DMAC_SOURCE_S3_ENDPOINT", value: s3.endpoint },
      ]));
    }
    expect(JSON.stringify(daskJob)).not.toContain(keys.secretAccessKey);
  });
});
