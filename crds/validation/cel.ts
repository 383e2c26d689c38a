// x-kubernetes-validations: CEL rules evaluated with `self` bound to the value they annotate.
// Expressions are compiled once per rule text; evaluation errors are reported, never swallowed.
import { parse } from "@marcbachmann/cel-js";
import { isPlainObject, type FieldError, type PathSegment, type SchemaNode } from "./types.js";

type Compiled = ReturnType<typeof parse>;
const compiled = new Map<string, Compiled>();

function compile(rule: string): Compiled {
  let expr = compiled.get(rule);
  if (!expr) {
    expr = parse(rule);
    compiled.set(rule, expr);
  }
  return expr;
}

/** fieldPath ".dask" or ".items[0]" relative to the rule's value, as segments. */
function fieldPathSegments(fieldPath: string | undefined): PathSegment[] {
  if (!fieldPath) return [];
  const segments: PathSegment[] = [];
  for (const match of fieldPath.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']*)'\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(match[3]);
  }
  return segments;
}

// kube-apiserver's wording for each reason a rule may declare.
const messagePrefix: Partial<Record<FieldError["type"], string>> = {
  FieldValueRequired: "Required value",
  FieldValueForbidden: "Forbidden",
  FieldValueDuplicate: "Duplicate value",
};

export function validateCel(schema: SchemaNode, value: unknown, path: PathSegment[] = []): FieldError[] {
  if (value === undefined || value === null) return [];
  const errors: FieldError[] = [];
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    let result: unknown;
    try {
      result = compile(rule.rule)({ self: value });
    } catch (error) {
      errors.push({ path, type: "FieldValueInvalid", message: `Invalid value: rule "${rule.rule}" could not be evaluated: ${(error as Error).message}` });
      continue;
    }
    if (result !== true) {
      const type = (rule.reason as FieldError["type"] | undefined) ?? "FieldValueInvalid";
      errors.push({ path: [...path, ...fieldPathSegments(rule.fieldPath)], type, message: `${messagePrefix[type] ?? "Invalid value"}: ${rule.message ?? `failed rule: ${rule.rule}`}` });
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => errors.push(...validateCel(schema.items as SchemaNode, item, [...path, i])));
  } else if (isPlainObject(value)) {
    for (const [name, fieldValue] of Object.entries(value)) {
      const child = schema.properties?.[name] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (child) errors.push(...validateCel(child, fieldValue, [...path, name]));
    }
  }
  return errors;
}
