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
import { serveDataApi } from "../data-api/server.js";
import { serveViewer } from "../viewer/server.js";
import { ServiceAccountTokenFiles } from "./service-account-tokens.js";

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

/** The ServiceAccounts clusters/local renders for the components this process runs. */
export const LOCAL_ACCOUNTS = {
  operator: { namespace: "dmac-system", name: "dmac-operator" },
  dataApi: { namespace: "dmac-system", name: "data-api" },
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
  const controlPlane = await startControlPlane({ dataDir: join(dataDir, "control-plane"), port: options.portBase, kubeconfigPath });
  const cleanup: (() => Promise<void>)[] = [() => controlPlane.stop()];
  try {
    // The admin credential applies clusters/local (ArgoCD's role in a cluster) and mints the
    // components' ServiceAccount tokens (the kubelet's); each component runs as its own
    // ServiceAccount with the RBAC rendered in clusters/local, never as the admin.
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(controlPlane.kubeconfig);
    const applied = await applyEnvironment(kubeConfig, options.repoRoot, "local", options.onApplyStep);
    const tokenFiles = new ServiceAccountTokenFiles({
      admin: kubeConfig,
      server: controlPlane.url,
      ...(controlPlane.caPem ? { caPem: controlPlane.caPem } : {}),
      baseDir: join(dataDir, "serviceaccounts"),
      onError: (err, namespace, name) => options.log.error({ err, serviceAccount: `${namespace}/${name}` }, "could not renew a ServiceAccount token"),
    });
    cleanup.unshift(async () => tokenFiles.stop());
    const operatorAccount = await tokenFiles.ensure(LOCAL_ACCOUNTS.operator.namespace, LOCAL_ACCOUNTS.operator.name);
    const dataApiAccount = await tokenFiles.ensure(LOCAL_ACCOUNTS.dataApi.namespace, LOCAL_ACCOUNTS.dataApi.name);

    const catalog = await openCatalog(paths.catalog);
    cleanup.unshift(() => catalog.close());
    const catalogApi: FastifyInstance = await buildCatalogApi({ store: catalog });
    await catalogApi.listen({ port: at(options.portBase, 1), host: "127.0.0.1" });
    cleanup.unshift(() => catalogApi.close());
    const address = catalogApi.server.address();
    const catalogApiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

    const operator = createOperator({
      kubeConfig: operatorAccount.kubeConfig(),
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
    // The data API serves every Ready Dataset's store, found by watching Datasets as its own
    // ServiceAccount (as its Deployment does in a cluster).
    const dataApi = await serveDataApi({
      datasets: [],
      port: at(options.portBase, 2),
      host: "127.0.0.1",
      discovery: { kubeConfig: dataApiAccount.kubeConfig(), storageRoot: paths.stores },
    });
    cleanup.unshift(() => dataApi.close());
    const dataApiUrl = dataApi.url;

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
