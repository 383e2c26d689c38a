// Validation of a value against a structural schema, reporting every failing field.
// Written here rather than with Ajv: Ajv knows neither unknown-field reporting against `properties`,
// nor x-kubernetes list semantics (set/map uniqueness), nor kube-apiserver's error wording, all of
// which users see in `kubectl` and expect from `dmac validate` too.
import { isPlainObject, type FieldError, type PathSegment, type SchemaNode } from "./types.js";

export interface StructuralOptions {
  /** Report fields the schema does not declare (kubectl's default strict field validation). */
  readonly reportUnknownFields: boolean;
}

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const patternCache = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, "u");
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

export function validateStructural(schema: SchemaNode, value: unknown, options: StructuralOptions, path: PathSegment[] = []): FieldError[] {
  const errors: FieldError[] = [];
  const push = (type: FieldError["type"], message: string, at: PathSegment[] = path) => errors.push({ path: at, type, message });

  if (value === null) {
    if (!schema.nullable) push("FieldValueTypeInvalid", `Invalid value: "null": ${path.length ? String(path[path.length - 1]) : "value"} in body must be of type ${schema.type ?? "object"}`);
    return errors;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) push("FieldValueTypeInvalid", `Invalid value: ${show(value)}: must be an integer or a string`);
    return errors;
  }
  const actual = typeOf(value);
  const expected = schema.type;
  if (expected) {
    const ok = expected === actual || (expected === "number" && actual === "integer");
    if (!ok) {
      push("FieldValueTypeInvalid", `Invalid value: ${show(value)}: must be of type ${expected}, got ${actual}`);
      return errors;
    }
  }

  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    push("FieldValueNotSupported", `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(", ")}`);
  }

  if (typeof value === "string") {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) push("FieldValueTooLong", `Too long: may not be more than ${schema.maxLength} bytes`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) push("FieldValueInvalid", `Invalid value: ${show(value)}: should be at least ${schema.minLength} chars long`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) push("FieldValueInvalid", `Invalid value: ${show(value)}: should match '${schema.pattern}'`);
    if (schema.format === "date-time" && !dateTime.test(value)) push("FieldValueInvalid", `Invalid value: ${show(value)}: must be an RFC 3339 date-time, e.g. 2023-10-22T00:00:00Z`);
  }

  if (typeof value === "number") {
    if (schema.minimum !== undefined) {
      const exclusive = schema.exclusiveMinimum === true;
      if (exclusive ? value <= schema.minimum : value < schema.minimum) push("FieldValueInvalid", `Invalid value: ${value}: should be greater than ${exclusive ? "" : "or equal to "}${schema.minimum}`);
    }
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) push("FieldValueInvalid", `Invalid value: ${value}: should be greater than ${schema.exclusiveMinimum}`);
    if (schema.maximum !== undefined) {
      const exclusive = schema.exclusiveMaximum === true;
      if (exclusive ? value >= schema.maximum : value > schema.maximum) push("FieldValueInvalid", `Invalid value: ${value}: should be less than ${exclusive ? "" : "or equal to "}${schema.maximum}`);
    }
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) push("FieldValueInvalid", `Invalid value: ${value}: should be less than ${schema.exclusiveMaximum}`);
  }

  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) push("FieldValueTooMany", `Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) push("FieldValueInvalid", `Invalid value: ${value.length}: should have at least ${schema.minItems} items`);
    errors.push(...listSemantics(schema, value, path));
    if (schema.items) value.forEach((item, i) => errors.push(...validateStructural(schema.items as SchemaNode, item, options, [...path, i])));
  }

  if (isPlainObject(value)) {
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) push("FieldValueRequired", "Required value", [...path, name]);
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) push("FieldValueTooMany", `Too many: ${Object.keys(value).length}: must have at most ${schema.maxProperties} properties`);
    for (const [name, fieldValue] of Object.entries(value)) {
      const child = schema.properties?.[name] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (child) errors.push(...validateStructural(child, fieldValue, options, [...path, name]));
      else if (options.reportUnknownFields && !schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties !== true && (schema.properties || schema.additionalProperties === false)) {
        push("FieldValueUnknown", `unknown field "${name}"`, [...path, name]);
      }
    }
  }
  return errors;
}

function listSemantics(schema: SchemaNode, list: unknown[], path: PathSegment[]): FieldError[] {
  const errors: FieldError[] = [];
  const listType = schema["x-kubernetes-list-type"];
  if (listType === "set") {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) errors.push({ path: [...path, i], type: "FieldValueDuplicate", message: `Duplicate value: ${key}` });
      seen.add(key);
    });
  } else if (listType === "map") {
    const keys = schema["x-kubernetes-list-map-keys"] ?? [];
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const key = JSON.stringify(keys.map((k) => item[k]));
      if (seen.has(key)) errors.push({ path: [...path, i], type: "FieldValueDuplicate", message: `Duplicate value: ${keys.length === 1 ? JSON.stringify(item[keys[0] as string]) : key}` });
      seen.add(key);
    });
  }
  return errors;
}
