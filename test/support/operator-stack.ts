// The stack the operator integration suites run against: an in-memory embedded control plane
// with our CRDs (and any the suite adds, such as DaskJob), one domain namespace, an in-memory
// catalog and the operator itself, with input and store roots in a fresh temp directory.
// The operator runs as its ServiceAccount with the RBAC rendered in clusters/local (and the
// RoleBinding every domain folder holds), so a permission missing there fails these suites.
import { CoreV1Api, KubeConfig, KubernetesObjectApi, loadAllYaml, type KubernetesObject } from "@kubernetes/client-node";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { openCatalog, type CatalogStore } from "../../catalog/index.js";
import { customResourceDefinitions } from "../../crds/index.js";
import { createOperator, type OperatorOptions } from "../../operators/operator.js";
import { createLogger, toClientModel } from "../../operators/runtime/index.js";
import { ServiceAccountTokenFiles } from "../../apps/local-platform/service-account-tokens.js";
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
  /** The admin's: what the test itself uses to set up and inspect. */
  readonly kc: KubeConfig;
  /** The operator's own credential (ServiceAccount dmac-system/dmac-operator). */
  readonly operatorKc: KubeConfig;
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
  readonly operator: Pick<OperatorOptions, "identity"> & Partial<Pick<OperatorOptions, "resyncMs" | "daskPollMs" | "bus">>;
  /** Changes the rendered RBAC objects before they are applied (a test removing a permission). */
  readonly editRbac?: (objects: KubernetesObject[]) => KubernetesObject[];
}

const REPO = join(import.meta.dirname, "..", "..");
const RBAC_KINDS = new Set(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);

/** The operator's ServiceAccount and RBAC as rendered in clusters/local, plus a domain RoleBinding for `namespace`. */
export function renderedOperatorRbac(namespace: string): KubernetesObject[] {
  const read = (path: string) => (loadAllYaml(readFileSync(join(REPO, path), "utf8")) as KubernetesObject[]).filter((o) => o && RBAC_KINDS.has(o.kind ?? ""));
  const component = read("clusters/local/components/operator/manifests.yaml");
  const domainBinding = read("clusters/local/domains/gcoos/namespace.yaml").find((o) => o.kind === "RoleBinding");
  if (!domainBinding) throw new Error("clusters/local/domains/gcoos/namespace.yaml renders no RoleBinding for the operator");
  return [...component, { ...domainBinding, metadata: { ...domainBinding.metadata, namespace } }];
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
  const rbac = (options.editRbac ?? ((o) => o))(renderedOperatorRbac(options.namespace));
  const systemNamespace = rbac.find((o) => o.kind === "ServiceAccount")?.metadata?.namespace ?? "dmac-system";
  await core.createNamespace({ body: { metadata: { name: systemNamespace } } });
  for (const object of rbac) await objects.create(object);
  const tokenFiles = new ServiceAccountTokenFiles({ admin: kc, server: plane.url, ...(plane.caPem ? { caPem: plane.caPem } : {}), baseDir: join(dir, "serviceaccounts") });
  const operatorKc = (await tokenFiles.ensure(systemNamespace, "dmac-operator")).kubeConfig();
  const catalog = await openCatalog("memory://");
  const abort = new AbortController();
  // DMAC_TEST_LOG=debug shows the operator's log when a suite needs explaining.
  const log = process.env.DMAC_TEST_LOG ? createLogger("operator", process.env.DMAC_TEST_LOG) : silentLogger;
  const running = createOperator({ kubeConfig: operatorKc, log, roots: { storageRoot: stores, inputRoot: inputs }, catalog, ...options.operator }).start(abort.signal);
  return {
    dir, inputs, stores, kubeconfigPath, plane, kc, operatorKc, objects, core, catalog,
    async stop() {
      abort.abort();
      await running;
      tokenFiles.stop();
      await catalog.close();
      await plane.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
