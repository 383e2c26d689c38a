// The dask executor on the embedded control plane. No dask-kubernetes operator runs here, so the
// test plays its part: it reads the DaskJob the operator creates, checks it against the DaskJob
// schema, drives status.jobStatus (Running, then Successful or Failed), and for Successful runs the
// task list the way the ingest worker would (with our local executor, same task contract; for an
// s3:// source with the ingest worker itself, in the environment the DaskJob gives its pods).
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { validateStructural } from "../../crds/validation/index.js";
import { runLocal } from "../../dataplane/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { daskJobSchema } from "../../operators/ingestjob/daskjob-schema.js";
import { taskKeys, type DaskJob, type DaskTaskList } from "../../operators/ingestjob/daskjob.js";
import { romsFile } from "../dataplane/fixtures.js";
import { runPayload } from "../ingest-worker/harness.js";
import { startSignedS3, type SignedS3Server } from "../support/s3-signed-server.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";
import { daskJobCrd } from "../support/daskjob-crd.js";

describe("the dask executor", () => {
  let stack: OperatorStack;
  let dir: string;
  let kc: KubeConfig;
  let objects: KubernetesObjectApi;
  let s3: SignedS3Server;
  const s3Keys = { accessKeyId: "AKIDDMACDASKJOB1", secretAccessKey: "dask/Source+secret" };
  const inputs = () => stack.inputs;

  beforeAll(async () => {
    s3 = await startSignedS3(s3Keys);
    stack = await startOperatorStack({
      tempPrefix: "dmac-dask-",
      namespace: "maracoos",
      extraCrds: [daskJobCrd],
      servedKind: { apiVersion: "kubernetes.dask.org/v1", kind: "DaskJob" },
      operator: { identity: "test", daskPollMs: 100 },
    });
    ({ dir, kc, objects } = stack);
  }, 60_000);

  afterAll(async () => {
    await stack.stop();
    await s3.close();
  });

  async function create(name: string, hours: number[], retryLimit: number): Promise<void> {
    const paths = hours.map((hour) => romsFile(join(inputs(), name), { cycle: new Date("2023-10-22T00:00:00Z"), kind: "f", hour }));
    const dataset: Dataset = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace: "maracoos" },
      spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    };
    const job: IngestJob = {
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace: "maracoos" },
      spec: {
        source: { urls: paths.map((p) => `file:///${relative(inputs(), p)}`), credentials: { anonymous: true } }, format: "auto",
        qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name },
        executor: { type: "dask", dask: { image: "ghcr.io/ioos/dmac-ingest-worker:0.1.0", workers: 3, workerResources: { cpu: "2", memory: "8Gi" } } },
        parallelism: 2, retryLimit, suspend: false,
      },
    };
    await new ResourceClient(kc, datasets).create(dataset);
    await new ResourceClient(kc, ingestJobs).create(job);
  }

  const daskJobOf = (name: string) => until(`a DaskJob for ${name}`, async () => {
    const list = await objects.list("kubernetes.dask.org/v1", "DaskJob", "maracoos", undefined, undefined, undefined, undefined, `dmac.ioos.us/ingestjob=${name}`);
    return (list.items[0] as unknown as DaskJob | undefined) ?? undefined;
  });

  const setJobStatus = (daskJob: DaskJob, jobStatus: string) =>
    objects.patch({ apiVersion: "kubernetes.dask.org/v1", kind: "DaskJob", metadata: { name: daskJob.metadata.name, namespace: "maracoos" }, status: { jobStatus } } as never, undefined, undefined, undefined, undefined, "application/merge-patch+json" as never);

  const phaseOf = async (name: string) => (await new ResourceClient(kc, ingestJobs).get("maracoos", name))?.status;

  it("creates a valid, restricted DaskJob owned by the IngestJob; Running then Successful drives the job to Succeeded with the data written", async () => {
    await create("dask-ok", [1, 2, 3], 1);
    const daskJob = await daskJobOf("dask-ok");
    expect(validateStructural(daskJobSchema, daskJob, { reportUnknownFields: true }).map((e) => `${e.path.join(".")}: ${e.message}`)).toEqual([]);
    expect(daskJob.spec.job.spec.restartPolicy).toBe("Never");
    expect(daskJob.metadata.ownerReferences[0]).toMatchObject({ kind: "IngestJob", name: "dask-ok", controller: true });
    expect(daskJob.spec.cluster.spec.worker.replicas).toBe(3);
    expect(daskJob.spec.cluster.spec.worker.spec.containers[0]?.resources.limits).toEqual({ cpu: "2", memory: "8Gi" });
    for (const pod of [daskJob.spec.job.spec, daskJob.spec.cluster.spec.scheduler.spec, daskJob.spec.cluster.spec.worker.spec]) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.containers[0]?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    }
    const args = daskJob.spec.job.spec.containers[0]!.args;
    const tasksPath = args[args.indexOf("--tasks") + 1]!;
    const resultsPath = args[args.indexOf("--results") + 1]!;
    expect(tasksPath).toBe(join(dir, "stores", "dask-ok.zarr") + taskKeys(daskJob.metadata.name).tasks);

    await setJobStatus(daskJob, "Running");
    await until("Progressing shows the DaskJob", async () => (await phaseOf("dask-ok"))?.conditions?.find((c) => c.type === "Progressing")?.message.includes(`DaskJob ${daskJob.metadata.name}: Running`));
    expect((await phaseOf("dask-ok"))?.daskJobName).toBe(daskJob.metadata.name);

    // What the ingest worker does: run the task list, report results in the local executor's shape.
    const list = JSON.parse(readFileSync(tasksPath, "utf8")) as DaskTaskList;
    expect(list.chains.flat()).toHaveLength(3);
    const outcome = await runLocal(list.chains, { concurrency: 0 });
    writeFileSync(resultsPath, JSON.stringify({ contract: list.contract, ...outcome }));
    await setJobStatus(daskJob, "Successful");

    const status = await until("Succeeded", async () => {
      const s = await phaseOf("dask-ok");
      return s?.phase === "Succeeded" ? s : undefined;
    });
    expect(status.items).toEqual({ total: 3, pending: 0, running: 0, succeeded: 3, failed: 0 });
    await until("Dataset has 3 steps", async () => ((await new ResourceClient(kc, datasets).get("maracoos", "dask-ok"))?.status?.timeSteps === 3 ? true : undefined));
    await until("the DaskJob is cleaned up", async () => (await objects.list("kubernetes.dask.org/v1", "DaskJob", "maracoos")).items.length === 0);
  });

  it("a Failed DaskJob fails its files, retries them up to the limit, then the job is Failed and Degraded", async () => {
    await create("dask-fail", [1, 2], 1);
    const first = await daskJobOf("dask-fail");
    await setJobStatus(first, "Running");
    await setJobStatus(first, "Failed");
    const second = await until("a retry DaskJob", async () => {
      const d = await daskJobOf("dask-fail");
      return d.metadata.name !== first.metadata.name ? d : undefined;
    });
    // Play the dask operator until the job gives up: fail every DaskJob that appears.
    const failed = new Set([first.metadata.name]);
    const status = await until("Failed", async () => {
      for (const item of (await objects.list("kubernetes.dask.org/v1", "DaskJob", "maracoos")).items as unknown as DaskJob[]) {
        if (failed.has(item.metadata.name) && item.metadata.name !== second.metadata.name) continue;
        failed.add(item.metadata.name);
        if (item.status?.jobStatus !== "Failed") await setJobStatus(item, "Failed");
      }
      const s = await phaseOf("dask-fail");
      return s?.phase === "Failed" ? s : undefined;
    });
    expect(status.items).toMatchObject({ total: 2, succeeded: 0, failed: 2 });
    expect(status.recentFailures?.[0]?.message).toMatch(/DaskJob dask-fail-\w+ failed before reporting results/);
    // retryLimit 1: each file ran once and was retried once, never a third time.
    expect(status.recentFailures?.map((f) => f.attempts)).toEqual([2, 2]);
    expect(status.conditions?.find((c) => c.type === "Degraded")?.status).toBe("True");
  });

  it("an s3:// source: tasks name the objects, and the ingest worker, in the DaskJob's environment, reads them with the Secret's keys", async () => {
    for (const hour of [1, 2]) {
      const path = romsFile(join(dir, "fixtures"), { cycle: new Date("2023-10-22T00:00:00Z"), kind: "f", hour });
      s3.put("ofs", `cbofs/${basename(path)}`, readFileSync(path));
    }
    const secretData = { AWS_ACCESS_KEY_ID: s3Keys.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Keys.secretAccessKey };
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: "maracoos", body: { metadata: { name: "ofs-reader" }, type: "Opaque", stringData: secretData } });
    const name = "dask-s3";
    await new ResourceClient(kc, datasets).create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name, namespace: "maracoos" },
      spec: { storage: { url: `file:///${name}.zarr`, format: "zarr-v2" }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
    });
    await new ResourceClient(kc, ingestJobs).create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name, namespace: "maracoos" },
      spec: {
        source: {
          prefix: { url: "s3://ofs/cbofs/", keyPattern: "\\.nc$", recursive: true }, endpoint: s3.endpoint, region: s3.region,
          credentials: { anonymous: false, secretRef: { name: "ofs-reader", accessKeyIdKey: "AWS_ACCESS_KEY_ID", secretAccessKeyKey: "AWS_SECRET_ACCESS_KEY" } },
        },
        format: "auto", qualityControl: { enabled: false, onFailure: "flag", cfChecks: false }, datasetRef: { name },
        executor: { type: "dask", dask: { image: "ghcr.io/ioos/dmac-ingest-worker:0.1.0", workers: 1 } },
        parallelism: 1, retryLimit: 1, suspend: false,
      },
    });
    const daskJob = await daskJobOf(name);
    const job = daskJob.spec.job.spec.containers[0]!;
    const list = JSON.parse(readFileSync(job.args[job.args.indexOf("--tasks") + 1]!, "utf8")) as DaskTaskList;
    // Not the operator's temporary copies, which no Dask pod can see.
    expect(list.chains.flat().map((t) => t.source.url)).toEqual([...s3.objects.keys()].filter((k) => k.startsWith("ofs/cbofs/")).sort().map((k) => `s3://${k}`));

    // The kubelet's part: values as they are, secretKeyRef resolved from the Secret.
    const resolve = (env: typeof job.env) => Object.fromEntries((env ?? []).map((e) => {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) expect(ref.name).toBe("ofs-reader");
      return [e.name, ref ? secretData[ref.key as keyof typeof secretData] : e.value ?? ""];
    }));
    const refusedBefore = [...s3.refused.values()].reduce((a, b) => a + b, 0);
    await setJobStatus(daskJob, "Running");
    const [, , , ...args] = job.args;
    const out = await runPayload([...args, "--local-workers", "1"], { ...resolve(job.env), ...resolve(daskJob.spec.cluster.spec.worker.spec.containers[0]!.env) });
    expect(out.code, out.stderr).toBe(0);
    expect([...s3.refused.values()].reduce((a, b) => a + b, 0)).toBe(refusedBefore);
    await setJobStatus(daskJob, "Successful");

    const status = await until("Succeeded", async () => {
      const s = await phaseOf(name);
      return s?.phase === "Succeeded" ? s : undefined;
    });
    expect(status.items).toEqual({ total: 2, pending: 0, running: 0, succeeded: 2, failed: 0 });
    await until("Dataset has 2 steps", async () => ((await new ResourceClient(kc, datasets).get("maracoos", name))?.status?.timeSteps === 2 ? true : undefined));
  }, 60_000);
});
