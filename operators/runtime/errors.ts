// Terminal vs retryable, as controller-runtime does it: a thrown error means "retry with backoff";
// a TerminalError means "record it and do not retry until the object changes".
export class TerminalError extends Error {
  override readonly name = "TerminalError";
  constructor(message: string, readonly reason = "Terminal", options?: ErrorOptions) {
    super(message, options);
  }
}

export function isTerminalError(error: unknown): error is TerminalError {
  return error instanceof TerminalError;
}

/** HTTP status of an error thrown by @kubernetes/client-node or our REST helpers, if any. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown; status?: unknown; response?: { statusCode?: unknown; status?: unknown } };
  for (const candidate of [e.code, e.statusCode, e.status, e.response?.statusCode, e.response?.status]) {
    if (typeof candidate === "number" && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

export const isNotFound = (error: unknown): boolean => httpStatus(error) === 404;
export const isConflict = (error: unknown): boolean => httpStatus(error) === 409;
