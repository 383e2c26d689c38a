// x-kubernetes-validations: CEL rules evaluated with `self` (and `oldSelf` for transition rules
// on update) at the schema node that declares them, using @marcbachmann/cel-js.
// Simplified against kube-apiserver: no cost budget, and `oldSelf` is correlated through object
// properties and map-keyed lists only (as kube does), not positional lists.
import { parse } from "@marcbachmann/cel-js";
import { hasOwn, ownValue, setOwn } from "../shared/own.js";
import type { StatusCause } from "./errors.js";
import { childPath, isPlainObject } from "./schema.js";
import type { JSONSchemaProps, ValidationRule } from "./types.js";

type Program = ReturnType<typeof parse>;
const compiled = new Map<string, Program | Error>();

function program(expression: string): Program | Error {
  let entry = compiled.get(expression);
  if (!entry) {
    try {
      entry = parse(expression);
    } catch (err) {
      entry = err as Error;
    }
    compiled.set(expression, entry);
  }
  return entry;
}

/** Compile errors for every rule in a schema (CRD validation rejects CRDs with bad rules). */
export function compileErrors(schema: JSONSchemaProps, path = "spec.validation.openAPIV3Schema"): StatusCause[] {
  const causes: StatusCause[] = [];
  (schema["x-kubernetes-validations"] ?? []).forEach((rule, i) => {
    const p = program(rule.rule);
    if (p instanceof Error) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(rule.rule)}: compilation failed: ${p.message}`, field: `${path}.x-kubernetes-validations[${i}].rule` });
  });
  for (const [name, sub] of Object.entries(schema.properties ?? {})) causes.push(...compileErrors(sub, `${path}.properties[${name}]`));
  if (schema.items) causes.push(...compileErrors(schema.items, `${path}.items`));
  if (typeof schema.additionalProperties === "object") causes.push(...compileErrors(schema.additionalProperties, `${path}.additionalProperties`));
  return causes;
}

/** Converts JSON to CEL values: integer-typed fields become BigInt so int arithmetic behaves as in CEL. */
function toCel(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "number" && Number.isInteger(value) && (schema?.type === "integer" || schema?.["x-kubernetes-int-or-string"])) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = ownValue(schema?.properties, k) ?? (typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined);
      setOwn(out, k, toCel(v, sub));
    }
    return out;
  }
  return value;
}

export function evaluateRules(value: unknown, old: unknown, schema: JSONSchemaProps, path = ""): StatusCause[] {
  const causes: StatusCause[] = [];
  walk(value, old, schema, path, causes);
  return causes;
}

function walk(value: unknown, old: unknown, schema: JSONSchemaProps, path: string, causes: StatusCause[]): void {
  if (value === undefined || value === null) return;
  for (const rule of schema["x-kubernetes-validations"] ?? []) check(rule, value, old, schema, path, causes);
  if (isPlainObject(value)) {
    const oldObject = isPlainObject(old) ? old : undefined;
    for (const [field, sub] of Object.entries(schema.properties ?? {})) {
      if (path === "" && field === "metadata") continue;
      walk(ownValue(value, field), ownValue(oldObject, field), sub, childPath(path, field), causes);
    }
    if (typeof schema.additionalProperties === "object") {
      for (const [field, fieldValue] of Object.entries(value)) {
        if (!hasOwn(schema.properties, field)) walk(fieldValue, ownValue(oldObject, field), schema.additionalProperties, `${path}[${field}]`, causes);
      }
    }
  } else if (Array.isArray(value) && schema.items) {
    const keys = schema["x-kubernetes-list-type"] === "map" ? schema["x-kubernetes-list-map-keys"] : undefined;
    const oldItems = Array.isArray(old) ? old : [];
    value.forEach((item, i) => {
      const oldItem = keys && isPlainObject(item) ? oldItems.find((o) => isPlainObject(o) && keys.every((k) => ownValue(o, k) === ownValue(item, k))) : undefined;
      walk(item, oldItem, schema.items!, `${path}[${i}]`, causes);
    });
  }
}

function check(rule: ValidationRule, value: unknown, old: unknown, schema: JSONSchemaProps, path: string, causes: StatusCause[]): void {
  const transition = /\boldSelf\b/.test(rule.rule);
  if (transition && old === undefined && !rule.optionalOldSelf) return;
  const field = rule.fieldPath ? path + rule.fieldPath : path;
  const p = program(rule.rule);
  if (p instanceof Error) {
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "object": compilation failed: ${p.message}`, field });
    return;
  }
  const context: Record<string, unknown> = { self: toCel(value, schema) };
  if (transition) context.oldSelf = toCel(old, schema);
  let passed: unknown;
  try {
    passed = p(context);
  } catch (err) {
    // kube reports runtime errors (e.g. no such key) as an invalid value rather than a 500.
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "object": ${rule.rule}: ${(err as Error).message}`, field });
    return;
  }
  if (passed === true) return;
  let message = rule.message ?? `failed rule: ${rule.rule}`;
  if (rule.messageExpression) {
    try {
      const text = program(rule.messageExpression);
      if (!(text instanceof Error)) message = String(text(context));
    } catch {
      // kube falls back to `message` when messageExpression fails.
    }
  }
  const reason = rule.reason ?? "FieldValueInvalid";
  const prefix = reason === "FieldValueForbidden" ? "Forbidden" : reason === "FieldValueRequired" ? "Required value" : reason === "FieldValueDuplicate" ? "Duplicate value" : `Invalid value: "${typeName(value)}"`;
  causes.push({ reason, message: `${prefix}: ${message}`, field });
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (isPlainObject(value)) return "object";
  return typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
}
