// A derived job on the dask executor, on the embedded control plane. No dask-kubernetes operator
// runs here, so the test plays its part: for each DaskJob the operator creates it runs the job
// container's command (python -m ingest_worker.derive ...) with Debian's Python on a LocalCluster
// and sets status.jobStatus. The derived store equals the one the local executor makes.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { derive } from "../../dataplane/transform/derive.js";
import { transformOptionsFor } from "../../dataplane/transform/options.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import type { DaskJob } from "../../operators/ingestjob/daskjob.js";
import { compareStores, workerRoot } from "../ingest-worker/harness.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";
import { daskJobCrd } from "../support/daskjob-crd.js";
import { ingestSample, sampleCycles } from "../transform/samples.js";

const ns = "maracoos";

describe("derived jobs on the dask executor", () => {
  let stack: OperatorStack;
  beforeAll(async () => {
    stack = await startOperatorStack({ tempPrefix: "dmac-derived-dask-", namespace: ns, extraCrds: [daskJobCrd], servedKind: { apiVersion: "kubernetes.dask.org/v1", kind: "DaskJob" }, operator: { identity: "test", daskPollMs: 100 } });
  }, 120_000);
  afterAll(() => stack.stop());

  it("runs the transform as a DaskJob (python -m ingest_worker.derive) and commits the same store as the local executor", async () => {
    const sets = new ResourceClient<Dataset>(stack.kc, datasets);
    const jobs = new ResourceClient<IngestJob>(stack.kc, ingestJobs);
    // The source store is ingested directly (the file IngestJob path is tested elsewhere); its Dataset reads it.
    const source = join(stack.stores, "cbofs.zarr");
    await ingestSample(source, sampleCycles().flatMap((c) => c.files));
    const dataset = (name: string, type: "best-forecast" | "append"): Dataset => ({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace: ns },
      spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type, concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    });
    await sets.create(dataset("cbofs", "best-forecast"));
    await sets.create(dataset("sst-daily-mean", "append"));
    const spec = { select: { variables: ["temp"], level: "surface" }, resample: { period: "1d", statistic: "mean", utcOffset: "+00:00" } } satisfies NonNullable<IngestJob["spec"]["transform"]>;
    await jobs.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "sst-daily-mean", namespace: ns },
      spec: {
        source: { datasetRef: { name: "cbofs" }, credentials: { anonymous: true } }, transform: spec, format: "auto",
        qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name: "sst-daily-mean" },
        executor: { type: "dask", dask: { image: "ghcr.io/ioos/dmac-ingest-worker:0.1.0", workers: 1 } }, parallelism: 1, retryLimit: 1, suspend: false,
      },
    });

    // Play the dask operator: run each new DaskJob's command, then mark it Successful.
    const ran = new Set<string>();
    const job = await until("the derived job Succeeded on Dask", async () => {
      for (const item of (await stack.objects.list("kubernetes.dask.org/v1", "DaskJob", ns)).items as unknown as DaskJob[]) {
        if (ran.has(item.metadata.name)) continue;
        ran.add(item.metadata.name);
        const [program, ...args] = item.spec.job.spec.containers[0]?.args ?? [];
        expect([program, ...args.slice(0, 2)]).toEqual(["python", "-m", "ingest_worker.derive"]);
        await promisify(execFile)("/usr/bin/python3", [...args, "--local-workers", "1"], { env: { ...process.env, PYTHONPATH: workerRoot }, maxBuffer: 32 * 1024 * 1024 });
        await stack.objects.patch({ apiVersion: "kubernetes.dask.org/v1", kind: "DaskJob", metadata: { name: item.metadata.name, namespace: ns }, status: { jobStatus: "Successful" } } as never, undefined, undefined, undefined, undefined, "application/merge-patch+json" as never);
      }
      const j = await jobs.get(ns, "sst-daily-mean");
      return j?.status?.phase === "Succeeded" && (j.status.derived?.steps ?? 0) > 0 ? j : undefined;
    }, 240_000);
    expect(ran.size).toBe(1);
    expect(job.status?.derived?.chunksRewritten).toBeGreaterThan(0);
    await until("the DaskJob is cleaned up", async () => (await stack.objects.list("kubernetes.dask.org/v1", "DaskJob", ns)).items.length === 0);

    const local = join(stack.dir, "local.zarr");
    await derive({ source, target: local, transform: transformOptionsFor(spec), layout: { sourceName: `${ns}/cbofs`, format: "zarr-v2", encoding: { codec: "zlib", level: 1 }, chunking: {} } });
    const cmp = await compareStores(local, join(stack.stores, "sst-daily-mean.zarr"));
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  }, 300_000);
});
