// The stack the operator integration suites run against: an in-memory embedded control plane
// with our CRDs (and any the suite adds, such as DaskJob), one domain namespace, an in-memory
// catalog and the operator itself, with input and store roots in a fresh temp directory.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { openCatalog, type CatalogStore } from "../../catalog/index.js";
import { customResourceDefinitions } from "../../crds/index.js";
import { createOperator, type OperatorOptions } from "../../operators/operator.js";
import { createLogger, toClientModel } from "../../operators/runtime/index.js";
import { until } from "./until.js";

/** A logger that writes nothing: the suites assert on status, Events and stores, not logs. */
export const silentLogger = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));

export interface OperatorStack {
  readonly dir: string;
  /** The operator's input root (file:// source URLs resolve under it). */
  readonly inputs: string;
  readonly stores: string;
  /** A kubeconfig file for kubectl. */
  readonly kubeconfigPath: string;
  readonly plane: ControlPlane;
  readonly kc: KubeConfig;
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly catalog: CatalogStore;
  /** Stops the operator, the catalog and the control plane, and removes the temp directory. */
  stop(): Promise<void>;
}

export interface OperatorStackOptions {
  readonly tempPrefix: string;
  readonly namespace: string;
  /** CRDs beside ours, e.g. DaskJob's. */
  readonly extraCrds?: readonly object[];
  /** A kind whose listing proves the CRDs are served before the operator starts. */
  readonly servedKind: { apiVersion: string; kind: string };
  readonly operator: Pick<OperatorOptions, "identity"> & Partial<Pick<OperatorOptions, "resyncMs" | "daskPollMs">>;
}

export async function startOperatorStack(options: OperatorStackOptions): Promise<OperatorStack> {
  const dir = mkdtempSync(join(tmpdir(), options.tempPrefix));
  const inputs = join(dir, "inputs");
  const stores = join(dir, "stores");
  mkdirSync(inputs, { recursive: true });
  mkdirSync(stores, { recursive: true });
  const kubeconfigPath = join(dir, "kubeconfig");
  const plane = await startControlPlane({ inMemory: true, kubeconfigPath });
  const kc = new KubeConfig();
  kc.loadFromString(plane.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const crd of [...customResourceDefinitions, ...(options.extraCrds ?? [])]) await objects.create(toClientModel(crd));
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: options.namespace } } });
  const { apiVersion, kind } = options.servedKind;
  await until("CRDs served", () => objects.list(apiVersion, kind, options.namespace).then(() => true, () => false));
  const catalog = await openCatalog("memory://");
  const abort = new AbortController();
  const running = createOperator({ kubeConfig: kc, log: silentLogger, roots: { storageRoot: stores, inputRoot: inputs }, catalog, ...options.operator }).start(abort.signal);
  return {
    dir, inputs, stores, kubeconfigPath, plane, kc, objects, core, catalog,
    async stop() {
      abort.abort();
      await running;
      await catalog.close();
      await plane.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
