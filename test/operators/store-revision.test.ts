// A commit that keeps a Dataset's length still counts as a commit: a best-forecast replacement (a
// newer cycle's shorter lead for a valid time the store has) changes status.storeRevision and
// lastCommitTime, and a Dataset derived from it recomputes the touched period at once. The resync
// is ten minutes here, so only the commit itself can wake the derived job within the wait.
import { cpSync, mkdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";
import { romsDataset, sampleCycles } from "../transform/samples.js";

const ns = "maracoos";

describe("store revision", () => {
  let stack: OperatorStack;
  let jobs: ResourceClient<IngestJob>;
  let sets: ResourceClient<Dataset>;

  beforeAll(async () => {
    stack = await startOperatorStack({ tempPrefix: "dmac-revision-", namespace: ns, servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset" }, operator: { identity: "test-operator", resyncMs: 600_000 } });
    jobs = new ResourceClient(stack.kc, ingestJobs);
    sets = new ResourceClient(stack.kc, datasets);
  }, 120_000);
  afterAll(() => stack.stop());

  const dataset = (name: string, type: "best-forecast" | "append"): Dataset => romsDataset(ns, name, type);
  const copy = (file: string, as = basename(file)) => {
    const to = join(stack.inputs, "cbofs", basename(dirname(file)), as);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(file, to, { force: true });
    return `file:///${relative(stack.inputs, to)}`;
  };

  it("a best-forecast replacement changes storeRevision and wakes the derived Dataset without a resync", async () => {
    const first = sampleCycles()[0];
    if (first === undefined) throw new Error("no sample cycle");
    const urls = first.files.map((f) => copy(f));
    await sets.create(dataset("cbofs", "best-forecast"));
    await sets.create(dataset("zeta-6h-max", "append"));
    await jobs.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "cbofs-forecast", namespace: ns },
      spec: { source: { urls, credentials: { anonymous: true } }, format: "auto", variables: { include: ["zeta"] }, qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "cbofs" }, executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false },
    });
    await jobs.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "zeta-6h-max", namespace: ns },
      spec: { source: { datasetRef: { name: "cbofs" }, credentials: { anonymous: true } }, transform: { select: { variables: ["zeta"] }, resample: { period: "6h", statistic: "max", utcOffset: "+00:00" } }, format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "zeta-6h-max" }, executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false },
    });
    const before = await until("the source committed and the derived job caught up", async () => {
      const source = await sets.get(ns, "cbofs");
      const derived = await jobs.get(ns, "zeta-6h-max");
      return source?.status?.timeSteps === first.files.length && derived?.status?.phase === "Succeeded" && derived.status.derived?.sourceCommitTime === source.status.lastCommitTime ? { source, derived } : undefined;
    }, 90_000);
    expect(before.source.status?.storeRevision).toMatch(/^[0-9a-f]{16}$/);

    // The 00z cycle's 4th hour again, as a 03z cycle's first: the same valid time with a shorter lead.
    const fourth = first.files.find((f) => f.includes(".f004."));
    if (fourth === undefined) throw new Error("no f004 in the first sample cycle");
    const replacement = copy(fourth, basename(fourth).replace(".f004.", ".f001.").replace(".t00z.", ".t03z."));
    await jobs.patch(ns, "cbofs-forecast", { spec: { source: { urls: [...urls, replacement] } } });
    const after = await until("the replacement committed and the derived job recomputed", async () => {
      const source = await sets.get(ns, "cbofs");
      const derived = await jobs.get(ns, "zeta-6h-max");
      return source !== undefined && source.status?.storeRevision !== before.source.status?.storeRevision && derived?.status?.phase === "Succeeded" && derived.status.derived?.sourceCommitTime === source.status?.lastCommitTime ? { source, derived } : undefined;
    }, 90_000);
    expect(after.source.status?.timeSteps).toBe(before.source.status?.timeSteps);
    expect(Date.parse(after.source.status?.lastCommitTime ?? "")).toBeGreaterThanOrEqual(Date.parse(before.source.status?.lastCommitTime ?? ""));
    // Only the 00-06h period holds 04:00.
    expect(after.derived.status?.derived?.recomputed).toBe(1);
  }, 240_000);
});
