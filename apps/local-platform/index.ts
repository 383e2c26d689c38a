// The whole platform on one machine: the embedded control plane, the operators with the local
// executor and file storage, the embedded catalog, the STAC API, the EDR data API and the browser
// viewer, with clusters/local applied and the shipped sample NetCDF copied in. Production runs the same operators on EKS (see infra/).
//
// The control plane runs on the main thread; the catalog API, the operator and the data API (with
// the viewer beside it) each in a worker thread (components.ts, supervisor.ts) with its own event loop and heap, so 50 whole-domain cubes on the
// data API leave the control plane's latency alone (bench/platform/isolation.mjs), and a part that
// runs out of heap ends alone. They talk as in a
// cluster: HTTP to the control plane, Dataset discovery for the data API; the operator reaches the
// embedded catalog database, which lives in the catalog API's thread, through a MessagePort.
import { KubeConfig } from "@kubernetes/client-node";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startControlPlane } from "../control-plane/index.js";
import type { IngestProgress } from "../../dataplane/index.js";
import type { Logger } from "../../operators/runtime/index.js";
import { applyEnvironment, type ApplySummary } from "./apply.js";
import { memoryReport, type MemoryReport } from "./memory.js";
import { CatalogRelay } from "./catalog-rpc.js";
import type { ProgressMessage } from "./components.js";
import { ServiceAccountTokenFiles } from "./service-account-tokens.js";
import { startComponent, type Component, type RestartPolicy } from "./supervisor.js";

export interface LocalPlatformOptions {
  /** Everything the platform keeps: control-plane state, stores, inputs, catalog. */
  readonly dataDir: string;
  /** Ports: control plane = base, STAC API = base + 1, data API = base + 2, operator probes = base + 3, viewer = base + 4 (0 = all free ports). */
  readonly portBase: number;
  readonly repoRoot: string;
  readonly log: Logger;
  readonly onProgress?: (jobKey: string, progress: IngestProgress) => void;
  readonly onApplyStep?: (name: string, objects: number) => void;
  /** How a component whose thread ends is restarted (default: supervisor.ts DEFAULT_RESTART). */
  readonly restart?: RestartPolicy | false;
  /**
   * `rabbitmq`: a private RabbitMQ (Debian's rabbitmq-server, state in <dataDir>/rabbitmq) carries the
   * platform's events, and a local NODD bucket (fauxqs) announces every object put into it to the
   * event bridge, which runs as a component too (docs/events.md). Default `inprocess`.
   */
  readonly bus?: "inprocess" | "rabbitmq";
}

export interface LocalPlatform {
  readonly controlPlane: { readonly url: string; readonly kubeconfig: string };
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly catalogApiUrl: string;
  readonly dataApiUrl: string;
  /** The browser viewer (apps/viewer), reading the data API through its own origin. */
  readonly viewerUrl: string;
  readonly applied: ApplySummary;
  readonly paths: { stores: string; inputs: string; catalog: string };
  /** The worker threads, by component (the control plane is on the main thread). */
  readonly components: readonly Component[];
  /** Where this process's memory goes, by thread (memory.ts; `kill -USR2` under `dmac up`). */
  memory(): Promise<MemoryReport>;
  /** With `bus: "rabbitmq"`: the broker and the local NODD bucket (S3/SNS/SQS endpoint, bucket name). */
  readonly events?: { readonly amqpUrl: string; readonly nodd: { readonly endpoint: string; readonly bucket: string; readonly queueUrl: string } };
  stop(): Promise<void>;
}

/** Heap caps per component (MiB): a runaway query or ingest ends its own worker, not the platform. */
const HEAP_MIB = { catalog: 1024, operator: 1024, dataApi: 1536 } as const;
/** The event bridge holds one receive batch and a bounded set of recent object ids. */
const BRIDGE_HEAP_MIB = 256;

const at = (base: number, offset: number) => (base === 0 ? 0 : base + offset);
/** A restarted component listens where its first start did (that port was free or chosen then). */
const portOf = (previousUrl: string | undefined, port: number): number => (previousUrl ? Number(new URL(previousUrl).port) : port);

/** The ServiceAccounts clusters/local renders for the components this process runs. */
export const LOCAL_ACCOUNTS = {
  operator: { namespace: "dmac-system", name: "dmac-operator" },
  dataApi: { namespace: "dmac-system", name: "data-api" },
  eventBridge: { namespace: "dmac-system", name: "event-bridge" },
} as const;

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(options.dataDir);
  const paths = { stores: join(dataDir, "stores"), inputs: join(dataDir, "inputs"), catalog: join(dataDir, "catalog") };
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  // Samples ship with the repository so the first run needs no internet; copied once, so a user
  // can add or remove files under inputs/ between runs.
  const samples = join(paths.inputs, "samples");
  if (!existsSync(samples)) cpSync(join(options.repoRoot, "samples", "data"), samples, { recursive: true });

  const kubeconfigPath = join(dataDir, "kubeconfig");
  const components: Component[] = [];
  const { log } = options;
  const controlPlane = await startControlPlane({ dataDir: join(dataDir, "control-plane"), port: options.portBase, kubeconfigPath, onError: (err) => log.error({ component: "control-plane", err }, "control-plane request failed") });
  let tokenFiles: ServiceAccountTokenFiles | undefined;
  let catalogRelay: CatalogRelay | undefined;
  const services: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    // Readers first, the control plane last (the operator finishes its batches against it).
    for (const component of [...components].reverse()) await component.stop().catch(() => undefined);
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    catalogRelay?.close();
    tokenFiles?.stop();
    await controlPlane.stop();
  };
  try {
    // The admin credential applies clusters/local (ArgoCD's role in a cluster) and mints the
    // components' ServiceAccount tokens (the kubelet's); each component runs as its own
    // ServiceAccount with the RBAC rendered in clusters/local, never as the admin.
    const kubeconfig = controlPlane.kubeconfig;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    const applied = await applyEnvironment(kubeConfig, options.repoRoot, "local", options.onApplyStep);
    tokenFiles = new ServiceAccountTokenFiles({
      admin: kubeConfig,
      server: controlPlane.url,
      ...(controlPlane.caPem ? { caPem: controlPlane.caPem } : {}),
      baseDir: join(dataDir, "serviceaccounts"),
      onError: (err, namespace, name) => log.error({ err, serviceAccount: `${namespace}/${name}` }, "could not renew a ServiceAccount token"),
    });
    const operatorAccount = await tokenFiles.ensure(LOCAL_ACCOUNTS.operator.namespace, LOCAL_ACCOUNTS.operator.name);
    const dataApiAccount = await tokenFiles.ensure(LOCAL_ACCOUNTS.dataApi.namespace, LOCAL_ACCOUNTS.dataApi.name);

    let events: LocalPlatform["events"];
    const busFor = (component: string) => (events ? { bus: { url: events.amqpUrl, outboxDir: join(dataDir, "outbox", component) } } : {});
    if (options.bus === "rabbitmq") {
      const [{ startRabbitMq }, { startLocalNodd }] = await Promise.all([import("./rabbitmq.js"), import("./nodd-bucket.js")]);
      const broker = await startRabbitMq({ dir: join(dataDir, "rabbitmq"), port: at(options.portBase, 5) });
      services.push(broker);
      const nodd = await startLocalNodd({ port: at(options.portBase, 6), storageDir: join(dataDir, "nodd"), onError: (err, key) => log.error({ err, key }, "could not announce an object of the local NODD bucket") });
      services.push(nodd);
      events = { amqpUrl: broker.url, nodd: { endpoint: nodd.endpoint, bucket: nodd.bucket, queueUrl: nodd.queueUrl } };
    }

    // The operator reaches the catalog's database through this thread, so either can restart.
    catalogRelay = new CatalogRelay();
    const relay = catalogRelay;
    const supervised = { log, ...(options.restart !== undefined ? { restart: options.restart } : {}) };
    const catalog = await startComponent("catalog", (previous) => {
      const rpc = relay.catalogPort();
      return { options: { catalogDir: paths.catalog, port: portOf(previous?.url, at(options.portBase, 1)), rpc }, transferList: [rpc] };
    }, { ...supervised, maxHeapMiB: HEAP_MIB.catalog });
    components.push(catalog);
    const catalogApiUrl = catalog.info.url!;
    const onProgress = options.onProgress;
    components.push(await startComponent("operator", () => {
      const rpc = relay.clientPort();
      return { options: { kubeconfigPath: operatorAccount.kubeconfigPath, storageRoot: paths.stores, inputRoot: paths.inputs, probePort: at(options.portBase, 3), catalogApiUrl, rpc, ...busFor("operator") }, transferList: [rpc] };
    }, {
      ...supervised,
      maxHeapMiB: HEAP_MIB.operator,
      onMessage: (message) => {
        const m = message as ProgressMessage;
        if (m.type === "progress") onProgress?.(m.jobKey, m.progress);
      },
    }));
    // The data API serves every Ready Dataset's store, found by watching Datasets as its own
    // ServiceAccount (as its Deployment does in a cluster).
    const dataApi = await startComponent("data-api", (previous) => ({
      options: {
        kubeconfigPath: dataApiAccount.kubeconfigPath, storageRoot: paths.stores, port: portOf(previous?.url, at(options.portBase, 2)),
        viewer: { port: portOf(previous?.viewerUrl, at(options.portBase, 4)), catalogApiUrl },
        ...busFor("data-api"),
      },
    }), { ...supervised, maxHeapMiB: HEAP_MIB.dataApi });
    components.push(dataApi);
    const dataApiUrl = dataApi.info.url!;
    if (events) {
      const { nodd, amqpUrl } = events;
      const bridgeAccount = await tokenFiles.ensure(LOCAL_ACCOUNTS.eventBridge.namespace, LOCAL_ACCOUNTS.eventBridge.name);
      const bus = { url: amqpUrl, outboxDir: join(dataDir, "outbox", "event-bridge") };
      components.push(await startComponent("event-bridge", (previous) => ({ options: { kubeconfigPath: bridgeAccount.kubeconfigPath, port: portOf(previous?.url, at(options.portBase, 7)), bus, queueUrl: nodd.queueUrl, sqsEndpoint: nodd.endpoint, region: "us-east-1" } }), { ...supervised, maxHeapMiB: BRIDGE_HEAP_MIB }));
    }

    return {
      controlPlane: { url: controlPlane.url, kubeconfig }, kubeconfigPath, kubeConfig, catalogApiUrl, dataApiUrl, viewerUrl: dataApi.info.viewerUrl!, applied, paths, components, stop,
      memory: () => memoryReport("control-plane (main thread)", components),
      ...(events ? { events } : {}),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
