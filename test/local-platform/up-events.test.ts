// `dmac up --bus rabbitmq` end to end on one machine: the platform's private RabbitMQ (Debian's
// rabbitmq-server), the local NODD bucket (fauxqs from npm; the S3 event emitted by
// apps/local-platform/nodd-bucket.ts) and the event bridge running as its rendered ServiceAccount.
// An IngestJob reading the bucket anonymously gets a file put into it ingested and served by the
// EDR API without any listing of the bucket after the first (empty) one.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalPlatform, type LocalPlatform } from "../../apps/local-platform/index.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { createLogger } from "../../operators/runtime/index.js";
import { waiter } from "../support/until.js";

const repoRoot = join(import.meta.dirname, "../..");
const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));
const until = waiter({ timeoutMs: 240_000, intervalMs: 250 });
const sample = join(repoRoot, "samples", "data", "cbofs", "cbofs.20231022", "nos.cbofs.fields.f001.20231022.t00z.nc");

describe("dmac up --bus rabbitmq", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-up-events-"));
  chmodSync(dir, 0o755); // the broker runs as the rabbitmq user when the suite runs as root
  let platform: LocalPlatform | undefined;
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ingests an object put into the local NODD bucket through the event bridge and RabbitMQ", async () => {
    platform = await startLocalPlatform({ dataDir: dir, portBase: 0, repoRoot, log: silent, bus: "rabbitmq" });
    const events = platform.events!;
    expect(events.amqpUrl).toMatch(/^amqp:\/\/.*127\.0\.0\.1:\d+$/);
    const namespace = "maracoos";
    await new ResourceClient(platform.kubeConfig, datasets).create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "nodd-cbofs", namespace },
      spec: { storage: { url: "file:///nodd-cbofs.zarr", format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    } as unknown as Dataset);
    const jobs = new ResourceClient(platform.kubeConfig, ingestJobs);
    await jobs.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "nodd-cbofs", namespace },
      spec: {
        source: { prefix: { url: `s3://${events.nodd.bucket}/cbofs/`, keyPattern: "\\.nc$", recursive: true }, endpoint: events.nodd.endpoint, region: "us-east-1", credentials: { anonymous: true } },
        qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "nodd-cbofs" }, executor: { type: "local" }, schedule: "0 0 1 1 *",
      },
    } as unknown as IngestJob);
    await until("the first (empty) listing", async () => (await jobs.get(namespace, "nodd-cbofs"))?.status?.lastScheduleTime);
    const s3 = new S3Client({ region: "us-east-1", endpoint: events.nodd.endpoint, forcePathStyle: true, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    await s3.send(new PutObjectCommand({ Bucket: events.nodd.bucket, Key: "cbofs/cbofs.20231022/nos.cbofs.fields.f001.20231022.t00z.nc", Body: readFileSync(sample) }));
    s3.destroy();
    const steps = await until("the EDR API answers with the new step", async () => {
      const response = await fetch(`${platform!.dataApiUrl}/collections/maracoos-nodd-cbofs/position?coords=POINT(-76.3%2037.1)&parameter-name=zeta`);
      if (!response.ok) return undefined;
      const body = (await response.json()) as { domain: { axes: { t: { values: string[] } } } };
      return body.domain.axes.t.values.length > 0 ? body.domain.axes.t.values : undefined;
    });
    expect(steps).toHaveLength(1);
    const job = await jobs.get(namespace, "nodd-cbofs");
    expect(job?.status?.items).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
  });
});
