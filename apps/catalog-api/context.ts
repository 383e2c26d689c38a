// What every route plugin of the catalog API is given: the store and the paging limits.
import type { FastifyRequest } from "fastify";
import { listeningBaseUrl } from "../shared/http-server.js";
import type { CatalogStore } from "../../catalog/index.js";
import type { SearchLimits } from "../../catalog/search/parse.js";

export interface CatalogApiContext {
  store: CatalogStore;
  limits: SearchLimits;
  title: string;
  description: string;
  /** Fixed public base URL (behind a proxy); otherwise the address the server listens on. */
  baseUrl?: string;
}

export function baseUrlOf(ctx: CatalogApiContext, request: FastifyRequest): string {
  // Never the request's Host header: it is client input (and a DNS-rebinding page's name).
  return ctx.baseUrl ? ctx.baseUrl.replace(/\/+$/, "") : listeningBaseUrl(request.server);
}

export const GEOJSON = "application/geo+json";
export const JSON_TYPE = "application/json";
