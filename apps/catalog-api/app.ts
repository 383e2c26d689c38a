// The STAC API as a fastify instance. Only server.ts listens; tests call inject().
import Fastify from "fastify";
import { installErrorHandling } from "./errors.js";
import { createOpenApiCollector } from "./openapi.js";
import { collectionRoutes } from "./routes/collections.js";
import { landingRoutes } from "./routes/landing.js";
import { searchRoutes } from "./routes/search.js";
import type { FastifyInstance } from "fastify";
import { installRequestHardening, serverOptions, type ApiLogging } from "../shared/http-server.js";
import type { CatalogStore } from "../../catalog/index.js";
import type { CatalogApiContext } from "./context.js";

export interface CatalogApiOptions extends ApiLogging {
  store: CatalogStore;
  /** Items per page when the client gives no limit (default 10). */
  defaultLimit?: number;
  /** Larger limits are clamped to this (default 1000). */
  maxLimit?: number;
  title?: string;
  description?: string;
  /** The public base URL every link starts with; without it, the address the server listens on (never the request's Host). */
  baseUrl?: string;
}

export async function buildCatalogApi(options: CatalogApiOptions): Promise<FastifyInstance> {
  const ctx: CatalogApiContext = {
    store: options.store,
    limits: { defaultLimit: options.defaultLimit ?? 10, maxLimit: options.maxLimit ?? 1000 },
    title: options.title ?? "IOOS Next-Gen DMAC catalog",
    description: options.description ?? "STAC catalog of NOAA ocean model output as analysis-ready Zarr",
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  };
  const app = Fastify({
    ...serverOptions(options),
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 400, ignoreTrailingSlash: true },
    // `filter` in a POST body is a CQL2-JSON object or, with filter-lang cql2-text, a string.
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  installRequestHardening(app);
  installErrorHandling(app);
  const openapi = createOpenApiCollector();
  app.addHook("onRoute", (route) => openapi.onRoute(route));
  await app.register(landingRoutes, { ctx, openapi });
  await app.register(collectionRoutes, { ctx });
  await app.register(searchRoutes, { ctx });
  return app;
}
