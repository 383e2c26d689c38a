// Errors the data API answers, in the shared {code, description} shape (apps/shared/http-errors.ts):
// a 400 names the query parameter that was wrong, a 413 says the limit.
import type { FastifyInstance } from "fastify";
import { installErrorHandling as installApiErrorHandling } from "../shared/http-errors.js";

export { errorResponseSchema, type ApiError } from "../shared/http-errors.js";

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
  installApiErrorHandling(app, {
    component: "data-api",
    known: (err) => (isDataApiError(err) ? { status: err.status, body: { code: err.code, description: err.message } } : undefined),
  });
}
