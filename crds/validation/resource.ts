// Validates one custom resource against our CRDs the way kube-apiserver would on create:
// type metadata, object metadata, defaulting, structural schema, unknown fields, CEL rules.
import { validateCel } from "./cel.js";
import { applyDefaults } from "./defaults.js";
import { validateStructural } from "./structural.js";
import { isPlainObject, type FieldError, type SchemaNode } from "./types.js";

export interface CrdLike {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: SchemaNode } }[];
  };
}

export interface ResourceResult {
  readonly kind: string;
  readonly name: string;
  readonly errors: FieldError[];
  /** The object after defaulting (what the API server would store). */
  readonly defaulted: unknown;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function validateMetadata(metadata: unknown, namespaced: boolean): FieldError[] {
  if (!isPlainObject(metadata)) return [{ path: ["metadata"], type: "FieldValueRequired", message: "Required value" }];
  const errors: FieldError[] = [];
  const name = metadata.name;
  if (typeof name !== "string" || name === "") {
    if (metadata.generateName === undefined) errors.push({ path: ["metadata", "name"], type: "FieldValueRequired", message: "Required value: name or generateName is required" });
  } else if (name.length > 253 || !dns1123Subdomain.test(name)) {
    errors.push({ path: ["metadata", "name"], type: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
  }
  if (metadata.namespace !== undefined) {
    if (!namespaced) errors.push({ path: ["metadata", "namespace"], type: "FieldValueForbidden", message: "Forbidden: not allowed on this type" });
    else if (typeof metadata.namespace !== "string" || metadata.namespace.length > 63 || !dns1123Label.test(metadata.namespace)) {
      errors.push({ path: ["metadata", "namespace"], type: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(metadata.namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'` });
    }
  }
  for (const field of ["labels", "annotations"] as const) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (!isPlainObject(map)) {
      errors.push({ path: ["metadata", field], type: "FieldValueTypeInvalid", message: "Invalid value: must be a map of strings" });
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      if (!qualifiedName.test(key)) errors.push({ path: ["metadata", field, key], type: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key)}: name part must consist of alphanumeric characters, '-', '_' or '.'` });
      if (typeof value !== "string") errors.push({ path: ["metadata", field, key], type: "FieldValueTypeInvalid", message: "Invalid value: must be a string" });
      else if (field === "labels" && (value.length > 63 || !labelValue.test(value))) errors.push({ path: ["metadata", field, key], type: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: a valid label value must be 63 characters or less and consist of alphanumerics, '-', '_' or '.'` });
    }
  }
  return errors;
}

export function findCrd(crds: readonly CrdLike[], apiVersion: unknown, kind: unknown): { crd: CrdLike; version: CrdLike["spec"]["versions"][number] } | string {
  if (typeof apiVersion !== "string" || !apiVersion.includes("/")) return `apiVersion ${JSON.stringify(apiVersion)} must be <group>/<version>`;
  const [group, version] = apiVersion.split("/") as [string, string];
  const candidates = crds.filter((c) => c.spec.group === group);
  const crd = candidates.find((c) => c.spec.names.kind === kind);
  if (!crd) {
    const known = candidates.map((c) => c.spec.names.kind).join(", ");
    return `no kind ${JSON.stringify(kind)} in group ${group}${known ? ` (known kinds: ${known})` : ""}`;
  }
  const served = crd.spec.versions.find((v) => v.name === version && v.served);
  if (!served) return `version ${JSON.stringify(version)} of ${crd.spec.names.kind} is not served (served: ${crd.spec.versions.filter((v) => v.served).map((v) => v.name).join(", ")})`;
  return { crd, version: served };
}

export function validateResource(object: unknown, crds: readonly CrdLike[]): ResourceResult {
  const obj = isPlainObject(object) ? object : {};
  const kind = typeof obj.kind === "string" ? obj.kind : "?";
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === "string" ? meta.name : "?";
  const found = findCrd(crds, obj.apiVersion, obj.kind);
  if (typeof found === "string") {
    return { kind, name, defaulted: obj, errors: [{ path: ["kind"], type: "FieldValueNotSupported", message: found }] };
  }
  const errors = validateMetadata(obj.metadata, true);
  const schema = found.version.schema?.openAPIV3Schema;
  if (!schema) return { kind, name, defaulted: obj, errors };
  // Metadata is validated above by the rules of ObjectMeta, not by the CRD schema.
  const { metadata, ...rest } = obj;
  const defaulted = { ...(applyDefaults(schema, rest) as Record<string, unknown>), metadata };
  const bodySchema: SchemaNode = { ...schema, properties: { ...schema.properties, metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } };
  errors.push(...validateStructural(bodySchema, defaulted, { reportUnknownFields: true }));
  errors.push(...validateCel(bodySchema, defaulted));
  return { kind, name, defaulted, errors };
}
