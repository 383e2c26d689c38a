// Every error the catalog API answers is JSON {code, description}: 4xx say what was wrong and
// name the parameter; 5xx hide internals (they are logged).
import { isCatalogInputError } from "../../catalog/index.js";
import type { FastifyError, FastifyInstance } from "fastify";

export interface ApiError {
  code: string;
  description: string;
}

export const errorResponseSchema = {
  type: "object",
  required: ["code", "description"],
  properties: { code: { type: "string" }, description: { type: "string" } },
} as const;

export function notFound(what: string): ApiError {
  return { code: "NotFound", description: `${what} not found` };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isCatalogInputError(err)) {
      return reply.code(400).type("application/json").send({ code: "InvalidParameterValue", description: err.message } satisfies ApiError);
    }
    if (err.validation) {
      const where = err.validationContext ?? "request";
      return reply.code(400).type("application/json").send({ code: "InvalidParameterValue", description: `${where}${err.message.replace(/^(querystring|body|params)/, "")}` });
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, "catalog-api request failed");
      return reply.code(500).type("application/json").send({ code: "ServerError", description: "internal error; see the server log" } satisfies ApiError);
    }
    return reply.code(status).type("application/json").send({ code: err.code ?? "BadRequest", description: err.message } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type("application/json").send({ code: "NotFound", description: `no route for ${request.method} ${request.url.split("?")[0]?.slice(0, 200)}` } satisfies ApiError);
  });
}
