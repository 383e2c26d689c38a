// What every one of our fastify servers (STAC API, EDR API, viewer) does the same way with hostile
// input: a request id on every request (in the `x-request-id` header, every error body and its log
// lines), JSON bodies refused beyond a nesting depth before they are parsed, "__proto__" and
// "constructor.prototype" keys refused (400), and no body parser but JSON (a text/plain or untyped
// POST is a 415, so a browser cannot send a write cross-site without a preflight).
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from "fastify";
import { jsonTextDepthExceeds } from "./nesting.js";

/** Nesting of a JSON request body (objects and arrays); deeper is a 400. */
export const MAX_JSON_BODY_DEPTH = 64;

export interface ApiLogging {
  /** A pino logger (`dmac up` passes the platform log's child); otherwise `logger`. */
  loggerInstance?: FastifyBaseLogger;
  logger?: FastifyServerOptions["logger"];
}

/** Fastify constructor options shared by our servers: request ids and the logger. */
export function serverOptions(logging: ApiLogging): FastifyServerOptions & { loggerInstance?: FastifyBaseLogger } {
  return {
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    ...(logging.loggerInstance ? { loggerInstance: logging.loggerInstance } : { logger: logging.logger ?? false }),
  };
}

/** Adds the request id header and replaces fastify's body parsers with a depth-checked JSON parser only. */
export function installRequestHardening(app: FastifyInstance, maxDepth = MAX_JSON_BODY_DEPTH): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (jsonTextDepthExceeds(body as string, maxDepth)) {
      done(Object.assign(new Error(`body: JSON nested more than ${maxDepth} levels deep`), { statusCode: 400, code: "InvalidParameterValue" }), undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}

/**
 * The base URL of a server's links when none is configured: the address it listens on
 * (`http://127.0.0.1:6444`), never the request's Host header, which any client (or a page doing
 * DNS rebinding) chooses. Behind a proxy or ingress, configure the public URL (`--base-url`).
 */
export function listeningBaseUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === "string") return "http://localhost";
  const host = address.family === "IPv6" || address.address.includes(":") ? `[${address.address === "::" ? "::1" : address.address}]` : address.address === "0.0.0.0" ? "127.0.0.1" : address.address;
  return `http://${host}:${address.port}`;
}
