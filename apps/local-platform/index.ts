// The whole platform on one machine: the embedded control plane, the operators with the local
// executor and file storage, the embedded catalog, the STAC API, the EDR data API and the browser
// viewer, with clusters/local applied and the shipped sample NetCDF copied in. Production runs the same operators on EKS (see infra/).
import { KubeConfig } from "@kubernetes/client-node";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildCatalogApi } from "../catalog-api/app.js";
import { openCatalog, type CatalogStore } from "../../catalog/index.js";
import { startControlPlane, type ControlPlane } from "../control-plane/index.js";
import type { IngestProgress } from "../../dataplane/index.js";
import { createOperator, type Operator } from "../../operators/operator.js";
import type { Logger } from "../../operators/runtime/index.js";
import { applyEnvironment, type ApplySummary } from "./apply.js";
import { buildDataApi } from "../data-api/index.js";
import { serveViewer } from "../viewer/server.js";
import { datasets, ResourceClient } from "../../operators/client.js";
import { eventTypes } from "../../events/platform-events.js";
import { storeLocation } from "../../operators/storage.js";

export interface LocalPlatformOptions {
  /** Everything the platform keeps: control-plane state, stores, inputs, catalog. */
  readonly dataDir: string;
  /** Ports: control plane = base, STAC API = base + 1, data API = base + 2, operator probes = base + 3, viewer = base + 4 (0 = all free ports). */
  readonly portBase: number;
  readonly repoRoot: string;
  readonly log: Logger;
  readonly onProgress?: (jobKey: string, progress: IngestProgress) => void;
  readonly onApplyStep?: (name: string, objects: number) => void;
}

export interface LocalPlatform {
  readonly controlPlane: ControlPlane;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  readonly operator: Operator;
  readonly catalog: CatalogStore;
  readonly catalogApiUrl: string;
  readonly dataApiUrl: string;
  /** The browser viewer (apps/viewer), reading the data API through its own origin. */
  readonly viewerUrl: string;
  readonly applied: ApplySummary;
  readonly paths: { stores: string; inputs: string; catalog: string };
  stop(): Promise<void>;
}

const at = (base: number, offset: number) => (base === 0 ? 0 : base + offset);

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = resolve(options.dataDir);
  const paths = { stores: join(dataDir, "stores"), inputs: join(dataDir, "inputs"), catalog: join(dataDir, "catalog") };
  for (const dir of Object.values(paths)) mkdirSync(dir, { recursive: true });
  // Samples ship with the repository so the first run needs no internet; copied once, so a user
  // can add or remove files under inputs/ between runs.
  const samples = join(paths.inputs, "samples");
  if (!existsSync(samples)) cpSync(join(options.repoRoot, "samples", "data"), samples, { recursive: true });

  const kubeconfigPath = join(dataDir, "kubeconfig");
  const controlPlane = await startControlPlane({ dataDir: join(dataDir, "control-plane"), port: options.portBase, kubeconfigPath });
  const cleanup: (() => Promise<void>)[] = [() => controlPlane.stop()];
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(controlPlane.kubeconfig);
    const applied = await applyEnvironment(kubeConfig, options.repoRoot, "local", options.onApplyStep);

    const catalog = await openCatalog(paths.catalog);
    cleanup.unshift(() => catalog.close());
    const catalogApi: FastifyInstance = await buildCatalogApi({ store: catalog });
    await catalogApi.listen({ port: at(options.portBase, 1), host: "127.0.0.1" });
    cleanup.unshift(() => catalogApi.close());
    const address = catalogApi.server.address();
    const catalogApiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    const operator = createOperator({
      kubeConfig,
      log: options.log,
      identity: "local",
      roots: { storageRoot: paths.stores, inputRoot: paths.inputs },
      catalog,
      catalogApiUrl,
      probePort: at(options.portBase, 3),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const abort = new AbortController();
    const running = operator.start(abort.signal);
    cleanup.unshift(async () => {
      abort.abort();
      await running;
    });
    // The data API serves every Dataset's store as it appears; a changed aggregation drops its caches.
    const dataApi = await buildDataApi({ datasets: [] });
    await dataApi.listen({ port: at(options.portBase, 2), host: "127.0.0.1" });
    cleanup.unshift(() => dataApi.close());
    const dataAddress = dataApi.server.address();
    const dataApiUrl = `http://127.0.0.1:${typeof dataAddress === "object" && dataAddress ? dataAddress.port : 0}`;
    const serve = (namespace: string, name: string, storageUrl: string) => {
      const id = `${namespace}-${name}`;
      if (dataApi.dataApi.registry.has(id)) dataApi.dataApi.invalidate(id);
      else dataApi.dataApi.registry.add({ id, url: storeLocation(storageUrl, { storageRoot: paths.stores, inputRoot: paths.inputs }) });
    };
    operator.bus.subscribe((event) => {
      const [namespace = "default", name = ""] = (event.subject ?? "").split("/");
      const storeUrl = event.data.storeUrl;
      if (name && typeof storeUrl === "string") serve(namespace, name, storeUrl);
    }, [eventTypes.datasetUpdated]);
    const existing = await new ResourceClient(kubeConfig, datasets).list();
    for (const dataset of existing) if ((dataset.status?.timeSteps ?? 0) > 0) serve(dataset.metadata.namespace ?? "default", dataset.metadata.name, dataset.spec.storage.url);

    const viewer = await serveViewer({ port: at(options.portBase, 4), dataApiUrl, catalogApiUrl });
    cleanup.unshift(() => viewer.close());
    const viewerUrl = viewer.url;

    return {
      controlPlane, kubeconfigPath, kubeConfig, operator, catalog, catalogApiUrl, dataApiUrl, viewerUrl, applied, paths,
      stop: async () => {
        for (const step of cleanup) await step();
      },
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}
