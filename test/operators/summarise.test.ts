// The IngestJob's status as a pure function of its ledger's counts and the runner's state.
import { describe, expect, it } from "vitest";
import type { IngestJob } from "../../crds/index.js";
import { summarise, type JobView } from "../../operators/ingestjob/reconciler.js";

const job = (over: Partial<IngestJob["spec"]> = {}): IngestJob => ({
  apiVersion: "dmac.ioos.us/v1alpha1",
  kind: "IngestJob",
  metadata: { name: "j", namespace: "n", generation: 1 },
  spec: { source: { urls: ["file:///a.nc"], credentials: { anonymous: true } }, format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "d" }, executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false, ...over },
});
const view = (counts: Partial<JobView["counts"]>, over: Partial<JobView> = {}): JobView => ({
  counts: { total: 0, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, ...counts },
  failures: [],
  busy: false,
  ledgerUrl: "file:///d.zarr/.dmac/ingestjobs/n/j.json",
  now: new Date("2026-12-07T00:00:00Z"),
  listedNow: false,
  ...over,
});
const condition = (r: ReturnType<typeof summarise>, type: string) => r.conditions.find((c) => c.type === type);

describe("IngestJob summarise", () => {
  it("all files done: Succeeded, Ready, completion time set; skipped files counted only when there are some", () => {
    const r = summarise(job(), view({ total: 3, succeeded: 3 }));
    expect(r.status.phase).toBe("Succeeded");
    expect(r.status.items).toEqual({ total: 3, pending: 0, running: 0, succeeded: 3, failed: 0 });
    expect(r.status.completionTime).toBe("2026-12-07T00:00:00Z");
    expect(condition(r, "Ready")).toMatchObject({ status: "True", reason: "Completed" });
    const skipped = summarise(job(), view({ total: 5, succeeded: 5, skipped: 3 }));
    expect(skipped.status.items?.skipped).toBe(3);
    expect(condition(skipped, "Degraded")?.status).toBe("False");
  });
  it("every file failed: Failed, Degraded naming the latest failure", () => {
    const failures = [{ url: "file:///a.nc", reason: "Refused", message: "truncated", attempts: 1, time: "2026-12-07T00:00:00Z" }];
    const r = summarise(job(), view({ total: 1, failed: 1 }, { failures }));
    expect(r.status.phase).toBe("Failed");
    expect(condition(r, "Degraded")).toMatchObject({ status: "True", reason: "ItemsFailed", message: "1 file(s) failed; latest: file:///a.nc: truncated" });
  });
  it("busy: Running, Progressing names the DaskJob; suspended: Suspended", () => {
    const r = summarise(job({ executor: { type: "dask", dask: { image: "x:1", workers: 1 } } }), view({ total: 2, running: 2 }, { busy: true, dask: { name: "dj", status: "Running" } }));
    expect(r.status.phase).toBe("Running");
    expect(r.status.daskJobName).toBe("dj");
    expect(condition(r, "Progressing")?.message).toBe("2 running, 0 pending; DaskJob dj: Running");
    expect(summarise(job({ suspend: true }), view({ total: 2, pending: 2 })).status.phase).toBe("Suspended");
  });
  it("no files listed: Pending, not Ready (NoFiles)", () => {
    const r = summarise(job(), view({}));
    expect(r.status.phase).toBe("Pending");
    expect(condition(r, "Ready")).toMatchObject({ status: "False", reason: "NoFiles" });
  });
});
