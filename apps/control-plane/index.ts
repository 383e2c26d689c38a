// Public entry of the embedded control plane: a Kubernetes-compatible API server for the local
// platform and the test suites (the way SQLite stands in for PostgreSQL; production uses EKS).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Api } from "./api.js";
import { ADMIN_USER, Authenticator, loadAdminToken } from "./authn.js";
import { ensureBootstrapPolicy } from "./bootstrap-policy.js";
import { builtinTypes } from "./builtin-types.js";
import { Controllers } from "./controllers.js";
import { fileLog, memoryLog, recover, type DurableLog, type RecoveredState } from "./durable-log.js";
import { createRequestHandler } from "./http.js";
import { kubeconfigFor, writeKubeconfig } from "./kubeconfig.js";
import { createMetrics } from "./metrics.js";
import { OpenApi } from "./openapi.js";
import { Guard } from "./guard.js";
import { rbacAdmission } from "./rbac-admission.js";
import { storeRbacState } from "./rbac-state.js";
import { Registry } from "./registry.js";
import { Reviews } from "./reviews.js";
import { ServiceAccountTokens } from "./service-account-tokens.js";
import { Store } from "./store.js";
import type { WatchSettings } from "./watch.js";

export { CONTEXT as KUBECONFIG_CONTEXT } from "./kubeconfig.js";

export interface ControlPlaneOptions {
  /** Directory for the durable log and snapshot. Omit (or set inMemory) for a throwaway server. */
  dataDir?: string;
  inMemory?: boolean;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where to write the kubeconfig; it is always returned as text too. */
  kubeconfigPath?: string;
  /** Watch tuning (tests shorten the bookmark interval; "http" makes expired watches fail with HTTP 410). */
  watch?: Partial<WatchSettings>;
  /** Compact the log into a snapshot after this many records (default 20,000). */
  compactAfterRecords?: number;
  /** Change events kept for watches before older resourceVersions answer 410 (default 20,000). */
  historySize?: number;
  /**
   * HTTPS with a self-signed CA (kept in <dataDir>/pki, or made per start in memory), written into
   * the kubeconfig (default). `names` are extra IPs or DNS names for the serving certificate beside
   * loopback and kubernetes.default.svc. `false` serves plain HTTP: kubectl (client-go) never sends
   * a bearer token over plain HTTP, so only clients that do (client-node, curl) can authenticate then.
   */
  tls?: boolean | { names?: readonly string[] };
  /** Unexpected internal errors (a 500 was sent); default: printed as a process warning. */
  onError?: (err: Error) => void;
}

export interface ControlPlane {
  url: string;
  /** The identity the admin kubeconfig authenticates as (group system:masters). */
  adminUser: typeof ADMIN_USER;
  /** PEM of the CA that signed the serving certificate (with `tls`). */
  caPem?: string;
  kubeconfigPath?: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

const DEFAULT_WATCH: WatchSettings = { bookmarkIntervalMs: 10_000, defaultTimeoutSeconds: 1800, expiredAs: "event", maxBufferedBytes: 64 * 1024 * 1024 };

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (options.dataDir && options.inMemory) throw new Error("startControlPlane: dataDir and inMemory are mutually exclusive");
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`startControlPlane: port must be an integer 0-65535, got ${String(options.port)}`);
  const host = options.host ?? "127.0.0.1";

  let log: DurableLog;
  let recovered: RecoveredState | undefined;
  let releaseLock = (): void => {};
  if (options.dataDir && !options.inMemory) {
    releaseLock = lockDataDir(options.dataDir);
    try {
      recovered = recover(options.dataDir);
      log = fileLog(options.dataDir, options.compactAfterRecords === undefined ? {} : { compactAfterRecords: options.compactAfterRecords });
    } catch (err) {
      releaseLock();
      throw err;
    }
  } else log = memoryLog();

  const registry = new Registry(builtinTypes());
  const store = new Store(log, recovered, options.historySize === undefined ? {} : { historySize: options.historySize });
  const api = new Api(store, registry);
  api.registerStoredCrds();
  await ensureSystemNamespaces(api);
  await ensureBootstrapPolicy(api);
  const persistent = options.dataDir && !options.inMemory ? join(options.dataDir, "pki") : undefined;
  const adminToken = loadAdminToken(persistent);
  const tokens = ServiceAccountTokens.load(persistent);
  const authenticator = new Authenticator(adminToken, tokens, store);
  const guard = new Guard(authenticator, storeRbacState(store));
  api.admissionChecks.push(rbacAdmission(guard));
  const controllers = new Controllers(api);
  controllers.start();

  const onError = options.onError ?? ((err: Error) => process.emitWarning(`control-plane: ${err.stack ?? err.message}`));
  let address = "";
  const tls = options.tls ?? true;
  const certificates = tls ? await servingCertificates(options, [host, ...(typeof tls === "object" ? (tls.names ?? []) : [])]) : undefined;
  const handler = createRequestHandler({
      api,
      guard,
      reviews: new Reviews(guard, authenticator, tokens, store),
      metrics: createMetrics(store, log),
      openapi: new OpenApi(registry),
      watch: { ...DEFAULT_WATCH, ...options.watch },
      serverAddress: () => address,
      ready: () => log.healthy(),
      onError,
    });
  const server: Server = certificates ? createHttpsServer({ cert: certificates.certPem, key: certificates.keyPem }, handler) : createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  }).catch((err: unknown) => {
    releaseLock();
    throw err;
  });
  const bound = server.address() as AddressInfo;
  address = `${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
  const url = `${certificates ? "https" : "http"}://${address}`;
  const kubeconfig = kubeconfigFor(url, { token: adminToken }, "default", certificates?.caPem);
  if (options.kubeconfigPath) writeKubeconfig(options.kubeconfigPath, kubeconfig);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      controllers.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await log.close();
      releaseLock();
    })();
    return stopping;
  };
  const result: ControlPlane = { url, adminUser: ADMIN_USER, kubeconfig, stop };
  if (certificates) result.caPem = certificates.caPem;
  if (options.kubeconfigPath) result.kubeconfigPath = options.kubeconfigPath;
  return result;
}

/** Loaded only with TLS: the X.509 library and its ASN.1 stack cost about 30 MiB of heap. */
async function servingCertificates(options: ControlPlaneOptions, extraNames: readonly string[]) {
  const { createServingCertificates, defaultServingNames, loadOrCreateServingCertificates } = await import("./tls.js");
  const names = [...defaultServingNames, ...extraNames];
  return options.dataDir && !options.inMemory ? loadOrCreateServingCertificates(join(options.dataDir, "pki"), names) : createServingCertificates(names);
}

async function ensureSystemNamespaces(api: Api): Promise<void> {
  const type = api.registry.byBucket("/namespaces")!;
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    if (api.store.get("/namespaces", undefined, name)) continue;
    await api.create({ type, version: type.versions[0]! }, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, { fieldManager: "dmac-control-plane" });
  }
}

const locksHeldHere = new Set<string>();

/** One server per data directory: a second one would interleave writes into the same log. */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, "lock");
  if (locksHeldHere.has(path)) throw new Error(`${dataDir}: already used by control plane process ${process.pid} (lock file ${path})`);
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      locksHeldHere.add(path);
      return () => {
        locksHeldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(path, "utf8"));
      if (pid && isAlive(pid) && pid !== process.pid) throw new Error(`${dataDir}: already used by control plane process ${pid} (lock file ${path})`);
      // Stale lock from a crashed run (kill -9): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`${dataDir}: could not acquire lock file ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
