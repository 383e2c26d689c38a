// Kubernetes Status bodies and the error type every handler throws. kube-apiserver answers
// every failure with a metav1.Status; clients (kubectl, client-node) parse reason and details,
// so these mirror its wording and reasons closely.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** "widgets.example.com" or "configmaps" for the core group: how kube-apiserver names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, "BadRequest", message),
  notFound: (resource: string, group: string, name: string) =>
    new ApiError(404, "NotFound", `${qualifiedResource(resource, group)} "${name}" not found`, { name, group, kind: resource }),
  notFoundPath: (message = "the server could not find the requested resource") => new ApiError(404, "NotFound", message, {}),
  alreadyExists: (resource: string, group: string, name: string) =>
    new ApiError(409, "AlreadyExists", `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group, kind: resource }),
  conflict: (resource: string, group: string, name: string, why: string) =>
    new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group, kind: resource }),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) => {
    const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = list.length === 1 ? list[0]! : `[${list.join(", ")}]`;
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    return new ApiError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
  },
  forbidden: (resource: string, group: string, name: string, why: string) =>
    new ApiError(403, "Forbidden", `${qualifiedResource(resource, group)} "${name}" is forbidden: ${why}`, { name, group, kind: resource }),
  methodNotAllowed: (message: string) => new ApiError(405, "MethodNotAllowed", message, {}),
  unsupportedMediaType: (contentType: string) =>
    new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`, {}),
  tooLarge: (message: string) => new ApiError(413, "RequestEntityTooLarge", message, {}),
  gone: (message: string) => new ApiError(410, "Expired", message, {}),
  internal: (message: string) => new ApiError(500, "InternalError", `Internal error occurred: ${message}`, {}),
};
