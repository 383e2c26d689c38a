// What the routes share: the dataset registry, limits, and the documents' base URL.
import type { FastifyRequest } from "fastify";
import { listeningBaseUrl } from "../shared/http-server.js";
import type { Limits } from "./query/extract.js";
import type { DatasetRegistry } from "./registry.js";

export interface DataApiContext {
  registry: DatasetRegistry;
  limits: Limits;
  title: string;
  description: string;
  baseUrl?: string;
}

/** Absolute base URL for links: the configured one, else the address the server listens on (never the request's Host). */
export function baseUrl(ctx: DataApiContext, request: FastifyRequest): string {
  return ctx.baseUrl !== undefined ? ctx.baseUrl.replace(/\/+$/, "") : listeningBaseUrl(request.server);
}
