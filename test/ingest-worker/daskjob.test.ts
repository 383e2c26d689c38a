// The DaskJob the operator builds runs this payload as it is: the job container's arguments and
// environment (operators/ingestjob/daskjob.ts), a scheduler and a worker started with the
// scheduler and worker containers' arguments (Debian's dask-scheduler and dask-worker, as in the
// image), and the scheduler address in DASK_SCHEDULER_ADDRESS as dask-kubernetes injects it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { ingest } from "../../dataplane/index.js";
import type { IngestJob } from "../../crds/index.js";
import { buildDaskJob } from "../../operators/ingestjob/daskjob.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { until } from "../support/until.js";
import { compareStores, daskPayloadExecutor, workerRoot } from "./harness.js";

const tmp = tempDir("dmac-iw-daskjob-");
const children: ChildProcess[] = [];
let address = "";

// A whole IngestJob, typed: a partial one cast to the type hid that buildDaskJob reads spec.source.
const ingestJob: IngestJob = {
  apiVersion: "dmac.ioos.us/v1alpha1",
  kind: "IngestJob",
  metadata: { name: "cbofs", namespace: "maracoos", uid: "u-1" },
  spec: {
    source: { prefix: { url: "s3://noaa-nos-ofs-pds/cbofs/netcdf/", keyPattern: "\\.nc$", recursive: true }, region: "us-east-1", credentials: { anonymous: true } },
    format: "auto",
    qualityControl: { enabled: false, onFailure: "flag", cfChecks: false },
    datasetRef: { name: "cbofs" },
    executor: { type: "dask", dask: { image: "ghcr.io/ioos/dmac-ingest-worker:0.1.0", workers: 1 } },
    parallelism: 1,
    retryLimit: 2,
    suspend: false,
  },
};
const daskJob = buildDaskJob({ job: ingestJob, name: "cbofs-test", tasksUrl: "TASKS", resultsUrl: "RESULTS" });

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

const accepts = (port: number): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1", () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

/** What a child process said on stderr, kept so a failure to start can be reported with it. */
const stderrOf = new Map<ChildProcess, string>();

/** Runs a container's args the way the image does: its first word is a program on PATH. */
function start(args: string[], env: Record<string, string>): ChildProcess {
  const [program, ...rest] = args;
  const child = spawn(`/usr/bin/${program}`, rest, { env: { ...process.env, ...env, PYTHONPATH: workerRoot }, stdio: ["ignore", "ignore", "pipe"] });
  stderrOf.set(child, "");
  child.stderr?.on("data", (d: Buffer) => stderrOf.set(child, `${stderrOf.get(child) ?? ""}${d.toString()}`.slice(-4000)));
  children.push(child);
  return child;
}

beforeAll(async () => {
  const port = await freePort();
  address = `tcp://127.0.0.1:${port}`;
  const scheduler = daskJob.spec.cluster.spec.scheduler.spec.containers[0]!;
  // The port is the only change: 8786 may be taken on a shared machine.
  const schedulerProcess = start([...scheduler.args, "--host", "127.0.0.1", "--port", String(port)], {});
  await until(
    `the dask scheduler listening on ${port}`,
    async () => {
      // A scheduler that died (the port taken meanwhile, say) fails now, with its own words.
      if (schedulerProcess.exitCode !== null) throw new Error(`dask-scheduler exited with ${schedulerProcess.exitCode}:\n${stderrOf.get(schedulerProcess) ?? ""}`);
      return accepts(port);
    },
    60_000,
    { intervalMs: 200 },
  );
  const worker = daskJob.spec.cluster.spec.worker.spec.containers[0]!;
  // Kubernetes expands $(DASK_WORKER_NAME) from the env dask-kubernetes gives the worker pod.
  start(worker.args.map((a) => a.replace("$(DASK_WORKER_NAME)", "worker-0")), { DASK_SCHEDULER_ADDRESS: address, DASK_WORKER_NAME: "worker-0" });
});

afterAll(async () => {
  // dask-worker and dask-scheduler close gracefully on SIGTERM (a few seconds); wait for them.
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
          child.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  tmp.cleanup();
});

describe("the operator's DaskJob runs the payload", () => {
  it("job, scheduler and worker containers as built by buildDaskJob ingest equal to the local executor", async () => {
    expect(daskJob.spec.job.spec.containers[0]?.args.slice(0, 3)).toEqual(["python", "-m", "ingest_worker"]);
    const files = [1, 2, 3].map((hour) => romsFile(join(tmp.path, "src"), { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour }));
    const local = join(tmp.path, "local.zarr");
    await ingest({ store: local, inputs: files, concurrency: 0 });

    const store = join(tmp.path, "dask.zarr");
    const payload = daskPayloadExecutor(store, {
      command: (tasksUrl, resultsUrl) => {
        const built = buildDaskJob({ job: ingestJob, name: "cbofs-run", tasksUrl, resultsUrl }).spec.job.spec.containers[0]!;
        const env = Object.fromEntries((built.env ?? []).map((e) => [e.name, e.value]));
        return { args: built.args.slice(3), env: { ...env, DASK_SCHEDULER_ADDRESS: address } };
      },
    });
    const report = await ingest({ store, inputs: files, executor: payload.executor });
    expect(report.files.map((f) => f.status)).toEqual(["ingested", "ingested", "ingested"]);
    expect(payload.runs[0]?.stderr).toContain(`connecting to the Dask scheduler at ${address}`);
    const cmp = await compareStores(local, store);
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);
  });
});
