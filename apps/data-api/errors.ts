// Errors the data API answers. Every one is JSON {code, description}: a 400 names the query
// parameter that was wrong, a 413 says the limit, a 5xx hides internals (they are logged).
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

/** A client error with its HTTP status; `message` starts with the parameter it is about. */
export class DataApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "DataApiError";
    this.status = status;
    this.code = code;
  }
}

/** A bad query parameter: "bbox: expected 4 or 6 numbers, got 3". */
export function invalidParameter(parameter: string, problem: string): DataApiError {
  return new DataApiError(400, "InvalidParameterValue", `${parameter}: ${problem}`);
}

export function notFound(what: string): DataApiError {
  return new DataApiError(404, "NotFound", `${what} not found`);
}

export function tooLarge(problem: string, limit: number, unit: string): DataApiError {
  return new DataApiError(413, "PayloadTooLarge", `${problem}; the limit is ${limit} ${unit} per request (narrow bbox, datetime, z or parameter-name)`);
}

export function isDataApiError(err: unknown): err is DataApiError {
  return err instanceof DataApiError;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isDataApiError(err)) return reply.code(err.status).type("application/json").send({ code: err.code, description: err.message } satisfies ApiError);
    if (err.validation) {
      const where = err.validationContext ?? "request";
      return reply.code(400).type("application/json").send({ code: "InvalidParameterValue", description: `${where}${err.message.replace(/^(querystring|body|params)/, "")}` } satisfies ApiError);
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, "data-api request failed");
      return reply.code(500).type("application/json").send({ code: "ServerError", description: "internal error; see the server log" } satisfies ApiError);
    }
    return reply.code(status).type("application/json").send({ code: err.code ?? "BadRequest", description: err.message } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type("application/json").send({ code: "NotFound", description: `no route for ${request.method} ${request.url.split("?")[0]?.slice(0, 200)}` } satisfies ApiError);
  });
}
