// Field errors in the vocabulary of kube-apiserver (k8s.io/apimachinery field.ErrorType), so that
// `dmac validate` and the control plane report a bad resource the way a cluster would.
export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueNotSupported"
  | "FieldValueInvalid"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueDuplicate"
  | "FieldValueTypeInvalid"
  | "FieldValueUnknown";

export type PathSegment = string | number;

export interface FieldError {
  /** Segments from the object root, e.g. ["spec", "source", "urls", 0]. */
  readonly path: readonly PathSegment[];
  readonly type: FieldErrorType;
  readonly message: string;
}

/** An OpenAPI v3 schema node as it appears in a CRD (only the keywords structural schemas allow). */
export interface SchemaNode {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  default?: unknown;
  nullable?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: { rule: string; message?: string; messageExpression?: string; fieldPath?: string; reason?: string }[];
}

/** `spec.source.urls[0]`: how kube-apiserver prints a field path. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
