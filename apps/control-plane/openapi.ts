// /openapi/v3: one OpenAPI 3.0 document per group-version, generated from the registered
// schemas. kubectl uses it for client-side validation and field-validation support detection
// (it looks for a PATCH operation with x-kubernetes-group-version-kind and a fieldValidation
// parameter) and for `kubectl explain`.
import { createHash } from "node:crypto";
import type { Registry } from "./registry.js";
import type { ResourceType } from "./resource-type.js";
import type { JSONSchemaProps } from "./types.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const str = (description: string) => ({ type: "string", description });
const stringMap = (description: string) => ({ type: "object", description, additionalProperties: { type: "string", default: "" } });

const metaSchemas: Record<string, object> = {
  [`${META}.ObjectMeta`]: {
    type: "object",
    description: "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    properties: {
      name: str("Name must be unique within a namespace. Is required when creating resources."),
      generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
      namespace: str("Namespace defines the space within which each name must be unique."),
      uid: str("UID is the unique in time and space value for this object. Populated by the system. Read-only."),
      resourceVersion: str("An opaque value that represents the internal version of this object, used for optimistic concurrency and watches. Populated by the system. Read-only."),
      generation: { type: "integer", format: "int64", description: "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only." },
      creationTimestamp: { ...ref(`${META}.Time`), description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
      deletionTimestamp: { ...ref(`${META}.Time`), description: "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted." },
      deletionGracePeriodSeconds: { type: "integer", format: "int64", description: "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system." },
      labels: stringMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects."),
      annotations: stringMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."),
      finalizers: { type: "array", items: { type: "string", default: "" }, description: "Must be empty before the object is deleted from the registry.", "x-kubernetes-list-type": "set" },
      ownerReferences: { type: "array", items: { allOf: [ref(`${META}.OwnerReference`)], default: {} }, description: "List of objects depended by this object.", "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"] },
      managedFields: { type: "array", items: { allOf: [ref(`${META}.ManagedFieldsEntry`)], default: {} }, description: "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow." },
    },
  },
  [`${META}.OwnerReference`]: {
    type: "object",
    description: "OwnerReference contains enough information to let you identify an owning object.",
    required: ["apiVersion", "kind", "name", "uid"],
    properties: {
      apiVersion: str("API version of the referent."),
      kind: str("Kind of the referent."),
      name: str("Name of the referent."),
      uid: str("UID of the referent."),
      controller: { type: "boolean", description: "If true, this reference points to the managing controller." },
      blockOwnerDeletion: { type: "boolean", description: "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed." },
    },
    "x-kubernetes-map-type": "atomic",
  },
  [`${META}.ManagedFieldsEntry`]: {
    type: "object",
    description: "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    properties: {
      manager: str("Manager is an identifier of the workflow managing these fields."),
      operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created."),
      apiVersion: str("APIVersion defines the version of this resource that this field set applies to."),
      time: { ...ref(`${META}.Time`), description: "Time is the timestamp of when the ManagedFields entry was added." },
      fieldsType: str("FieldsType is the discriminator for the different fields format and version."),
      fieldsV1: { ...ref(`${META}.FieldsV1`), description: "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type." },
      subresource: str("Subresource is the name of the subresource used to update that object."),
    },
  },
  [`${META}.Time`]: { type: "string", format: "date-time", description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON." },
  [`${META}.FieldsV1`]: { type: "object", description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format." },
  [`${META}.ListMeta`]: {
    type: "object",
    description: "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
    properties: { resourceVersion: str("String that identifies the server's internal version of this object."), continue: str("continue may be set if the user set a limit on the number of items returned."), remainingItemCount: { type: "integer", format: "int64", description: "The number of subsequent items in the list which are not included in this list response." } },
  },
  [`${META}.Status`]: { type: "object", description: "Status is a return value for calls that don't return other objects.", properties: { kind: str("Kind"), apiVersion: str("APIVersion"), status: str("Status of the operation."), message: str("A human-readable description of the status of this operation."), reason: str("A machine-readable description of why this operation is in the \"Failure\" status."), code: { type: "integer", format: "int32", description: "Suggested HTTP return code for this status." }, details: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } },
};

export function schemaName(type: ResourceType, version: string): string {
  if (type.group === "") return `io.k8s.api.core.v1.${type.kind}`;
  const reversed = type.group.split(".").reverse().join(".");
  return `${reversed}.${version}.${type.kind}`;
}

function resourceSchema(type: ResourceType, version: string, schema: JSONSchemaProps | undefined): object {
  const gvk = [{ group: type.group, version, kind: type.kind }];
  const base = (schema ? structuredClone(schema) : { type: "object", "x-kubernetes-preserve-unknown-fields": true }) as Record<string, unknown>;
  const properties = { ...((base.properties as Record<string, unknown> | undefined) ?? {}) };
  properties.apiVersion = str("APIVersion defines the versioned schema of this representation of an object.");
  properties.kind = str("Kind is a string value representing the REST resource this object represents.");
  properties.metadata = { allOf: [ref(`${META}.ObjectMeta`)], default: {}, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" };
  return { ...base, type: "object", properties, "x-kubernetes-group-version-kind": gvk };
}

function listSchema(type: ResourceType, version: string): object {
  return {
    type: "object",
    description: `${type.listKind} is a list of ${type.kind}`,
    required: ["items"],
    properties: {
      apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
      kind: str("Kind is a string value representing the REST resource this object represents."),
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {} },
      items: { type: "array", items: ref(schemaName(type, version)) },
    },
    "x-kubernetes-group-version-kind": [{ group: type.group, version, kind: type.listKind }],
  };
}

function operations(type: ResourceType, version: string, prefix: string): Record<string, object> {
  const gvk = { group: type.group, version, kind: type.kind };
  const schema = { content: { "application/json": { schema: ref(schemaName(type, version)) } } };
  const query = (name: string, description: string) => ({ name, in: "query", description, schema: { type: "string", uniqueItems: true } });
  const common = [query("dryRun", "When present, indicates that modifications should not be persisted."), query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."), query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.")];
  const op = (action: string, extra: object) => ({ operationId: `${action}${type.kind}`, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk, responses: { "200": { description: "OK", ...schema } }, ...extra });
  const ns = type.namespaced ? "/namespaces/{namespace}" : "";
  const pathParams = [{ name: "name", in: "path", required: true, schema: { type: "string" } }, ...(type.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] : [])];
  const item = {
    get: op("get", {}),
    put: op("put", { parameters: common, requestBody: schema }),
    patch: op("patch", { parameters: [...common, { name: "force", in: "query", schema: { type: "boolean" } }], requestBody: { content: { "application/json-patch+json": { schema: { type: "object" } }, "application/merge-patch+json": { schema: { type: "object" } }, "application/apply-patch+yaml": { schema: { type: "object" } } } } }),
    delete: op("delete", {}),
    parameters: pathParams,
  };
  const collection = {
    get: { ...op("list", {}), responses: { "200": { description: "OK", content: { "application/json": { schema: ref(`${schemaName(type, version)}List`) } } } } },
    post: op("post", { parameters: common, requestBody: schema }),
    ...(type.namespaced ? { parameters: [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] } : {}),
  };
  return { [`${prefix}${ns}/${type.plural}`]: collection, [`${prefix}${ns}/${type.plural}/{name}`]: item };
}

export interface OpenApiIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

export class OpenApi {
  private cache = new Map<string, { body: string; hash: string }>();
  private cachedAt = -1;

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.cachedAt === this.registry.version) return;
    this.cache = new Map();
    this.cachedAt = this.registry.version;
    for (const [group, versions] of this.registry.groups()) {
      for (const version of versions) {
        const key = group === "" ? `api/${version}` : `apis/${group}/${version}`;
        const body = JSON.stringify(this.document(group, version, `/${key}`));
        this.cache.set(key, { body, hash: createHash("sha512").update(body).digest("hex").slice(0, 128).toUpperCase() });
      }
    }
  }

  index(): OpenApiIndex {
    this.refresh();
    const paths: OpenApiIndex["paths"] = {};
    for (const [key, { hash }] of this.cache) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    return { paths };
  }

  /** The serialized document for "api/v1" or "apis/{group}/{version}", if served. */
  documentFor(key: string): string | undefined {
    this.refresh();
    return this.cache.get(key)?.body;
  }

  private document(group: string, version: string, prefix: string): object {
    const schemas: Record<string, object> = { ...metaSchemas };
    let paths: Record<string, object> = {};
    for (const type of this.registry.all()) {
      const served = type.versions.find((v) => v.name === version && v.served);
      if (type.group !== group || !served || type.virtual) continue;
      schemas[schemaName(type, version)] = resourceSchema(type, version, served.schema);
      schemas[`${schemaName(type, version)}List`] = listSchema(type, version);
      paths = { ...paths, ...operations(type, version, prefix) };
    }
    return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas } };
  }
}
