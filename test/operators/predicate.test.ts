// Which informer events wake a controller about its own objects: a status-only update (a
// reconciler's own status write) does not; anything a reconciler acts on does.
import { describe, expect, it } from "vitest";
import { specOrMetadataChanged, type KubeObject } from "../../operators/runtime/index.js";

const object = (metadata: Partial<KubeObject["metadata"]>, status?: unknown): KubeObject & { status?: unknown } =>
  ({ metadata: { name: "a", namespace: "ns", generation: 1, resourceVersion: "1", ...metadata }, ...(status ? { status } : {}) });

describe("specOrMetadataChanged", () => {
  const before = object({ finalizers: ["f"], labels: { a: "1" } }, { phase: "Pending" });

  it("drops an update that changed only status and resourceVersion", () => {
    expect(specOrMetadataChanged("update", object({ resourceVersion: "2", finalizers: ["f"], labels: { a: "1" } }, { phase: "Running" }), before)).toBe(false);
  });

  it.each([
    ["a spec change (generation)", { generation: 2 }],
    ["deletion", { deletionTimestamp: "2026-11-30T00:00:00Z" }],
    ["a finalizer removed", { finalizers: [] }],
    ["a label", { labels: { a: "2" } }],
    ["an annotation", { annotations: { touched: "1" } }],
  ])("passes %s", (_what, change) => {
    expect(specOrMetadataChanged("update", object({ resourceVersion: "2", finalizers: ["f"], labels: { a: "1" }, ...change }), before)).toBe(true);
  });

  it("passes adds, deletes, resyncs, and updates it cannot judge (no generation)", () => {
    for (const event of ["add", "delete", "resync"] as const) expect(specOrMetadataChanged(event, before, before)).toBe(true);
    expect(specOrMetadataChanged("update", object({ generation: undefined }), object({ generation: undefined }))).toBe(true);
  });
});
