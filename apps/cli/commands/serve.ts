// `dmac serve <target>`: runs one of the platform's HTTP services on its own, e.g.
//   dmac serve catalog-api --port 8081 --catalog ./.dmac/catalog
// Each target is an entry in SERVE_TARGETS with its own options; data-api and viewer are added
// as further entries. A target's server module is imported only when that target runs.
import { Command, InvalidArgumentError } from "commander";
import { addBusOptions, busFromFlags } from "./bus-options.js";
import { DEFAULT_CACHE_MIB } from "../../data-api/cache-budget.js";

/** A started server, as every target returns it. */
export interface RunningService {
  url: string;
  close(): Promise<void>;
}

export interface ServeFlags {
  port: number;
  host: string;
  [option: string]: unknown;
}

export interface ServeTarget {
  name: string;
  description: string;
  /** Declares the target's own options on its subcommand. */
  configure(cmd: Command): Command;
  start(flags: ServeFlags): Promise<RunningService>;
}


export const SERVE_TARGETS: ServeTarget[] = [
  {
    name: "catalog-api",
    description: "the STAC API over the catalog store",
    configure: (cmd) =>
      cmd
        .option("--catalog <location>", "PGlite data directory, memory://, or postgres://host:port/db (login: $DMAC_CATALOG_DB_SECRET_ARN, else $PGUSER/$PGPASSWORD)", process.env.DMAC_CATALOG ?? ".dmac/catalog")
        .option("--base-url <url>", "public base URL for links (behind a proxy); default: from each request")
        .option("--max-limit <n>", "largest page size a client may ask for", positiveInt("--max-limit"), 1000),
    async start(flags) {
      const [{ startCatalogApi }, { catalogCredentialsFromEnv }] = await Promise.all([import("../../catalog-api/server.js"), import("../../../catalog/index.js")]);
      const credentials = await catalogCredentialsFromEnv();
      return startCatalogApi({
        catalog: String(flags.catalog),
        ...(credentials ? { credentials } : {}),
        port: flags.port,
        host: flags.host,
        maxLimit: Number(flags.maxLimit),
        ...(typeof flags.baseUrl === "string" ? { baseUrl: flags.baseUrl } : {}),
        logger: { level: process.env.DMAC_LOG_LEVEL ?? "warn" },
      });
    },
  },
  {
    name: "data-api",
    description: "the OGC EDR data API over Zarr stores (the cluster's Ready Datasets, or --store)",
    configure: (cmd) =>
      addBusOptions(cmd)
        .option("--store <id=url>", "standalone: a dataset id=file:///path.zarr, s3:// or https:// (repeat for more); without it, Datasets are discovered", (v: string, all: string[]) => [...all, v], [] as string[])
        .option("--kubeconfig <file>", "discovery: kubeconfig to use (default: in-cluster config, then $KUBECONFIG, then ~/.kube/config)")
        .option("--namespace <ns>", "discovery: watch Datasets in this namespace only (default: all namespaces)")
        .option("--storage-root <dir>", "discovery: directory file:// store URLs resolve under, as the operator's", process.env.DMAC_STORAGE_ROOT ?? "/data/stores")
        .option("--base-url <url>", "public base URL for links (behind a proxy); default: from each request")
        .option("--max-values <n>", "values one answer may hold (more is a 413)", positiveInt("--max-values"), 2_000_000)
        .option("--cache-mb <n>", "memory every cache together may hold, MiB: decoded chunks, opened datasets with their coordinates and k-d trees, station documents (default $DMAC_DATA_API_CACHE_MB, else 512)", positiveInt("--cache-mb")),
    async start(flags) {
      const { serveDataApi, parseStoreArgs } = await import("../../data-api/server.js");
      const { kubeConfigFrom } = await import("./operator.js");
      const stores = flags.store as string[];
      const discover = stores.length === 0;
      if (!discover && (flags.kubeconfig !== undefined || flags.namespace !== undefined)) {
        throw new InvalidArgumentError("--store serves a fixed list; --kubeconfig and --namespace discover Datasets: give one or the other");
      }
      // Cache invalidation across replicas rides on the bus (dataset.updated); in process there is nothing to hear.
      const configured = await busFromFlags({ bus: String(flags.bus), ...(typeof flags.amqpUrl === "string" ? { amqpUrl: flags.amqpUrl } : {}), ...(typeof flags.outboxDir === "string" ? { outboxDir: flags.outboxDir } : {}) }, () => undefined)
        .catch((error: Error) => { throw new InvalidArgumentError(error.message); });
      const running = await serveDataApi({
        ...(flags.bus === "rabbitmq" ? { bus: configured.bus } : {}),
        datasets: discover ? [] : parseStoreArgs(stores),
        ...(discover
          ? {
              discovery: {
                kubeConfig: await kubeConfigFrom(typeof flags.kubeconfig === "string" ? flags.kubeconfig : undefined),
                storageRoot: String(flags.storageRoot),
                ...(typeof flags.namespace === "string" ? { namespace: flags.namespace } : {}),
              },
            }
          : {}),
        port: flags.port,
        host: flags.host,
        maxValues: Number(flags.maxValues),
        cacheBytes: (typeof flags.cacheMb === "number" ? flags.cacheMb : cacheMibDefault()) * 1024 * 1024,
        ...(typeof flags.baseUrl === "string" ? { baseUrl: flags.baseUrl } : {}),
        logger: { level: process.env.DMAC_LOG_LEVEL ?? "warn" },
      });
      return { url: running.url, close: async () => { await running.close(); await configured.close(); } };
    },
  },
  {
    name: "viewer",
    description: "the browser viewer (datasets drawn on their native grids; proxies the data API)",
    configure: (cmd) =>
      cmd
        .option("--data-api <url>", "the data API the page reads (proxied, so the browser needs no CORS)", "http://127.0.0.1:6445")
        .option("--catalog-api <url>", "a STAC API: the page shows each dataset's catalog entry"),
    async start(flags) {
      const { serveViewer } = await import("../../viewer/server.js");
      return serveViewer({
        dataApiUrl: String(flags.dataApi),
        port: flags.port,
        host: flags.host,
        ...(typeof flags.catalogApi === "string" ? { catalogApiUrl: flags.catalogApi } : {}),
        logger: { level: process.env.DMAC_LOG_LEVEL ?? "warn" },
      });
    },
  },
];

/** The data API's cache budget without --cache-mb: $DMAC_DATA_API_CACHE_MB (what the chart sets), else the default. */
function cacheMibDefault(): number {
  const env = process.env.DMAC_DATA_API_CACHE_MB;
  if (env === undefined || env.trim() === "") return DEFAULT_CACHE_MIB;
  return positiveInt("DMAC_DATA_API_CACHE_MB")(env.trim());
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("--port must be an integer from 0 to 65535 (0: any free port)");
  return n;
}

export function registerServe(program: Command): void {
  const serve = program.command("serve").description("run one platform service on its own (catalog-api, ...)");
  for (const target of SERVE_TARGETS) {
    const cmd = serve
      .command(target.name)
      .description(`serve ${target.description}`)
      .requiredOption("--port <n>", "TCP port (0: any free port)", port)
      .option("--host <address>", "address to listen on", "127.0.0.1");
    target.configure(cmd).action(async (flags: ServeFlags) => {
      // A flag combination refused at start is a usage error, said in one line like commander's own.
      const running = await target.start(flags).catch((error: unknown) => {
        if (error instanceof InvalidArgumentError) cmd.error(`error: ${error.message}`);
        throw error;
      });
      process.stdout.write(`${target.name} listening on ${running.url}\n`);
      await untilSignal();
      await running.close();
    });
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
