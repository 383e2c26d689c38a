// Structural defaulting as kube-apiserver does it: an absent field with a default gets a copy of
// it, then defaulting continues inside (so an object default `{}` picks up its fields' defaults).
import { isPlainObject, type SchemaNode } from "./types.js";

export function applyDefaults(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value)) {
    return schema.items ? value.map((item) => applyDefaults(schema.items as SchemaNode, item)) : value;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (out[name] === undefined && child.default !== undefined) out[name] = structuredClone(child.default);
    if (out[name] !== undefined) out[name] = applyDefaults(child, out[name]);
  }
  if (isPlainObject(schema.additionalProperties)) {
    for (const name of Object.keys(out)) {
      if (!(name in (schema.properties ?? {}))) out[name] = applyDefaults(schema.additionalProperties, out[name]);
    }
  }
  return out;
}

/** Drops fields the schema does not know (what the API server does unless preserve-unknown-fields). */
export function pruneUnknown(schema: SchemaNode, value: unknown): unknown {
  if (schema["x-kubernetes-preserve-unknown-fields"]) return value;
  if (Array.isArray(value)) return schema.items ? value.map((item) => pruneUnknown(schema.items as SchemaNode, item)) : value;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    const child = schema.properties?.[name] ?? (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (child) out[name] = pruneUnknown(child, fieldValue);
    else if (schema.additionalProperties === true) out[name] = fieldValue;
  }
  return out;
}
