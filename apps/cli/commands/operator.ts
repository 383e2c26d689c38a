// `dmac operator`: runs the operators (IngestJob, Dataset, CatalogEntry) against a cluster: in a
// pod (in-cluster config), or anywhere with a kubeconfig (the embedded control plane included).
import type { KubeConfig } from "@kubernetes/client-node";
import type { Command } from "commander";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { addBusOptions, busFromFlags, type BusFlags } from "./bus-options.js";

interface Options extends BusFlags {
  kubeconfig?: string;
  probePort: string;
  probeHost: string;
  leaderElect?: boolean;
  namespace: string;
  storageRoot: string;
  inputRoot: string;
  catalog: string;
  workers: string;
  catalogApiUrl?: string;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
}

export async function kubeConfigFrom(path: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

function port(value: string, flag: string, program: Command): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) program.error(`error: ${flag} must be 0-65535, got "${value}"`);
  return Number(value);
}

function leaseTimings(options: Options, program: Command) {
  const seconds = (value: string, flag: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 3600) program.error(`error: ${flag} must be a number of seconds in (0, 3600], got "${value}"`);
    return n * 1000;
  };
  const timings = { leaseDurationMs: seconds(options.leaseDuration, "--lease-duration"), renewDeadlineMs: seconds(options.renewDeadline, "--renew-deadline"), retryPeriodMs: seconds(options.retryPeriod, "--retry-period") };
  if (timings.renewDeadlineMs >= timings.leaseDurationMs) program.error("error: --renew-deadline must be shorter than --lease-duration");
  return timings;
}

export function registerOperator(program: Command): void {
  const cmd = program
    .command("operator")
    .description("Run the IngestJob, Dataset and CatalogEntry operators against a cluster")
    .option("--kubeconfig <file>", "kubeconfig to use (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
    .option("--probe-port <n>", "port for /metrics, /healthz and /readyz", "8081")
    .option("--probe-host <address>", "interface for the probe port (0.0.0.0 in a pod, so the kubelet reaches it)", "127.0.0.1")
    .option("--leader-elect", "elect a leader on a Lease so that only one replica reconciles")
    .option("--namespace <ns>", "namespace of the leader-election Lease", process.env.DMAC_NAMESPACE ?? "dmac-system")
    .option("--storage-root <dir>", "directory file:// Dataset stores resolve under", process.env.DMAC_STORAGE_ROOT ?? "/data/stores")
    .option("--input-root <dir>", "directory file:// IngestJob sources resolve under", process.env.DMAC_INPUT_ROOT ?? "/data/inputs")
    .option("--catalog <location>", "catalog store: a postgres://host:port/db URL (login: $DMAC_CATALOG_DB_SECRET_ARN, else $PGUSER/$PGPASSWORD) or a PGlite directory", process.env.DMAC_CATALOG_URL ?? "/data/catalog")
    .option("--catalog-api-url <url>", "public URL of the STAC API (for status.collectionUrl)", process.env.DMAC_CATALOG_API_URL)
    .option("--workers <n>", "concurrent reconciles per controller", "4")
    .option("--lease-duration <seconds>", "leader election: how long a lease is valid without renewal", "15")
    .option("--renew-deadline <seconds>", "leader election: a leader that cannot renew for this long steps down", "10")
    .option("--retry-period <seconds>", "leader election: how often to try to acquire or renew", "2");
  addBusOptions(cmd)
    .action(async (options: Options) => {
      // Loaded here, not at the top: every `dmac` command would otherwise pay for the operator's imports.
      const [{ catalogCredentialsFromEnv, openCatalog }, { createOperator }, { createLogger, shutdownSignal }] = await Promise.all([
        import("../../../catalog/index.js"),
        import("../../../operators/operator.js"),
        import("../../../operators/runtime/index.js"),
      ]);
      const log = createLogger("dmac-operator");
      const workers = Number(options.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) program.error(`error: --workers must be 1-64, got "${options.workers}"`);
      const identity = `${process.env.POD_NAME ?? hostname()}-${randomBytes(3).toString("hex")}`;
      const credentials = await catalogCredentialsFromEnv();
      const catalog = await openCatalog(options.catalog, credentials ? { credentials } : {});
      const configured = await busFromFlags({ ...options, ...(options.outboxDir ? { outboxDir: resolve(options.outboxDir) } : {}) }, (level, message, fields = {}) => log[level](fields, message)).catch((error: Error) => program.error(`error: ${error.message}`));
      const operator = createOperator({
        bus: configured.bus,
        kubeConfig: await kubeConfigFrom(options.kubeconfig),
        log,
        identity,
        roots: { storageRoot: resolve(options.storageRoot), inputRoot: resolve(options.inputRoot) },
        catalog,
        workers,
        probePort: port(options.probePort, "--probe-port", program),
        probeHost: options.probeHost,
        ...(options.leaderElect ? { leaderElection: { namespace: options.namespace, ...leaseTimings(options, program) } } : {}),
        ...(options.catalogApiUrl ? { catalogApiUrl: options.catalogApiUrl } : {}),
      });
      log.info({ identity, leaderElection: Boolean(options.leaderElect) }, "operator starting");
      await operator.start(shutdownSignal());
      await configured.close();
      await catalog.close();
    });
}
