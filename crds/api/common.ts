// Schema building blocks shared by our kinds. Each is a TypeBox schema, so one definition gives
// both the structural OpenAPI v3 schema in the CRD and the TypeScript type (Static<typeof X>).
import { Type, type Static, type TSchema, type TObject, type TProperties } from "@sinclair/typebox";

export const group = "dmac.ioos.us";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;

/** A Kubernetes object name (RFC 1123 subdomain), as referenced from another object. */
export const dns1123Subdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** A DNS-1123 label: what namespaces, STAC ids and dimension-safe names use. */
export const dns1123Label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/** A netCDF/CF variable or dimension name. */
export const netcdfName = "^[A-Za-z_][A-Za-z0-9_.@+-]*$";
/** A container image pinned by tag, digest or both (`repo:tag@sha256:...`, what images/images.lock.json gives); `latest` is refused by a CEL rule where used. */
export const pinnedImage = "^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$";
/** A Kubernetes resource quantity (CPU or memory). */
export const quantity = "^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
/** A five-field cron expression or one of the @-macros. */
export const cron = "^(@(yearly|annually|monthly|weekly|daily|hourly)|(\\S+\\s+){4}\\S+)$";
/** A short machine-readable reason, as metav1.Condition requires. */
export const conditionReason = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

/**
 * A string enum as a structural schema (`type: string` + `enum`). TypeBox's Union of Literals would
 * render as `anyOf`, which Kubernetes rejects in a structural schema.
 */
export function stringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}

/**
 * A map with string keys (`additionalProperties`). TypeBox's Record renders `patternProperties`,
 * which a structural schema does not allow.
 */
export function stringMap<V extends TSchema>(values: V, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<V>>>({ type: "object", additionalProperties: values, ...options });
}

/** Object-with-these-fields; TypeBox keeps JSON-Schema keywords and x-kubernetes-* extensions as given. */
export function object<P extends TProperties>(properties: P, options: Record<string, unknown> = {}): TObject<P> {
  return Type.Object(properties, options);
}

/** x-kubernetes-validations: CEL rules evaluated with `self` bound to the annotated value. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** JSONPath-like path relative to `self`, reported as the failing field (e.g. `.dask`). */
  readonly fieldPath?: string;
  readonly reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

export function cel(...rules: CelRule[]): { "x-kubernetes-validations": CelRule[] } {
  return { "x-kubernetes-validations": rules };
}

export const LocalObjectReference = object(
  {
    name: Type.String({ description: "Name of an object in the same namespace.", pattern: dns1123Subdomain, minLength: 1, maxLength: 253 }),
  },
  { description: "A reference to an object in the same namespace." },
);
export type LocalObjectReference = Static<typeof LocalObjectReference>;

/** metav1.Condition, field for field. */
export const Condition = object({
  type: Type.String({ description: "Type of condition in CamelCase, e.g. Ready.", maxLength: 316, pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$" }),
  status: stringEnum(["True", "False", "Unknown"] as const, { description: "Status of the condition." }),
  reason: Type.String({ description: "Machine-readable reason for the last transition, in CamelCase.", minLength: 1, maxLength: 1024, pattern: conditionReason }),
  message: Type.String({ description: "Human-readable details of the last transition.", maxLength: 32768 }),
  lastTransitionTime: Type.String({ format: "date-time", description: "When the condition last changed status." }),
  observedGeneration: Type.Optional(Type.Integer({ format: "int64", minimum: 0, description: "The .metadata.generation the condition was set for." })),
});
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  description: "Standard conditions (metav1.Condition), one per type.",
  maxItems: 16,
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["type"],
});

/** Fields every status of ours starts with, per the Kubernetes API conventions. */
export function statusWith<P extends TProperties>(properties: P) {
  return object({
    observedGeneration: Type.Optional(Type.Integer({ format: "int64", minimum: 0, description: "The .metadata.generation the controller last acted on." })),
    conditions: Type.Optional(Conditions),
    ...properties,
  });
}

export const SecretCredentials = object(
  {
    name: Type.String({ description: "Secret in the same namespace.", pattern: dns1123Subdomain, maxLength: 253 }),
    accessKeyIdKey: Type.String({ default: "AWS_ACCESS_KEY_ID", description: "Key in the Secret holding the access key id.", maxLength: 253 }),
    secretAccessKeyKey: Type.String({ default: "AWS_SECRET_ACCESS_KEY", description: "Key in the Secret holding the secret access key.", maxLength: 253 }),
  },
  { description: "S3 credentials read from a Secret; the operator never copies them into status or logs." },
);

export const Resources = object(
  {
    cpu: Type.String({ pattern: quantity, description: "CPU quantity, e.g. 1 or 500m.", default: "1" }),
    memory: Type.String({ pattern: quantity, description: "Memory quantity, e.g. 4Gi.", default: "4Gi" }),
  },
  { description: "Requests and limits (set equal) for a container." },
);

export const Timestamp = Type.String({ format: "date-time" });

/** Metadata of a CustomResourceDefinition rendered from a kind's definition. */
export interface KindDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly description: string;
  readonly spec: TSchema;
  readonly status: TSchema;
  /** CEL rules across spec fields of the whole object (with `self` = the object). */
  readonly rootRules?: readonly CelRule[];
  readonly printerColumns: readonly PrinterColumn[];
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "date";
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export const readyColumn: PrinterColumn = { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: "Whether the object is Ready." };
export const reasonColumn: PrinterColumn = { name: "Reason", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 };
export const ageColumn: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
