// CustomResourceDefinition objects: validation of the definition itself, the ResourceType it
// serves, and the status kube-apiserver's controllers would set (NamesAccepted, Established).
import { compileErrors } from "./cel.js";
import { checkSchemaTypes, structuralErrors } from "./crd-schema.js";
import type { StatusCause } from "./errors.js";
import type { ResourceType, ResourceVersion } from "./resource-type.js";
import { isPlainObject } from "./schema.js";
import type { JSONSchemaProps, KObject, PrinterColumn } from "./types.js";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

/** Problems with a CRD (422 causes); malformed schema keywords throw 400 as kube's decoder does. */
export function validateCrd(crd: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec as Partial<CrdSpec> | undefined;
  const req = (field: string) => causes.push({ reason: "FieldValueRequired", message: "Required value", field });
  if (!isPlainObject(spec)) {
    req("spec");
    return causes;
  }
  if (!spec.group) req("spec.group");
  if (!spec.names?.plural) req("spec.names.plural");
  if (!spec.names?.kind) req("spec.names.kind");
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") causes.push({ reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(spec.scope ?? "")}: supported values: "Cluster", "Namespaced"`, field: "spec.scope" });
  if (spec.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(crd.metadata.name)}: must be spec.names.plural+"."+spec.group`, field: "metadata.name" });
  }
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) req("spec.versions");
  else {
    const storage = spec.versions.filter((v) => v.storage).length;
    if (storage !== 1) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(spec.versions.map((v) => v.name))}: must have exactly one version marked as storage version`, field: "spec.versions" });
    spec.versions.forEach((v, i) => {
      if (!v.name) req(`spec.versions[${i}].name`);
      const schema = v.schema?.openAPIV3Schema;
      const path = `spec.versions[${i}].schema.openAPIV3Schema`;
      if (!schema) req(path);
      else {
        checkSchemaTypes(schema, path);
        causes.push(...structuralErrors(schema as Record<string, unknown>, path), ...compileErrors(schema, path));
      }
    });
  }
  return causes;
}

export function resourceTypeOf(crd: KObject): ResourceType {
  const spec = crd.spec as CrdSpec;
  const versions: ResourceVersion[] = spec.versions.map((v) => {
    const version: ResourceVersion = {
      name: v.name,
      served: v.served !== false,
      storage: v.storage === true,
      statusSubresource: v.subresources?.status !== undefined,
      printerColumns: v.additionalPrinterColumns ?? [],
    };
    if (v.schema?.openAPIV3Schema) version.schema = v.schema.openAPIV3Schema;
    return version;
  });
  return {
    group: spec.group,
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    namespaced: spec.scope === "Namespaced",
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    versions,
    custom: true,
    hasGeneration: true,
    storedOnly: false,
  };
}

/** The status the apiextensions controllers would converge to, set at write time here. */
export function crdStatus(crd: KObject, now: string): Record<string, unknown> {
  const spec = crd.spec as CrdSpec;
  const names = { ...spec.names, singular: spec.names.singular ?? spec.names.kind.toLowerCase(), listKind: spec.names.listKind ?? `${spec.names.kind}List` };
  const condition = (type: string, reason: string, message: string) => ({ type, status: "True", lastTransitionTime: now, reason, message });
  const previous = (crd.status as { storedVersions?: string[] } | undefined)?.storedVersions ?? [];
  const storage = spec.versions.find((v) => v.storage)?.name;
  return {
    conditions: [condition("NamesAccepted", "NoConflicts", "no conflicts found"), condition("Established", "InitialNamesAccepted", "the initial names have been accepted")],
    acceptedNames: names,
    storedVersions: storage && !previous.includes(storage) ? [...previous, storage] : previous,
  };
}
