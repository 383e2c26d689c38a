// The error contract of our HTTP APIs (STAC catalog API, OGC EDR data API): every error is JSON
// {code, description}; a 4xx says what was wrong and names the parameter, a 5xx hides internals
// (they are logged), an unknown route is a 404 in the same shape. Each app maps its own error
// classes to an answer; everything else is handled here once.
import type { FastifyError, FastifyInstance } from "fastify";

export interface ApiError {
  code: string;
  description: string;
}

/** The response schema routes declare for their error statuses. */
export const errorResponseSchema = {
  type: "object",
  required: ["code", "description"],
  properties: { code: { type: "string" }, description: { type: "string" } },
} as const;

/** How an app answers one of its own errors. */
export interface KnownError {
  readonly status: number;
  readonly body: ApiError;
}

export interface ErrorHandlingOptions {
  /** Names the app in the log line of a 5xx. */
  readonly component: string;
  /** The app's own errors (bad parameters, limits) and their answers; undefined for any other error. */
  readonly known?: (err: unknown) => KnownError | undefined;
}

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = options.known?.(err);
    if (known) return reply.code(known.status).type("application/json").send(known.body);
    if (err.validation) {
      const where = err.validationContext ?? "request";
      return reply.code(400).type("application/json").send({ code: "InvalidParameterValue", description: `${where}${err.message.replace(/^(querystring|body|params)/, "")}` } satisfies ApiError);
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, `${options.component} request failed`);
      return reply.code(500).type("application/json").send({ code: "ServerError", description: "internal error; see the server log" } satisfies ApiError);
    }
    return reply.code(status).type("application/json").send({ code: err.code ?? "BadRequest", description: err.message } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type("application/json").send({ code: "NotFound", description: `no route for ${request.method} ${request.url.split("?")[0]?.slice(0, 200)}` } satisfies ApiError);
  });
}
