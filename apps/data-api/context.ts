// What the routes share: the dataset registry, limits, and the documents' base URL.
import type { FastifyRequest } from "fastify";
import type { Limits } from "./query/extract.js";
import type { DatasetRegistry } from "./registry.js";

export interface DataApiContext {
  registry: DatasetRegistry;
  limits: Limits;
  title: string;
  description: string;
  baseUrl?: string;
}

/** Absolute base URL for links: the configured one, else the request's own host. */
export function baseUrl(ctx: DataApiContext, request: FastifyRequest): string {
  if (ctx.baseUrl !== undefined) return ctx.baseUrl.replace(/\/+$/, "");
  const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(request.host) ? request.host : "localhost";
  return `${request.protocol}://${host}`;
}
