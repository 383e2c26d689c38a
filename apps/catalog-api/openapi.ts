// Builds the OpenAPI 3.1 document from the schemas the routes declare, so /api cannot drift
// from what the server validates. (No @fastify/swagger here: a few lines do the job.)
import type { RouteOptions } from "fastify";

interface Operation {
  summary?: string;
  parameters: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  responses: Record<string, unknown>;
}

export interface OpenApiCollector {
  onRoute(route: RouteOptions): void;
  document(title: string, serverUrl: string): Record<string, unknown>;
}

export function createOpenApiCollector(): OpenApiCollector {
  const paths: Record<string, Record<string, Operation>> = {};
  return {
    onRoute(route) {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toLowerCase()).filter((m) => m !== "head");
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      const path = route.url.replace(/:([A-Za-z_]+)/g, "{$1}");
      for (const method of methods) {
        const op: Operation = { parameters: [], responses: {} };
        if (typeof schema.summary === "string") op.summary = schema.summary;
        for (const [where, key] of [["query", "querystring"], ["path", "params"]] as const) {
          const s = schema[key] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
          for (const [name, p] of Object.entries(s?.properties ?? {})) {
            op.parameters.push({ name, in: where, required: where === "path" || (s?.required ?? []).includes(name), schema: p });
          }
        }
        if (schema.body) op.requestBody = { content: { "application/json": { schema: schema.body } } };
        for (const [status, s] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) {
          op.responses[status.toUpperCase()] = { description: status.startsWith("2") ? "OK" : "Error", content: { "application/json": { schema: s } } };
        }
        (paths[path] ??= {})[method] = op;
      }
    },
    document(title, serverUrl) {
      return { openapi: "3.1.0", info: { title, version: "1.0.0" }, servers: [{ url: serverUrl }], paths };
    },
  };
}

declare module "fastify" {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
  }
}
