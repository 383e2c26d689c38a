// Errors of the catalog API, in the shared {code, description} shape (apps/shared/http-errors.ts):
// a catalog input error (a bad CQL2 filter, bbox, datetime, ...) is a 400 naming the parameter.
import type { FastifyInstance } from "fastify";
import { isCatalogInputError } from "../../catalog/index.js";
import { installErrorHandling as installApiErrorHandling, type ApiError } from "../shared/http-errors.js";

export { errorResponseSchema, type ApiError } from "../shared/http-errors.js";

export function notFound(what: string): ApiError {
  return { code: "NotFound", description: `${what} not found` };
}

export function installErrorHandling(app: FastifyInstance): void {
  installApiErrorHandling(app, {
    component: "catalog-api",
    known: (err) => (isCatalogInputError(err) ? { status: 400, body: { code: "InvalidParameterValue", description: err.message } } : undefined),
  });
}
