// Structural-schema handling for custom resources, in the order kube-apiserver applies it:
// prune unknown fields, apply defaults, then validate. Written by hand rather than with ajv
// because Kubernetes needs all three in one walk with its own field paths ("spec.items[0].name"),
// its error reasons (FieldValueRequired, FieldValueNotSupported, ...) and extensions ajv does
// not know (x-kubernetes-preserve-unknown-fields, int-or-string, embedded-resource).
import { ownValue } from "../shared/own.js";
import type { StatusCause } from "./errors.js";
import type { Json, JSONSchemaProps } from "./types.js";

const METADATA_FIELDS = new Set([
  "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
  "deletionGracePeriodSeconds", "labels", "annotations", "finalizers", "ownerReferences", "managedFields", "selfLink",
]);

export function childPath(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

const preserves = (schema: JSONSchemaProps): boolean => schema["x-kubernetes-preserve-unknown-fields"] === true;

/** Removes fields the schema does not declare, in place; returns their paths (for fieldValidation=Strict/Warn). */
export function prune(value: unknown, schema: JSONSchemaProps, path = "", root = true): string[] {
  const unknown: string[] = [];
  walkPrune(value, schema, path, root, unknown);
  return unknown;
}

function walkPrune(value: unknown, schema: JSONSchemaProps, path: string, root: boolean, unknown: string[]): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walkPrune(item, schema.items!, `${path}[${i}]`, false, unknown));
    return;
  }
  if (!isPlainObject(value)) return;
  const embedded = root || schema["x-kubernetes-embedded-resource"] === true;
  if (embedded && isPlainObject(value.metadata)) {
    for (const field of Object.keys(value.metadata)) {
      if (!METADATA_FIELDS.has(field)) {
        unknown.push(childPath(childPath(path, "metadata"), field));
        delete value.metadata[field];
      }
    }
  }
  const properties = schema.properties;
  const additional = schema.additionalProperties;
  for (const field of Object.keys(value)) {
    if (embedded && (field === "apiVersion" || field === "kind" || field === "metadata")) continue;
    const fieldPath = childPath(path, field);
    const declared = ownValue(properties, field);
    if (declared) walkPrune(value[field], declared, fieldPath, false, unknown);
    else if (typeof additional === "object") walkPrune(value[field], additional, `${path}[${field}]`, false, unknown);
    else if (additional === true || preserves(schema)) continue;
    else {
      unknown.push(fieldPath);
      delete value[field];
    }
  }
}

/** Fills in schema defaults for absent fields, in place (defaults are deep-copied). */
export function applyDefaults(value: unknown, schema: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [field, propSchema] of Object.entries(schema.properties ?? {})) {
    if (value[field] === undefined && propSchema.default !== undefined) value[field] = structuredClone(propSchema.default);
    if (value[field] !== undefined) applyDefaults(value[field], propSchema);
  }
  if (typeof schema.additionalProperties === "object") {
    for (const field of Object.keys(value)) if (!ownValue(schema.properties, field)) applyDefaults(value[field], schema.additionalProperties);
  }
}

/** Every violation of `schema` in `value` (all of them, as kube-apiserver lists them in a 422). */
export function validate(value: unknown, schema: JSONSchemaProps, path = "", root = true): StatusCause[] {
  const causes: StatusCause[] = [];
  walkValidate(value, schema, path, root, causes);
  return causes;
}

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : typeof value === "object" && value !== null ? (Array.isArray(value) ? "array" : "object") : String(value));

function invalid(causes: StatusCause[], path: string, value: unknown, detail: string, reason = "FieldValueInvalid"): void {
  causes.push({ reason, message: `Invalid value: ${show(value)}: ${detail}`, field: path });
}

function typeMatches(value: unknown, schema: JSONSchemaProps): boolean {
  if (schema["x-kubernetes-int-or-string"]) return typeof value === "string" || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

function walkValidate(value: unknown, schema: JSONSchemaProps, path: string, root: boolean, causes: StatusCause[]): void {
  const name = path || "<root>";
  if (value === null) {
    if (!schema.nullable && schema.type !== undefined && !root) {
      causes.push({ reason: "FieldValueTypeInvalid", message: `Invalid value: "null": ${name} in body must be of type ${schema.type}: "null"`, field: path });
    }
    return;
  }
  if (!typeMatches(value, schema)) {
    const expected = schema["x-kubernetes-int-or-string"] ? "integer or string" : schema.type!;
    const actual = Array.isArray(value) ? "array" : typeof value === "number" && Number.isInteger(value) ? "integer" : typeof value;
    causes.push({ reason: "FieldValueTypeInvalid", message: `Invalid value: "${actual}": ${name} in body must be of type ${expected}: "${actual}"`, field: path });
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => deepEqual(allowed, value as Json))) {
    const supported = schema.enum.map((v) => JSON.stringify(v)).join(", ");
    causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`, field: path });
  }
  if (typeof value === "number") validateNumber(value, schema, path, name, causes);
  if (typeof value === "string") validateString(value, schema, path, name, causes);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) invalid(causes, path, value.length, `${name} in body should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) causes.push({ reason: "FieldValueTooMany", message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`, field: path });
    if (schema.uniqueItems || schema["x-kubernetes-list-type"] === "set") {
      value.forEach((item, i) => {
        if (value.findIndex((other) => deepEqual(other as Json, item as Json)) < i) causes.push({ reason: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(item)}`, field: `${path}[${i}]` });
      });
    }
    if (schema["x-kubernetes-list-type"] === "map" && schema["x-kubernetes-list-map-keys"]) {
      const keys = schema["x-kubernetes-list-map-keys"];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const id = JSON.stringify(keys.map((k) => (isPlainObject(item) ? ownValue(item, k) : undefined)));
        if (seen.has(id)) causes.push({ reason: "FieldValueDuplicate", message: `Duplicate value: ${id}`, field: `${path}[${i}]` });
        seen.add(id);
      });
    }
    if (schema.items) value.forEach((item, i) => walkValidate(item, schema.items!, `${path}[${i}]`, false, causes));
  }
  if (isPlainObject(value)) {
    for (const field of schema.required ?? []) {
      if (value[field] === undefined) causes.push({ reason: "FieldValueRequired", message: "Required value", field: childPath(path, field) });
    }
    const count = Object.keys(value).length;
    if (schema.minProperties !== undefined && count < schema.minProperties) invalid(causes, path, count, `${name} in body should have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && count > schema.maxProperties) causes.push({ reason: "FieldValueTooMany", message: `Too many: ${count}: must have at most ${schema.maxProperties} items`, field: path });
    for (const [field, fieldValue] of Object.entries(value)) {
      if (root && (field === "apiVersion" || field === "kind" || field === "metadata")) continue;
      const declared = ownValue(schema.properties, field);
      if (declared) walkValidate(fieldValue, declared, childPath(path, field), false, causes);
      else if (typeof schema.additionalProperties === "object") walkValidate(fieldValue, schema.additionalProperties, `${path}[${field}]`, false, causes);
    }
  }
  for (const sub of schema.allOf ?? []) walkValidate(value, sub, path, root, causes);
  if (schema.anyOf && !schema.anyOf.some((sub) => validate(value, sub, path, root).length === 0)) invalid(causes, path, value, `${name} in body must match at least one schema in anyOf`);
  if (schema.oneOf && schema.oneOf.filter((sub) => validate(value, sub, path, root).length === 0).length !== 1) invalid(causes, path, value, `${name} in body must match exactly one schema in oneOf`);
  if (schema.not && validate(value, schema.not, path, root).length === 0) invalid(causes, path, value, `${name} in body must not match the schema in not`);
}

function validateNumber(value: number, schema: JSONSchemaProps, path: string, name: string, causes: StatusCause[]): void {
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) invalid(causes, path, value, `${name} in body should be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${schema.minimum}`);
  }
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum) invalid(causes, path, value, `${name} in body should be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${schema.maximum}`);
  }
  if (schema.multipleOf !== undefined && schema.multipleOf > 0 && Math.abs(value / schema.multipleOf - Math.round(value / schema.multipleOf)) > 1e-9) {
    invalid(causes, path, value, `${name} in body should be a multiple of ${schema.multipleOf}`);
  }
}

const FORMATS: Record<string, RegExp> = {
  "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  email: /^[^\s@]+@[^\s@]+$/,
};

function validateString(value: string, schema: JSONSchemaProps, path: string, name: string, causes: StatusCause[]): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) invalid(causes, path, value, `${name} in body should be at least ${schema.minLength} chars long`);
  if (schema.maxLength !== undefined && length > schema.maxLength) causes.push({ reason: "FieldValueTooLong", message: `Too long: may not be more than ${schema.maxLength} bytes`, field: path });
  if (schema.pattern !== undefined) {
    let matches = true;
    try {
      matches = new RegExp(schema.pattern, "u").test(value);
    } catch {
      matches = new RegExp(schema.pattern).test(value);
    }
    if (!matches) invalid(causes, path, value, `${name} in body should match '${schema.pattern}'`);
  }
  const format = schema.format ? FORMATS[schema.format] : undefined;
  if (format && !format.test(value)) invalid(causes, path, value, `${name} in body must be of type ${schema.format}: ${JSON.stringify(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((item, i) => deepEqual(item, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}
