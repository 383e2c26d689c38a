// The parts of `dmac up` besides the control plane (on the main thread), each API and the operator started inside its own worker thread (component-worker.ts; the viewer shares the data API's) so that a
// heavy query in one cannot stall the others: each has its own event loop, its own heap (with a
// cap: running out of it ends that worker, not the platform) and its own garbage collector. They
// talk as they would in a cluster: over HTTPS to the control plane, each as its own ServiceAccount, and the
// operator to the catalog database through a MessagePort (catalog-rpc.ts), because the embedded
// PGlite database can only live in one thread.
import type { MessagePort } from "node:worker_threads";
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { IngestProgress } from "../../dataplane/index.js";

/** What a component reports once it serves. */
export interface ComponentInfo {
  url?: string;
  /** The browser viewer, when the component serves it too (the data API's thread). */
  viewerUrl?: string;
}

export interface RunningComponent {
  info: ComponentInfo;
  stop(): Promise<void>;
}

export interface ComponentContext {
  log: Logger;
  /** Sends a message to the main thread (ingest progress). */
  post(message: unknown): void;
}

/** `dmac up --bus rabbitmq`: the platform's private broker, and this component's outbox. */
export interface BusOption {
  url: string;
  outboxDir: string;
}

export interface ComponentOptions {
  catalog: { catalogDir: string; port: number; rpc: MessagePort };
  operator: { kubeconfigPath: string; storageRoot: string; inputRoot: string; probePort: number; catalogApiUrl: string; rpc: MessagePort; bus?: BusOption };
  "data-api": { kubeconfigPath: string; storageRoot: string; port: number; bus?: BusOption; viewer?: Omit<ComponentOptions["viewer"], "dataApiUrl"> };
  viewer: { port: number; dataApiUrl: string; catalogApiUrl: string };
  "event-bridge": { kubeconfigPath: string; port: number; bus: BusOption; queueUrl: string; sqsEndpoint: string; region: string };
}
export type ComponentName = keyof ComponentOptions;

/** Message a component posts with `post`: the operator's ingest progress. */
export interface ProgressMessage {
  type: "progress";
  jobKey: string;
  progress: IngestProgress;
}

/** A component's own ServiceAccount kubeconfig; its token file is re-read as it is renewed. */
const kubeConfigFrom = (path: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
};

const urlOf = (address: string): string => address.replace("://localhost:", "://127.0.0.1:");

/** The RabbitMQ bus of a component (its own outbox), or undefined for the in-process default. */
async function rabbitBus(option: BusOption | undefined, log: Logger) {
  if (!option) return undefined;
  const [{ RabbitMqEventBus }, { platformQueues }] = await Promise.all([import("../../events/rabbitmq-bus.js"), import("../../events/bus-config.js")]);
  return new RabbitMqEventBus({ url: option.url, outboxDir: option.outboxDir, queues: platformQueues, log: (level, message, fields) => log[level](fields ?? {}, message) }).start();
}

export const COMPONENTS: { [N in ComponentName]: (options: ComponentOptions[N], ctx: ComponentContext) => Promise<RunningComponent> } = {
  async catalog(options, { log }) {
    const [{ openCatalog }, { buildCatalogApi }, { serveCatalogStore }] = await Promise.all([import("../../catalog/index.js"), import("../catalog-api/app.js"), import("./catalog-rpc.js")]);
    const store = await openCatalog(options.catalogDir);
    serveCatalogStore(store, options.rpc);
    const app = await buildCatalogApi({ store, loggerInstance: log });
    const url = await app.listen({ port: options.port, host: "127.0.0.1" });
    return {
      info: { url: urlOf(url) },
      stop: async () => {
        await app.close();
        options.rpc.close();
        await store.close();
      },
    };
  },

  async operator(options, { log, post }) {
    const [{ createOperator }, { catalogStoreOverPort }] = await Promise.all([import("../../operators/operator.js"), import("./catalog-rpc.js")]);
    const bus = await rabbitBus(options.bus, log);
    const operator = createOperator({
      ...(bus ? { bus } : {}),
      kubeConfig: kubeConfigFrom(options.kubeconfigPath),
      log,
      identity: "local",
      roots: { storageRoot: options.storageRoot, inputRoot: options.inputRoot },
      catalog: catalogStoreOverPort(options.rpc),
      catalogApiUrl: options.catalogApiUrl,
      probePort: options.probePort,
      onProgress: (jobKey, progress) => post({ type: "progress", jobKey, progress } satisfies ProgressMessage),
    });
    const abort = new AbortController();
    const running = operator.start(abort.signal);
    return {
      info: {},
      stop: async () => {
        abort.abort();
        await running;
        await bus?.close();
        options.rpc.close();
      },
    };
  },

  async "data-api"(options, ctx) {
    const { serveDataApi } = await import("../data-api/server.js");
    const bus = await rabbitBus(options.bus, ctx.log);
    const api = await serveDataApi({ datasets: [], port: options.port, host: "127.0.0.1", loggerInstance: ctx.log, discovery: { kubeConfig: kubeConfigFrom(options.kubeconfigPath), storageRoot: options.storageRoot, resyncMs: 10_000 }, ...(bus ? { bus } : {}) });
    const url = urlOf(api.url);
    const closeApi = async () => {
      await api.close();
      await bus?.close();
    };
    if (!options.viewer) return { info: { url }, stop: closeApi };
    // The viewer shares this thread (and its fastify and zarrita) rather than taking an isolate of
    // its own (about 40 MiB): it serves a prebuilt bundle and proxies to this API, which it waits
    // on either way; the STAC API and the control plane keep their own threads.
    const viewer = await COMPONENTS.viewer({ ...options.viewer, dataApiUrl: url }, { ...ctx, log: ctx.log.child({ component: "viewer" }) }).catch(async (error: unknown) => {
      await closeApi();
      throw error;
    });
    return {
      info: { url, ...(viewer.info.url ? { viewerUrl: viewer.info.url } : {}) },
      stop: async () => {
        await viewer.stop();
        await closeApi();
      },
    };
  },

  async "event-bridge"(options, { log }) {
    const { startEventBridge } = await import("../event-bridge/server.js");
    const { credentials } = await import("./nodd-bucket.js");
    const bus = (await rabbitBus(options.bus, log))!;
    const bridge = await startEventBridge({
      kubeConfig: kubeConfigFrom(options.kubeconfigPath),
      queues: [{ name: "ofs", url: options.queueUrl }],
      sqs: { region: options.region, endpoint: options.sqsEndpoint, credentials },
      bus,
      log: (level, message, fields) => log[level](fields ?? {}, message),
      port: options.port,
      waitTimeSeconds: 5,
    });
    return {
      info: { url: bridge.url },
      stop: async () => {
        await bridge.stop();
        await bus.close();
      },
    };
  },

  async viewer(options, { log }) {
    const { serveViewer } = await import("../viewer/server.js");
    const viewer = await serveViewer({ port: options.port, dataApiUrl: options.dataApiUrl, catalogApiUrl: options.catalogApiUrl, loggerInstance: log });
    return { info: { url: urlOf(viewer.url) }, stop: () => viewer.close() };
  },
};
