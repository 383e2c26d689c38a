// What every route plugin of the catalog API is given: the store and the paging limits.
import type { FastifyRequest } from "fastify";
import type { CatalogStore } from "../../catalog/index.js";
import type { SearchLimits } from "../../catalog/search/parse.js";

export interface CatalogApiContext {
  store: CatalogStore;
  limits: SearchLimits;
  title: string;
  description: string;
  /** Fixed public base URL (behind a proxy); otherwise taken from each request. */
  baseUrl?: string;
}

export function baseUrlOf(ctx: CatalogApiContext, request: FastifyRequest): string {
  if (ctx.baseUrl) return ctx.baseUrl.replace(/\/+$/, "");
  // The Host header is client input: keep only host[:port] characters so links stay well-formed.
  const host = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(request.host) ? request.host : "localhost";
  return `${request.protocol}://${host}`;
}

export const GEOJSON = "application/geo+json";
export const JSON_TYPE = "application/json";
