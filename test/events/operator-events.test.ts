// The operator's own platform events beside dataset.updated and metadata.new: every Warning Event it
// records is also a us.ioos.dmac.log CloudEvent, and a Dataset that is gone is announced as
// us.ioos.dmac.dataset.deleted (on the in-process bus here; the RabbitMQ bus carries the same events).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { eventTypes, InProcessEventBus, type CloudEvent } from "../../events/platform-events.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

const namespace = "gcoos";
const bus = new InProcessEventBus();
const heard: CloudEvent[] = [];
let stack: OperatorStack;

beforeAll(async () => {
  bus.subscribe((event) => void heard.push(event), [eventTypes.log, eventTypes.datasetDeleted]);
  stack = await startOperatorStack({ tempPrefix: "dmac-op-events-", namespace, servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob" }, operator: { identity: "events", bus } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("operator platform events", () => {
  it("publishes a Warning as a log event and a deleted Dataset as dataset.deleted", async () => {
    const job = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "orphan", namespace },
      spec: { source: { urls: ["file:///nowhere/x.nc"], credentials: { anonymous: true } }, datasetRef: { name: "missing" }, executor: { type: "local" } },
    } as unknown as IngestJob;
    await new ResourceClient(stack.kc, ingestJobs).create(job);
    const log = await until("the log event", () => heard.find((e) => e.type === eventTypes.log && e.subject === `${namespace}/orphan`), 60_000);
    expect(log.data).toMatchObject({ kind: "IngestJob", reason: "DatasetNotFound", severity: "warning" });
    expect(log.domain).toBe(namespace);

    const dataset = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "short-lived", namespace },
      spec: { storage: { url: "file:///short-lived.zarr" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    } as unknown as Dataset;
    const client = new ResourceClient(stack.kc, datasets);
    await client.create(dataset);
    await until("the Dataset reconciled", async () => (await client.get(namespace, "short-lived"))?.status?.observedGeneration, 60_000);
    expect(heard.some((e) => e.type === eventTypes.datasetDeleted)).toBe(false);
    await client.delete(namespace, "short-lived");
    const deleted = await until("dataset.deleted", () => heard.find((e) => e.type === eventTypes.datasetDeleted && e.subject === `${namespace}/short-lived`), 60_000);
    expect(deleted.source).toBe("/dmac/operators/dataset");
  });
});
