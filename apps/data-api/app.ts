// The data API (OGC API - EDR 1.1 "RESTful grids") as a fastify instance. Only server.ts
// listens; tests call inject(). The registry is exposed so the Dataset operator (or a test)
// can call invalidate(id) when an aggregation changes.
import Fastify, { type FastifyInstance } from "fastify";
import { installRequestHardening, serverOptions, type ApiLogging } from "../shared/http-server.js";
import type { ReadableStore } from "../../dataplane/index.js";
import type { DataApiContext } from "./context.js";
import { installErrorHandling } from "./errors.js";
import { sendError } from "../shared/http-errors.js";
import { DatasetRegistry, type DatasetSource } from "./registry.js";
import { collectionRoutes } from "./routes/collections.js";
import { datasetRoutes } from "./routes/datasets.js";
import { landingRoutes } from "./routes/landing.js";
import { queryRoutes } from "./routes/queries.js";
import { locationRoutes } from "./routes/locations.js";
import { createOpenApiCollector } from "../shared/openapi.js";
import { probeResponse } from "./schemas.js";

export interface DataApiOptions extends ApiLogging {
  datasets: DatasetSource[];
  /** Values one answer may hold (default 2,000,000): more is a 413. */
  maxValues?: number;
  /** Grid cells an area or cube may select (default 1,000,000): more is a 413. */
  maxCells?: number;
  /** Bytes every cache together may hold (default 512 MiB; `--cache-mb`): see registry.ts. */
  cacheBytes?: number;
  revalidateMs?: number;
  openStore?: (url: string) => Promise<ReadableStore>;
  title?: string;
  description?: string;
  /** The public base URL every link starts with; without it, the address the server listens on (never the request's Host). */
  baseUrl?: string;
  /** /readyz answers 200 only while this is true (default: always), e.g. once Dataset discovery has synced. */
  ready?: () => boolean;
}

export interface DataApiHandle {
  registry: DatasetRegistry;
  /** Forget a dataset's opened store and decoded chunks (its aggregation changed). */
  invalidate(datasetId: string): void;
}

declare module "fastify" {
  interface FastifyInstance {
    dataApi: DataApiHandle;
  }
}

export async function buildDataApi(options: DataApiOptions): Promise<FastifyInstance> {
  // The registry warns through the app's logger, which exists once the app does.
  let log: FastifyInstance["log"] | undefined;
  const registry = new DatasetRegistry({
    datasets: options.datasets,
    warn: (message) => log?.warn(message),
    ...(options.cacheBytes !== undefined ? { cacheBytes: options.cacheBytes } : {}),
    ...(options.revalidateMs !== undefined ? { revalidateMs: options.revalidateMs } : {}),
    ...(options.openStore !== undefined ? { openStore: options.openStore } : {}),
  });
  const ctx: DataApiContext = {
    registry,
    limits: { maxValues: options.maxValues ?? 2_000_000, maxCells: options.maxCells ?? 1_000_000 },
    title: options.title ?? "IOOS Next-Gen DMAC data API",
    description: options.description ?? "OGC API - EDR 1.1 over analysis-ready Zarr of NOAA ocean model output",
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
  };
  const app = Fastify({
    ...serverOptions(options),
    routerOptions: { maxParamLength: 600, ignoreTrailingSlash: true },
  });
  log = app.log;
  app.decorate("dataApi", { registry, invalidate: (id: string) => registry.invalidate(id) } satisfies DataApiHandle);
  installRequestHardening(app);
  installErrorHandling(app);
  // /api is built from the schemas every route declares.
  const openapi = createOpenApiCollector({ version: "3.0.3" });
  app.addHook("onRoute", (route) => openapi.onRoute(route));
  await app.register(landingRoutes, { ctx, openapi });
  await app.register(collectionRoutes, { ctx });
  await app.register(queryRoutes, { ctx });
  await app.register(locationRoutes, { ctx });
  await app.register(datasetRoutes, { ctx });
  // Kubernetes probes: alive while the process answers; ready once it knows its collections.
  app.get("/healthz", { schema: { summary: "liveness probe", response: probeResponse } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { summary: "readiness probe: 503 until the Datasets are known", response: probeResponse } }, async (request, reply) => {
    if (options.ready?.() ?? true) return { status: "ready" };
    return sendError(request, reply, 503, { code: "NotReady", description: "the list of Datasets has not been received yet" });
  });
  return app;
}
