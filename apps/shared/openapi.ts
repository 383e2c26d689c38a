// Builds an OpenAPI document from the schemas the routes declare (fastify's onRoute hook), so
// /api cannot drift from what the server validates and answers. Used by the catalog API (3.1)
// and the data API (3.0, which OGC API - EDR's oas30 class asks for). No @fastify/swagger: a few
// lines do the job.
import type { RouteOptions } from "fastify";

interface Operation {
  summary?: string;
  parameters: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  responses: Record<string, unknown>;
}

export interface OpenApiCollector {
  onRoute(route: RouteOptions): void;
  document(title: string, serverUrl: string, description?: string): Record<string, unknown>;
}

export interface OpenApiOptions {
  /** "3.1.0" by default. */
  readonly version?: "3.0.3" | "3.1.0";
}

/** A response schema: a JSON schema, or fastify's per-media-type form `{ content: { type: { schema } } }`. */
function responseOf(status: string, s: Record<string, unknown>): Record<string, unknown> {
  const description = typeof s.description === "string" ? s.description : status.startsWith("2") ? "OK" : "Error";
  if (s.content !== undefined && typeof s.content === "object") return { description, content: s.content };
  return { description, content: { "application/json": { schema: s } } };
}

export function createOpenApiCollector(options: OpenApiOptions = {}): OpenApiCollector {
  const paths: Record<string, Record<string, Operation>> = {};
  return {
    onRoute(route) {
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      if (schema.hide === true) return;
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toLowerCase()).filter((m) => m !== "head");
      // Fastify's wildcard `*` is documented as the path parameter `key`.
      const path = route.url.replace(/:([A-Za-z_]+)/g, "{$1}").replace(/\*$/, "{key}");
      for (const method of methods) {
        const op: Operation = { parameters: [], responses: {} };
        if (typeof schema.summary === "string") op.summary = schema.summary;
        for (const [where, key] of [["query", "querystring"], ["path", "params"]] as const) {
          const s = schema[key] as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
          for (const [name, p] of Object.entries(s?.properties ?? {})) {
            const { description, ...rest } = p;
            op.parameters.push({
              name: name === "*" ? "key" : name,
              in: where,
              required: where === "path" || (s?.required ?? []).includes(name),
              ...(typeof description === "string" ? { description } : {}),
              schema: rest,
            });
          }
        }
        if (schema.body) op.requestBody = { content: { "application/json": { schema: schema.body } } };
        for (const [status, s] of Object.entries((schema.response ?? {}) as Record<string, Record<string, unknown>>)) op.responses[status.toUpperCase()] = responseOf(status, s);
        (paths[path] ??= {})[method] = op;
      }
    },
    document(title, serverUrl, description) {
      return { openapi: options.version ?? "3.1.0", info: { title, version: "1.0.0", ...(description !== undefined ? { description } : {}) }, servers: [{ url: serverUrl }], paths };
    },
  };
}

declare module "fastify" {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
    /** Left out of the OpenAPI document (probes). */
    hide?: boolean;
  }
}
