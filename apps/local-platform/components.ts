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

export interface ComponentOptions {
  catalog: { catalogDir: string; port: number; rpc: MessagePort };
  operator: { kubeconfigPath: string; storageRoot: string; inputRoot: string; probePort: number; catalogApiUrl: string; rpc: MessagePort };
  "data-api": { kubeconfigPath: string; storageRoot: string; port: number; viewer?: Omit<ComponentOptions["viewer"], "dataApiUrl"> };
  viewer: { port: number; dataApiUrl: string; catalogApiUrl: string };
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
    const operator = createOperator({
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
        options.rpc.close();
      },
    };
  },

  async "data-api"(options, ctx) {
    const { serveDataApi } = await import("../data-api/server.js");
    const api = await serveDataApi({ datasets: [], port: options.port, host: "127.0.0.1", loggerInstance: ctx.log, discovery: { kubeConfig: kubeConfigFrom(options.kubeconfigPath), storageRoot: options.storageRoot, resyncMs: 10_000 } });
    const url = urlOf(api.url);
    if (!options.viewer) return { info: { url }, stop: () => api.close() };
    // The viewer shares this thread (and its fastify and zarrita) rather than taking an isolate of
    // its own (about 40 MiB): it serves a prebuilt bundle and proxies to this API, which it waits
    // on either way; the STAC API and the control plane keep their own threads.
    const viewer = await COMPONENTS.viewer({ ...options.viewer, dataApiUrl: url }, { ...ctx, log: ctx.log.child({ component: "viewer" }) }).catch(async (error: unknown) => {
      await api.close();
      throw error;
    });
    return {
      info: { url, ...(viewer.info.url ? { viewerUrl: viewer.info.url } : {}) },
      stop: async () => {
        await viewer.stop();
        await api.close();
      },
    };
  },

  async viewer(options, { log }) {
    const { serveViewer } = await import("../viewer/server.js");
    const viewer = await serveViewer({ port: options.port, dataApiUrl: options.dataApiUrl, catalogApiUrl: options.catalogApiUrl, loggerInstance: log });
    return { info: { url: urlOf(viewer.url) }, stop: () => viewer.close() };
  },
};
