// The Dataset operator's "dataset updated" CloudEvent invalidates the data API's caches for
// that store (matched by store URL, file:// or path alike, or by resource name), on the real
// in-process event bus.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ingest } from "../../dataplane/index.js";
import { cloudEvent, eventTypes, InProcessEventBus } from "../../events/platform-events.js";
import { buildDataApi, invalidateOnDatasetEvents } from "../../apps/data-api/index.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";

const tmp = tempDir("dmac-data-api-events-");
afterAll(() => tmp.cleanup());

const cycle = cycleAt("2023-10-22T00:00:00Z");
const file = (hour: number) => romsFile(join(tmp.path, "src"), { cycle, kind: "f", hour });
const point = `/collections/bay/position?coords=${encodeURIComponent("POINT(-76.4 37.05)")}&parameter-name=zeta`;

describe("invalidation from Dataset events", () => {
  it("a datasetUpdated event for the store reopens it; other events and stores do not", async () => {
    const store = join(tmp.path, "bay.zarr");
    await ingest({ store, inputs: [file(1), file(2)], concurrency: 0 });
    const app = await buildDataApi({ datasets: [{ id: "bay", url: store }], revalidateMs: 3_600_000 });
    const bus = new InProcessEventBus();
    const invalidated: string[][] = [];
    const stop = invalidateOnDatasetEvents(bus, app.dataApi.registry, (ids) => invalidated.push(ids));
    try {
      expect((await app.inject(point)).json().domain.axes.t.values).toHaveLength(2);
      await ingest({ store, inputs: [file(3)], concurrency: 0 });

      // Unrelated events change nothing.
      await bus.publish(cloudEvent(eventTypes.datasetUpdated, "/dmac/operators/dataset", "default/other", { storeUrl: "file:///elsewhere.zarr" }));
      await bus.publish(cloudEvent(eventTypes.metadataNew, "/dmac/operators/catalogentry", "default/bay", { storeUrl: `file://${store}` }));
      expect(invalidated).toEqual([]);
      expect((await app.inject(point)).json().domain.axes.t.values).toHaveLength(2);

      await bus.publish(cloudEvent(eventTypes.datasetUpdated, "/dmac/operators/dataset", "default/cbofs-best", { storeUrl: `file://${store}/` }));
      expect(invalidated).toEqual([["bay"]]);
      expect((await app.inject(point)).json().domain.axes.t.values).toHaveLength(3);

      // Matched by resource name when the URL is spelled differently (e.g. s3:// vs a mount).
      await ingest({ store, inputs: [file(4)], concurrency: 0 });
      await bus.publish(cloudEvent(eventTypes.datasetUpdated, "/dmac/operators/dataset", "default/bay", { storeUrl: "s3://bucket/bay.zarr" }));
      expect((await app.inject(point)).json().domain.axes.t.values).toHaveLength(4);
    } finally {
      stop();
      await app.close();
    }
  });
});
