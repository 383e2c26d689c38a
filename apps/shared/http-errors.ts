// The error contract of our HTTP APIs (STAC catalog API, OGC EDR data API, the viewer): every
// error is JSON {code, description, requestId}; a 4xx says what was wrong and names the parameter,
// a 5xx hides internals (no message, path or stack: they are logged with the same request id), an
// unknown route is a 404 in the same shape. Each app maps its own error classes to an answer;
// everything else is handled here once.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface ApiError {
  code: string;
  description: string;
  /** The request's id, as in its `x-request-id` header and log lines. */
  requestId?: string;
}

/** Answers an error in the shared shape, with the request id. */
export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, body: ApiError): FastifyReply {
  return reply.code(status).type("application/json").send({ ...body, requestId: request.id } satisfies ApiError);
}

/** The response schema routes declare for their error statuses. */
export const errorResponseSchema = {
  type: "object",
  required: ["code", "description"],
  properties: { code: { type: "string" }, description: { type: "string" }, requestId: { type: "string" } },
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
    if (known) {
      if (known.status >= 500) request.log.error({ err }, `${options.component} request failed`);
      return sendError(request, reply, known.status, known.body);
    }
    if (err.validation) {
      const where = err.validationContext ?? "request";
      return sendError(request, reply, 400, { code: "InvalidParameterValue", description: `${where}${err.message.replace(/^(querystring|body|params)/, "")}` });
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, `${options.component} request failed`);
      return sendError(request, reply, 500, { code: "ServerError", description: `internal error; the server log has the details under request id ${request.id}` });
    }
    return sendError(request, reply, status, { code: typeof err.code === "string" && /^[A-Za-z_]+$/.test(err.code) ? err.code : "BadRequest", description: err.message.slice(0, 500) });
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, { code: "NotFound", description: `no route for ${request.method} ${request.url.split("?")[0]?.slice(0, 200)}` }));
}
