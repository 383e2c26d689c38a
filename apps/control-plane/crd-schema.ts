// Checks a CRD's openAPIV3Schema the way kube-apiserver does before accepting the CRD:
// first that every keyword has the JSON type apiextensions/v1 JSONSchemaProps declares (a
// mismatch is a decoding error, 400), then the structural-schema rules (422).
import { errors, type StatusCause } from "./errors.js";
import { isPlainObject } from "./schema.js";

const BOOLEAN = ["exclusiveMinimum", "exclusiveMaximum", "nullable", "uniqueItems", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource"];
const NUMBER = ["minimum", "maximum", "multipleOf"];
const INTEGER = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"];
const STRING = ["type", "format", "pattern", "description", "title", "x-kubernetes-list-type", "x-kubernetes-map-type", "$ref"];
const SCHEMA_ARRAYS = ["allOf", "anyOf", "oneOf"];

/** Throws 400 BadRequest naming the first keyword whose value has the wrong JSON type. */
export function checkSchemaTypes(schema: unknown, path: string): void {
  const fail = (field: string, expected: string, value: unknown) => {
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    return errors.badRequest(`CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: json: cannot unmarshal ${actual} into Go struct field JSONSchemaProps.${path}.${field} of type ${expected}`);
  };
  if (!isPlainObject(schema)) throw fail("", "JSONSchemaProps", schema);
  for (const key of BOOLEAN) if (schema[key] !== undefined && typeof schema[key] !== "boolean") throw fail(key, "bool", schema[key]);
  for (const key of NUMBER) if (schema[key] !== undefined && typeof schema[key] !== "number") throw fail(key, "float64", schema[key]);
  for (const key of INTEGER) if (schema[key] !== undefined && !Number.isInteger(schema[key])) throw fail(key, "int64", schema[key]);
  for (const key of STRING) if (schema[key] !== undefined && typeof schema[key] !== "string") throw fail(key, "string", schema[key]);
  if (schema.required !== undefined && (!Array.isArray(schema.required) || schema.required.some((r) => typeof r !== "string"))) throw fail("required", "[]string", schema.required);
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) throw fail("enum", "[]JSON", schema.enum);
  if (schema.properties !== undefined) {
    if (!isPlainObject(schema.properties)) throw fail("properties", "map[string]JSONSchemaProps", schema.properties);
    for (const [name, sub] of Object.entries(schema.properties)) checkSchemaTypes(sub, `${path}.properties[${name}]`);
  }
  if (schema.items !== undefined) checkSchemaTypes(schema.items, `${path}.items`);
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== "boolean") checkSchemaTypes(schema.additionalProperties, `${path}.additionalProperties`);
  if (schema.not !== undefined) checkSchemaTypes(schema.not, `${path}.not`);
  for (const key of SCHEMA_ARRAYS) {
    const list = schema[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw fail(key, "[]JSONSchemaProps", list);
    list.forEach((sub, i) => checkSchemaTypes(sub, `${path}.${key}[${i}]`));
  }
  const rules = schema["x-kubernetes-validations"];
  if (rules !== undefined) {
    if (!Array.isArray(rules)) throw fail("x-kubernetes-validations", "ValidationRules", rules);
    rules.forEach((rule, i) => {
      if (!isPlainObject(rule) || typeof rule.rule !== "string") throw fail(`x-kubernetes-validations[${i}].rule`, "string", isPlainObject(rule) ? rule.rule : rule);
    });
  }
}

/** Structural-schema violations (every node has a type unless it preserves unknown fields or is int-or-string). */
export function structuralErrors(schema: Record<string, unknown>, path: string, root = true): StatusCause[] {
  const causes: StatusCause[] = [];
  const open = schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-int-or-string"] === true;
  if (root && schema.type !== "object") causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(schema.type ?? "")}: must be object at the root`, field: `${path}.type` });
  else if (!root && schema.type === undefined && !open) causes.push({ reason: "FieldValueRequired", message: "Required value: must not be empty for specified object fields", field: `${path}.type` });
  if (schema.$ref !== undefined) causes.push({ reason: "FieldValueForbidden", message: "Forbidden: $ref is not supported", field: `${path}.$ref` });
  if (isPlainObject(schema.properties) && isPlainObject(schema.additionalProperties)) {
    causes.push({ reason: "FieldValueForbidden", message: "Forbidden: additionalProperties and properties are mutual exclusive", field: `${path}.additionalProperties` });
  }
  if (schema.type === "array" && schema.items === undefined) causes.push({ reason: "FieldValueRequired", message: "Required value: must be specified", field: `${path}.items` });
  for (const [name, sub] of Object.entries(isPlainObject(schema.properties) ? schema.properties : {})) causes.push(...structuralErrors(sub as Record<string, unknown>, `${path}.properties[${name}]`, false));
  if (isPlainObject(schema.items)) causes.push(...structuralErrors(schema.items, `${path}.items`, false));
  if (isPlainObject(schema.additionalProperties)) causes.push(...structuralErrors(schema.additionalProperties, `${path}.additionalProperties`, false));
  return causes;
}
