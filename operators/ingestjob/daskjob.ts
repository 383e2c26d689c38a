// The dask executor: a batch of ingest tasks becomes a DaskJob (kubernetes.dask.org/v1) owned by
// the IngestJob. The job pod runs the ingest worker (apps/ingest-worker) on the task list, which
// lives beside the data with the results the worker writes back. DaskJob.status.jobStatus maps to
// our progress; the job pod never restarts by itself (restartPolicy Never): retries are ours.
import { KubernetesObjectApi, type KubeConfig } from "@kubernetes/client-node";
import type { IngestJob } from "../../crds/index.js";
import type { ExecutionOutcome, IngestTask, StoreKey, TaskResult, WritableStore } from "../../dataplane/index.js";
import { TASK_CONTRACT } from "../dataplane.js";

export const daskApiVersion = "kubernetes.dask.org/v1";
export type DaskJobStatus = "JobCreated" | "ClusterCreated" | "Running" | "Successful" | "Failed";

export interface DaskJob {
  apiVersion: typeof daskApiVersion;
  kind: "DaskJob";
  metadata: { name: string; namespace: string; labels: Record<string, string>; ownerReferences: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[] };
  spec: {
    job: { spec: PodSpec };
    cluster: { spec: { scheduler: { spec: PodSpec; service: { type: "ClusterIP"; selector: Record<string, string>; ports: { name: string; protocol: "TCP"; port: number; targetPort: string }[] } }; worker: { replicas: number; spec: PodSpec } } };
  };
  status?: { jobStatus?: DaskJobStatus; [key: string]: unknown };
}

interface Container {
  name: string;
  image: string;
  args: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number; protocol: "TCP" }[];
  resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  securityContext: Record<string, unknown>;
}

/** A core/v1 EnvVar: a value, or a reference (valueFrom) for anything secret. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/**
 * How the source is read, for pods that read it: region and endpoint as values, and the credentials
 * of `spec.source.credentials.secretRef` as secretKeyRef references to the IngestJob's Secret, so
 * the keys never appear in the DaskJob. DMAC_SOURCE_* rather than AWS_*: the pods' AWS chain is the
 * store's identity and must not be replaced by the source's.
 */
export function sourceEnv(job: IngestJob): EnvVar[] {
  // An object built by hand (tests, tools) may carry no source; it gets no source settings then.
  const { region, endpoint, credentials }: Partial<IngestJob["spec"]["source"]> = job.spec.source ?? {};
  return [
    ...(region ? [{ name: "DMAC_SOURCE_AWS_REGION", value: region }] : []),
    ...(endpoint ? [{ name: "DMAC_SOURCE_S3_ENDPOINT", value: endpoint }] : []),
    ...(!credentials
      ? []
      : credentials.anonymous || !credentials.secretRef
      ? [{ name: "DMAC_SOURCE_ANONYMOUS", value: "true" }]
      : [
          { name: "DMAC_SOURCE_AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: credentials.secretRef.name, key: credentials.secretRef.accessKeyIdKey } } },
          { name: "DMAC_SOURCE_AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: credentials.secretRef.name, key: credentials.secretRef.secretAccessKeyKey } } },
        ]),
  ];
}

interface PodSpec {
  restartPolicy?: "Never" | "OnFailure" | "Always";
  serviceAccountName?: string;
  automountServiceAccountToken: boolean;
  securityContext: Record<string, unknown>;
  containers: Container[];
  tolerations?: { key: string; operator: "Equal"; value: string; effect: "NoSchedule" }[];
  nodeSelector?: Record<string, string>;
}

/** Pod Security "restricted": the domain namespaces enforce it, so Dask pods must meet it too. */
const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: false, runAsNonRoot: true };
const restrictedPod = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } };
/** The spot node group infra/nodegroups.ts provisions for Dask workers is labelled and tainted so only Dask pods land there. */
const daskNodes = { nodeSelector: { "dmac.ioos.us/node-role": "dask-worker" }, tolerations: [{ key: "dmac.ioos.us/dask-worker", operator: "Equal" as const, value: "true", effect: "NoSchedule" as const }] };

export interface DaskJobInput {
  readonly job: IngestJob;
  readonly name: string;
  readonly tasksUrl: string;
  readonly resultsUrl: string;
  /** The job container's command: the ingest payload by default; a derived job's derive payload. */
  readonly args?: string[];
}

export function buildDaskJob({ job, name, tasksUrl, resultsUrl, args }: DaskJobInput): DaskJob {
  const dask = job.spec.executor.dask;
  if (!dask) throw new Error(`${job.metadata.namespace}/${job.metadata.name}: spec.executor.dask is required for the dask executor`);
  const worker = dask.workerResources ?? { cpu: "1", memory: "4Gi" };
  const scheduler = dask.schedulerResources ?? { cpu: "500m", memory: "1Gi" };
  const resources = (r: { cpu: string; memory: string }) => ({ requests: { ...r }, limits: { ...r } });
  const clusterLabels = { "dask.org/cluster-name": name, "dask.org/component": "scheduler" };
  return {
    apiVersion: daskApiVersion,
    kind: "DaskJob",
    metadata: {
      name,
      namespace: job.metadata.namespace ?? "default",
      labels: { "app.kubernetes.io/managed-by": "dmac-operator", "dmac.ioos.us/ingestjob": job.metadata.name },
      ownerReferences: [{ apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", name: job.metadata.name, uid: job.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      job: {
        spec: {
          // OnFailure would crash-loop instead of reporting Failed; the operator retries per file.
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: restrictedPod,
          containers: [{
            name: "job",
            image: dask.image,
            args: args ?? ["python", "-m", "ingest_worker", "--tasks", tasksUrl, "--results", resultsUrl],
            env: [{ name: "DMAC_TASK_CONTRACT", value: TASK_CONTRACT }, ...sourceEnv(job)],
            resources: resources(scheduler),
            securityContext: restrictedContainer,
          }],
        },
      },
      cluster: {
        spec: {
          scheduler: {
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPod,
              containers: [{ name: "scheduler", image: dask.image, args: ["dask-scheduler"], ports: [{ name: "tcp-comm", containerPort: 8786, protocol: "TCP" }, { name: "http-dashboard", containerPort: 8787, protocol: "TCP" }], resources: resources(scheduler), securityContext: restrictedContainer }],
            },
            service: { type: "ClusterIP", selector: clusterLabels, ports: [{ name: "tcp-comm", protocol: "TCP", port: 8786, targetPort: "tcp-comm" }, { name: "http-dashboard", protocol: "TCP", port: 8787, targetPort: "http-dashboard" }] },
          },
          worker: {
            replicas: dask.workers,
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPod,
              ...daskNodes,
              containers: [{ name: "worker", image: dask.image, args: ["dask-worker", "--name", "$(DASK_WORKER_NAME)", "--nthreads", "1", "--dashboard-address", "8788"], env: sourceEnv(job), ports: [{ name: "http-dashboard", containerPort: 8788, protocol: "TCP" }], resources: resources(worker), securityContext: restrictedContainer }],
            },
          },
        },
      },
    },
  };
}

/** The document the ingest worker reads: the task contract's tasks, in chains that must run in order. */
export interface DaskTaskList {
  contract: typeof TASK_CONTRACT;
  chains: IngestTask[][];
}

/** What the ingest worker writes back, in the local executor's result shape. */
export interface DaskResults {
  contract: typeof TASK_CONTRACT;
  results: TaskResult[];
  failures: { id: string; error: string }[];
}

/**
 * The chains with each task's `source.url` replaced by the URL the Dask pods read it from. The
 * planner names the files it read (the operator's temporary copies of remote objects); workers in
 * other pods cannot see those, so remote sources go back to their s3:// or https:// origin, which
 * the payload downloads itself with the source's settings (`sourceEnv`). Ids stay the planner's,
 * so results still match their tasks.
 */
export function withSourceUrls(chains: readonly IngestTask[][], sourceUrl: (path: string) => string): IngestTask[][] {
  return chains.map((chain) => chain.map((task) => ({ ...task, source: { ...task.source, url: sourceUrl(task.source.url) } })));
}

export function taskKeys(name: string): { tasks: StoreKey; results: StoreKey } {
  return { tasks: `/.dmac/dask/${name}/tasks.json`, results: `/.dmac/dask/${name}/results.json` };
}

/**
 * Reads the worker's results; tasks it does not mention failed (the worker died before reporting).
 * Such failures end in "run again", the data plane's mark of a transient failure, so the operator
 * retries those files up to the IngestJob's retry limit instead of refusing them for good.
 */
export function outcomeFromResults(tasks: readonly IngestTask[], results: DaskResults | undefined, daskJobName: string): ExecutionOutcome {
  const reported = new Set([...(results?.results ?? []).map((r) => r.id), ...(results?.failures ?? []).map((f) => f.id)]);
  return {
    results: (results?.results ?? []).filter((r) => tasks.some((t) => t.id === r.id)),
    failures: [
      ...(results?.failures ?? []).filter((f) => tasks.some((t) => t.id === f.id)),
      ...tasks.filter((t) => !reported.has(t.id)).map((t) => ({ id: t.id, error: `DaskJob ${daskJobName} reported no result for this file; run again` })),
    ],
  };
}

export interface DaskExecutorOptions {
  readonly kubeConfig: KubeConfig;
  readonly job: IngestJob;
  readonly store: WritableStore;
  /** The store's URL as the worker pods see it (s3://... in production). */
  readonly storeUrl: string;
  /** Maps a planned source path to the URL the worker pods read (`withSourceUrls`); default: the path itself. */
  readonly sourceUrl?: (path: string) => string;
  readonly pollMs?: number;
  /** Called as jobStatus changes, for status and events. */
  readonly onJobStatus?: (name: string, status: DaskJobStatus | undefined) => void;
  readonly signal?: AbortSignal;
}

let sequence = 0;

/** A fresh DaskJob name for one batch of `job`. */
export function daskJobName(job: IngestJob): string {
  return `${job.metadata.name}-${Date.now().toString(36)}${(sequence++ % 1296).toString(36).padStart(2, "0")}`.slice(0, 63);
}

/**
 * Creates the DaskJob and polls it until it ends: its last jobStatus, or undefined when it was
 * deleted first. The caller reads the results and deletes it (`deleteDaskJob`).
 */
export async function runDaskJob(options: Pick<DaskExecutorOptions, "kubeConfig" | "pollMs" | "onJobStatus" | "signal">, daskJob: DaskJob): Promise<DaskJobStatus | undefined> {
  const objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const { name, namespace } = daskJob.metadata;
  await objects.create(daskJob as never);
  let last: DaskJobStatus | undefined;
  options.onJobStatus?.(name, undefined);
  for (;;) {
    if (options.signal?.aborted) throw new Error(`stopped while DaskJob ${name} was running; it is picked up again on restart`);
    const current = (await objects.read({ apiVersion: daskApiVersion, kind: "DaskJob", metadata: { name, namespace } }).catch(() => undefined)) as DaskJob | undefined;
    const status = current?.status?.jobStatus;
    if (status !== last) {
      last = status;
      options.onJobStatus?.(name, status);
    }
    if (!current) return undefined;
    if (status === "Successful" || status === "Failed") return status;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2000));
  }
}

/** The DaskJob has done its work; its cluster is torn down with it. */
export async function deleteDaskJob(kubeConfig: KubeConfig, daskJob: DaskJob): Promise<void> {
  await KubernetesObjectApi.makeApiClient(kubeConfig).delete({ apiVersion: daskApiVersion, kind: "DaskJob", metadata: { name: daskJob.metadata.name, namespace: daskJob.metadata.namespace } }).catch(() => undefined);
}

/** An executor for the data plane's ingest(): runs one batch of task chains as one DaskJob. */
export function daskExecutor(options: DaskExecutorOptions) {
  return async (chains: IngestTask[][]): Promise<ExecutionOutcome> => {
    const tasks = chains.flat();
    const name = daskJobName(options.job);
    const keys = taskKeys(name);
    const list: DaskTaskList = { contract: TASK_CONTRACT, chains: options.sourceUrl ? withSourceUrls(chains, options.sourceUrl) : chains };
    await options.store.set(keys.tasks, new TextEncoder().encode(JSON.stringify(list)));
    const base = options.storeUrl.replace(/\/$/, "");
    const daskJob = buildDaskJob({ job: options.job, name, tasksUrl: `${base}${keys.tasks}`, resultsUrl: `${base}${keys.results}` });
    const last = await runDaskJob(options, daskJob);
    if (last === undefined) return { results: [], failures: tasks.map((t) => ({ id: t.id, error: `DaskJob ${name} was deleted before it finished; run again` })) };
    const bytes = await options.store.get(keys.results);
    let results: DaskResults | undefined;
    if (bytes) {
      try {
        results = JSON.parse(new TextDecoder().decode(bytes)) as DaskResults;
      } catch {
        results = undefined;
      }
    }
    const outcome = last === "Failed" && !results
      ? { results: [], failures: tasks.map((t) => ({ id: t.id, error: `DaskJob ${name} failed before reporting results; run again` })) }
      : outcomeFromResults(tasks, results, name);
    await deleteDaskJob(options.kubeConfig, daskJob);
    return outcome;
  };
}
