// The event bridge against emulated AWS (fauxqs from npm: S3, SNS and SQS; the S3 event itself is
// emitted by apps/local-platform/nodd-bucket.ts because fauxqs has no bucket notifications) and the
// embedded control plane holding real IngestJobs and Datasets. What it checks: SNS-wrapped S3 events
// are parsed (URL-encoded keys), matched with the lister's rule and handed off once; duplicates are
// dropped; malformed messages land in the DLQ with a reason; a key for no IngestJob is acknowledged
// as unmatched; a failing handoff goes to the DLQ after N receives; objects in our own stores are
// ignored; /metrics shows it all; the bridge keeps running throughout.
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../apps/control-plane/index.js";
import { parseNotification, MalformedNotification } from "../../apps/event-bridge/s3-notification.js";
import { startEventBridge, type RunningEventBridge } from "../../apps/event-bridge/server.js";
import { credentials, startLocalNodd, type LocalNodd } from "../../apps/local-platform/nodd-bucket.js";
import { matchSource } from "../../crds/source-match.js";
import { eventTypes, type CloudEvent } from "../../events/platform-events.js";
import { startCrdPlane } from "../support/crd-plane.js";
import { until } from "../support/until.js";

let plane: ControlPlane;
let nodd: LocalNodd;
let bridge: RunningEventBridge;
let sqs: SQSClient;
const handed: CloudEvent[] = [];
let failHandoffs = false;

const job = (name: string, source: Record<string, unknown>) => ({
  apiVersion: "dmac.ioos.us/v1alpha1",
  kind: "IngestJob",
  metadata: { name, namespace: "maracoos" },
  spec: { source: { credentials: { anonymous: true }, ...source }, datasetRef: { name: "cbofs" }, executor: { type: "local" } },
});

beforeAll(async () => {
  const { plane: started, kc, objects } = await startCrdPlane("maracoos");
  plane = started;
  await objects.create(job("cbofs-forecast", { prefix: { url: "s3://noaa-nos-ofs-pds/cbofs/netcdf/", keyPattern: "cbofs\\.t\\d{2}z\\.\\d{8}\\.fields\\.f\\d{3}\\.nc$", recursive: true }, region: "us-east-1" }));
  await objects.create(job("cbofs-listed", { urls: ["s3://noaa-nos-ofs-pds/cbofs/netcdf/extra%20file.nc"] }));
  // A Dataset whose store lies under a watched prefix (a product writing back into the bucket).
  await objects.create({ apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "cbofs", namespace: "maracoos" }, spec: { storage: { url: "s3://noaa-nos-ofs-pds/cbofs/netcdf/products/cbofs.zarr" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, catalog: { enabled: false } } });
  nodd = await startLocalNodd();
  sqs = new SQSClient({ region: nodd.region, endpoint: nodd.endpoint, credentials });
  bridge = await startEventBridge({
    kubeConfig: kc,
    // No dead-letter URL: the bridge finds it in the queue's RedrivePolicy, as in AWS.
    queues: [{ name: "ofs", url: nodd.queueUrl }],
    sqs: { region: nodd.region, endpoint: nodd.endpoint, credentials },
    bus: {
      publish: async (event) => {
        if (failHandoffs) throw new Error("broker unavailable");
        handed.push(event);
      },
    },
    log: () => undefined,
    port: 0,
    maxReceives: 3,
    retryAfterSeconds: 0,
    waitTimeSeconds: 1,
  });
}, 120_000);

afterAll(async () => {
  await bridge?.stop();
  sqs?.destroy();
  await nodd?.stop();
  await plane?.stop();
});

async function deadLetters(): Promise<{ body: string; reason: string | undefined }[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: nodd.deadLetterUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
  return (out.Messages ?? []).map((m) => ({ body: m.Body ?? "", reason: m.MessageAttributes?.["dmac-reason"]?.StringValue }));
}

const metric = (name: string, labels: Record<string, string> = {}) => bridge.metrics.count(name, labels);

describe("S3 event notification parsing", () => {
  it("unwraps the SNS envelope and decodes keys (+ is a space, %2B a plus)", () => {
    const record = { eventName: "ObjectCreated:Put", eventTime: "2026-12-07T12:00:00.000Z", awsRegion: "us-east-1", s3: { bucket: { name: "b" }, object: { key: "a/b+c%2Bd.nc", size: 3, eTag: "\"e\"", sequencer: "01" } } };
    const parsed = parseNotification(JSON.stringify({ Type: "Notification", Message: JSON.stringify({ Records: [record] }) }));
    expect(parsed).toMatchObject({ kind: "records", records: [{ bucket: "b", key: "a/b c+d.nc", eTag: "e", sequencer: "01", region: "us-east-1" }] });
    expect(parseNotification(JSON.stringify({ Records: [record] }))).toMatchObject({ kind: "records" }); // raw delivery
    expect(parseNotification(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent" }))).toEqual({ kind: "test-event" });
    expect(() => parseNotification("{")).toThrow(MalformedNotification);
    expect(() => parseNotification(JSON.stringify({ Type: "Notification", Message: "{\"hello\":1}" }))).toThrow("no Records array");
    expect(() => parseNotification(JSON.stringify({ Records: [{ s3: { bucket: { name: "b" }, object: {} } }] }))).toThrow("Records[0].s3.object.key is missing");
  });

  it("matches with the lister's rule: bucket, prefix, recursion, key pattern, region, listed URLs", () => {
    const source = { prefix: { url: "s3://bkt/cbofs/", keyPattern: "\\.nc$", recursive: false }, region: "us-east-1", credentials: { anonymous: true } } as const;
    expect(matchSource(source, { bucket: "bkt", key: "cbofs/a.nc" })).toBe("s3://bkt/cbofs/a.nc");
    expect(matchSource(source, { bucket: "bkt", key: "cbofs/sub/a.nc" })).toBeUndefined(); // not recursive
    expect(matchSource(source, { bucket: "other", key: "cbofs/a.nc" })).toBeUndefined();
    expect(matchSource(source, { bucket: "bkt", key: "cbofs/a.txt" })).toBeUndefined();
    expect(matchSource(source, { bucket: "bkt", key: "cbofs/a.nc", region: "us-west-2" })).toBeUndefined();
    expect(matchSource({ urls: ["s3://bkt/x/y.nc"], credentials: { anonymous: true } }, { bucket: "bkt", key: "x/y.nc" })).toBe("s3://bkt/x/y.nc");
  });
});

describe("dmac event-bridge on emulated NODD queues", () => {
  it("hands a new object to the IngestJob whose source names it, once, even when announced three times", async () => {
    const key = "cbofs/netcdf/2026/12/07/cbofs.t00z.20261207.fields.f001.nc";
    await nodd.put(key, "netcdf bytes");
    await nodd.announce(key);
    await nodd.announce(key); // same object, new sequencers: still one ingest (the ledger's id), but two events here are distinct
    await until("the handoff", () => handed.some((e) => e.data["key"] === key), 30_000);
    const event = handed.find((e) => e.data["key"] === key)!;
    expect(event).toMatchObject({ type: eventTypes.dataNew, subject: "maracoos/cbofs-forecast", domain: "maracoos", source: "/dmac/event-bridge" });
    expect(event.data).toMatchObject({ url: `s3://noaa-nos-ofs-pds/${key}`, bucket: "noaa-nos-ofs-pds", size: 12, ingestJob: "maracoos/cbofs-forecast" });
    expect(await metric("dmac_event_bridge_lag_seconds")).toBeGreaterThan(0);
  });

  it("drops a notification delivered again (same sequencer) as a duplicate", async () => {
    const key = "cbofs/netcdf/2026/12/07/cbofs.t00z.20261207.fields.f002.nc";
    await nodd.put(key, "x");
    await until("the first handoff", () => handed.some((e) => e.data["key"] === key), 30_000);
    const body = nodd.fauxqs.spy.getAllMessages().filter((m) => m.service === "sns").map((m) => (m as { body: string }).body).find((b) => b.includes("f002"))!;
    const before = await metric("dmac_event_bridge_records_total", { outcome: "duplicate" });
    nodd.fauxqs.sendMessage("dmac-nodd-ofs", JSON.stringify({ Type: "Notification", Message: body }));
    nodd.fauxqs.sendMessage("dmac-nodd-ofs", JSON.stringify({ Type: "Notification", Message: body }));
    await until("two duplicates counted", async () => (await metric("dmac_event_bridge_records_total", { outcome: "duplicate" })) >= before + 2, 30_000);
    expect(handed.filter((e) => e.data["key"] === key)).toHaveLength(1);
  });

  it("sends malformed messages to the DLQ with the reason, acknowledges a key for no IngestJob, ignores its own stores' objects, and keeps running", async () => {
    nodd.fauxqs.sendMessage("dmac-nodd-ofs", "this is not json");
    nodd.fauxqs.sendMessage("dmac-nodd-ofs", JSON.stringify({ Type: "Notification", Message: JSON.stringify({ hello: "world" }) }));
    await nodd.put("rtofs/other/file.nc", "x"); // no IngestJob names it
    await nodd.put("cbofs/netcdf/products/cbofs.zarr/temp/0.0.0", "x"); // inside a Dataset's store
    await until("both malformed dead-lettered", async () => (await metric("dmac_event_bridge_dlq_sends_total", { reason: "malformed" })) >= 2, 30_000);
    await until("the unmatched and own-output records", async () => (await metric("dmac_event_bridge_records_total", { outcome: "unmatched" })) >= 1 && (await metric("dmac_event_bridge_records_total", { outcome: "own_output" })) >= 1, 30_000);
    const letters = await deadLetters();
    expect(letters.map((l) => l.reason).sort()).toEqual(["malformed: message body is not JSON", "malformed: no Records array (not an S3 event notification)"]);
    expect(letters.find((l) => l.reason?.includes("not JSON"))?.body).toBe("this is not json");
    // Still running: a listed URL (with a space in its key) is handed off after all that.
    await nodd.put("cbofs/netcdf/extra file.nc", "x");
    await until("the listed URL's handoff", () => handed.some((e) => e.subject === "maracoos/cbofs-listed"), 30_000);
    expect(handed.find((e) => e.subject === "maracoos/cbofs-listed")?.data["url"]).toBe("s3://noaa-nos-ofs-pds/cbofs/netcdf/extra%20file.nc");
    const text = await (await fetch(`${bridge.url}/metrics`)).text();
    expect(text).toMatch(/dmac_event_bridge_messages_total\{queue="ofs",outcome="malformed"\} 2/);
    expect(text).toContain("dmac_event_bridge_lag_seconds_bucket");
  });

  it("retries a handoff that fails and sends the message to the DLQ with the reason after N receives", async () => {
    failHandoffs = true;
    try {
      await nodd.put("cbofs/netcdf/2026/12/07/cbofs.t00z.20261207.fields.f003.nc", "x");
      await until("the failing message dead-lettered", async () => (await metric("dmac_event_bridge_dlq_sends_total", { reason: "handoff_failed" })) >= 1, 60_000);
    } finally {
      failHandoffs = false;
    }
    expect(await metric("dmac_event_bridge_messages_total", { outcome: "retry" })).toBe(2);
    const letters = await deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toBe("handoff failed 3 times: broker unavailable");
    expect(JSON.parse(letters[0]!.body)).toMatchObject({ Type: "Notification" });
  });
});
