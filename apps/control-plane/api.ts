// The resource operations behind the REST endpoints: create, read, list, update, patch,
// delete, each with kube-apiserver's semantics (resourceVersion preconditions, generation,
// status subresource, schema validation with pruning and defaulting, finalizers). HTTP-free so
// the built-in controllers (garbage collector, namespace and CRD cleanup) call the same code.
import { setOwn } from "../shared/own.js";
import { randomUUID } from "node:crypto";
import { evaluateRules } from "./cel.js";
import { crdStatus, resourceTypeOf, validateCrd } from "./crd.js";
import { ApiError, errors, type StatusCause } from "./errors.js";
import { recordUpdate, serverSideApply } from "./field-manager.js";
import { validateAnnotations, validateLabels, validateName } from "./names.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import type { Registry } from "./registry.js";
import { bucketOf, groupVersion, storageVersion, type ResourceType, type ResourceVersion } from "./resource-type.js";
import { applyDefaults, deepEqual, isPlainObject, prune, validate } from "./schema.js";
import { buildSelector } from "./selectors.js";
import type { Store } from "./store.js";
import type { KObject } from "./types.js";
import { metaTime } from "./serialize.js";
import type { UserInfo } from "./rbac.js";

/** etcd's default request limit: kube-apiserver cannot store a larger object. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export interface Target {
  type: ResourceType;
  version: ResourceVersion;
  namespace?: string;
  name?: string;
  subresource?: "status";
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  force?: boolean;
  /** Who asks (authenticated requests): admission checks such as RBAC escalation prevention read it. */
  user?: UserInfo;
}

/** A write about to be stored, after validation: what an admission check sees. */
export interface AdmissionRequest {
  readonly target: Target;
  readonly object: KObject;
  readonly old: KObject | undefined;
  readonly user: UserInfo | undefined;
}

/** Throws an ApiError to refuse a write. */
export type AdmissionCheck = (request: AdmissionRequest) => void;

export interface WriteResult {
  object: KObject;
  warnings: string[];
  created?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** With resourceVersionMatch=Exact: list as of this resourceVersion. */
  exactResourceVersion?: number;
}

export interface ListResult {
  resourceVersion: string;
  items: KObject[];
  continue?: string;
  remainingItemCount?: number;
}

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

const timestamp = (): string => metaTime();

export class Api {
  /** Run on every create and update after validation, in order (the control plane's admission chain). */
  readonly admissionChecks: AdmissionCheck[] = [];

  constructor(
    readonly store: Store,
    readonly registry: Registry,
  ) {}

  /** Serves the object as the requested version (all versions share one schema-less conversion: None). */
  view(object: KObject, target: Target): KObject {
    const apiVersion = groupVersion(target.type.group, target.version.name);
    return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
  }

  get(target: Target): KObject {
    return this.view(this.require(target), target);
  }

  list(target: Target, options: ListOptions = {}): ListResult {
    const selector = buildSelector(options.labelSelector, options.fieldSelector, target.type.kind, target.type.group);
    const bucket = bucketOf(target.type);
    const namespace = target.type.namespaced ? target.namespace : undefined;
    let rv = this.store.resourceVersion;
    let items: KObject[];
    if (options.continue) {
      // Later pages show the state at the first page's resourceVersion, as etcd does.
      const token = decodeContinue(options.continue);
      const snapshot = this.store.listAt(bucket, namespace, token.rv);
      if (snapshot === undefined) {
        throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.", {});
      }
      rv = token.rv;
      items = snapshot.filter(selector).filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > token.start);
    } else if (options.exactResourceVersion !== undefined) {
      const snapshot = this.store.listAt(bucket, namespace, options.exactResourceVersion);
      if (snapshot === undefined || options.exactResourceVersion > this.store.resourceVersion) {
        throw new ApiError(410, "Expired", `too old resource version: ${options.exactResourceVersion} (${this.store.oldestWatchableRv})`, {});
      }
      rv = options.exactResourceVersion;
      items = snapshot.filter(selector);
    } else items = this.store.list(bucket, namespace).filter(selector);
    const result: ListResult = { resourceVersion: String(rv), items };
    if (options.limit !== undefined && options.limit > 0 && items.length > options.limit) {
      const page = items.slice(0, options.limit);
      const last = page[page.length - 1]!;
      result.items = page;
      result.continue = encodeContinue({ rv, start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` });
      result.remainingItemCount = items.length - page.length;
    }
    result.items = result.items.map((o) => this.view(o, target));
    return result;
  }

  async create(target: Target, body: unknown, options: WriteOptions = {}, appliedManagedFields?: KObject["metadata"]["managedFields"]): Promise<WriteResult> {
    const { type } = target;
    const candidate = this.checkEnvelope(target, body);
    const meta = candidate.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    if (type.namespaced) {
      meta.namespace = target.namespace ?? meta.namespace;
      if (!meta.namespace) throw errors.badRequest("the server could not find the requested resource: a namespace is required");
    } else delete meta.namespace;
    if (!meta.name) {
      throw errors.invalid(type.kind, type.group, "", [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }]);
    }
    const name = meta.name;
    if (type.namespaced) this.requireWritableNamespace(meta.namespace!, type);
    if (this.store.get(bucketOf(type), meta.namespace, name)) throw errors.alreadyExists(type.plural, type.group, name);
    if (target.subresource) throw errors.methodNotAllowed(`create is not supported on the ${target.subresource} subresource`);

    Object.assign(meta, { uid: randomUUID(), creationTimestamp: timestamp() });
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    if (type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    if (target.version.statusSubresource && type.custom) delete candidate.status;
    this.onCreateDefaults(type, candidate);
    const warnings = this.admit(target, candidate, undefined, options);
    candidate.metadata.managedFields = appliedManagedFields ?? recordUpdate(undefined, candidate, managerOf(options), undefined, !target.version.statusSubresource, target.version.schema);
    checkSize(candidate);
    if (options.dryRun) return { object: this.view(candidate, target), warnings, created: true };
    const { object, durable } = this.store.put(bucketOf(type), this.toStorage(candidate, type));
    this.afterWrite(type, object);
    await durable;
    return { object: this.view(object, target), warnings, created: true };
  }

  async update(target: Target, body: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    const candidate = this.checkEnvelope(target, body);
    const current = this.require(target);
    const rv = candidate.metadata.resourceVersion;
    if (!rv && target.type.custom) {
      throw errors.invalid(target.type.kind, target.type.group, target.name ?? "", [{ reason: "FieldValueInvalid", message: "Invalid value: 0x0: must be specified for an update", field: "metadata.resourceVersion" }]);
    }
    return this.replace(target, current, candidate, options, undefined);
  }

  async patch(target: Target, contentType: string, patch: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    const { type } = target;
    const bucket = bucketOf(type);
    const current = this.store.get(bucket, type.namespaced ? target.namespace : undefined, target.name ?? "");
    const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
    if (mediaType === PATCH_TYPES.apply) {
      if (!options.fieldManager) throw errors.badRequest("PATCH apply requests require a fieldManager query parameter (metadata.managedFields: fieldManager is required)");
      const applied = this.checkEnvelope(target, patch);
      if (!current) {
        const created = serverSideApply(undefined, applied, options.fieldManager, options.force ?? false, target.subresource, !target.version.statusSubresource, target.version.schema);
        return this.create(target, created, options, created.metadata.managedFields ?? []);
      }
      const view = this.view(current, target);
      const merged = serverSideApply(view, applied, options.fieldManager, options.force ?? false, target.subresource, !target.version.statusSubresource || target.subresource === "status", target.version.schema);
      merged.metadata.resourceVersion = applied.metadata.resourceVersion ?? current.metadata.resourceVersion!;
      return this.replace(target, current, merged, options, merged.metadata.managedFields ?? []);
    }
    if (!current) throw errors.notFound(type.plural, type.group, target.name ?? "");
    const view = structuredClone(this.view(current, target));
    let result: unknown;
    if (mediaType === PATCH_TYPES.merge || mediaType === "application/json") {
      if (!isPlainObject(patch)) throw errors.badRequest("the request body of a merge patch must be a JSON object");
      result = mergePatch(view, patch);
    } else if (mediaType === PATCH_TYPES.json) result = jsonPatch(view, patch);
    else if (mediaType === PATCH_TYPES.strategic) {
      if (type.custom) throw errors.unsupportedMediaType(contentType);
      result = strategicMergePatch(view, patch);
    } else throw errors.unsupportedMediaType(contentType);
    if (!isPlainObject(result)) throw errors.badRequest("the patch did not result in an object");
    const candidate = this.checkEnvelope(target, result);
    return this.replace(target, current, candidate, options, undefined);
  }

  async delete(target: Target, options: DeleteOptions = {}): Promise<{ object: KObject; removed: boolean }> {
    const { type } = target;
    const current = this.require(target);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(type.plural, type.group, current.metadata.name!, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(type.plural, type.group, current.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const finalizers = [...(current.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy === "Foreground" && !finalizers.includes("foregroundDeletion")) finalizers.push("foregroundDeletion");
    if (policy === "Orphan" && !finalizers.includes("orphan")) finalizers.push("orphan");
    if (type.group === "" && type.plural === "namespaces") {
      return this.markDeleting(target, current, finalizers, options, (o) => {
        o.spec = { ...(isPlainObject(o.spec) ? o.spec : {}), finalizers: ["kubernetes"] };
        o.status = { ...(isPlainObject(o.status) ? o.status : {}), phase: "Terminating" };
      });
    }
    if (type.group === "apiextensions.k8s.io" && type.plural === "customresourcedefinitions") {
      if (!finalizers.includes(CRD_CLEANUP)) finalizers.push(CRD_CLEANUP);
    }
    if (finalizers.length > 0) return this.markDeleting(target, current, finalizers, options);
    if (options.dryRun) return { object: this.view(current, target), removed: true };
    const { object, durable } = this.store.remove(bucketOf(type), current);
    this.afterRemove(type, object);
    await durable;
    return { object: this.view(object, target), removed: true };
  }

  async deleteCollection(target: Target, list: ListOptions, options: DeleteOptions = {}): Promise<KObject[]> {
    const { items } = this.list(target, { ...list, limit: undefined, continue: undefined });
    const deleted: KObject[] = [];
    for (const item of items) {
      try {
        const { object } = await this.delete({ ...target, namespace: item.metadata.namespace, name: item.metadata.name! }, options);
        deleted.push(object);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return deleted;
  }

  /** Registers every stored CRD's endpoints (startup after a restart). */
  registerStoredCrds(): void {
    for (const crd of this.store.list("apiextensions.k8s.io/customresourcedefinitions")) this.registry.register(resourceTypeOf(crd));
  }

  private async markDeleting(target: Target, current: KObject, finalizers: string[], options: DeleteOptions, mutate?: (o: KObject) => void): Promise<{ object: KObject; removed: boolean }> {
    if (current.metadata.deletionTimestamp && deepEqual(finalizers, current.metadata.finalizers ?? [])) return { object: this.view(current, target), removed: false };
    const next = structuredClone(current);
    if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (target.type.hasGeneration) next.metadata.generation = (next.metadata.generation ?? 0) + 1;
    }
    next.metadata.finalizers = finalizers;
    mutate?.(next);
    if (options.dryRun) return { object: this.view(next, target), removed: false };
    const { object, durable } = this.store.put(bucketOf(target.type), next);
    await durable;
    return { object: this.view(object, target), removed: false };
  }

  /** The shared path of PUT, PATCH and apply: preconditions, status split, generation, admission, write. */
  private async replace(target: Target, current: KObject, candidate: KObject, options: WriteOptions, appliedManagedFields: KObject["metadata"]["managedFields"] | undefined): Promise<WriteResult> {
    const { type } = target;
    const name = current.metadata.name!;
    if (candidate.metadata.name !== undefined && candidate.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${candidate.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = candidate.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) {
      throw errors.conflict(type.plural, type.group, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    let next: KObject;
    if (target.subresource === "status") {
      next = { ...structuredClone(current), status: candidate.status };
      if (candidate.status === undefined) delete next.status;
      next.apiVersion = candidate.apiVersion;
    } else {
      next = candidate;
      if (target.version.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
    }
    const cm = current.metadata;
    const meta = next.metadata;
    meta.name = name;
    if (type.namespaced) meta.namespace = cm.namespace!;
    else delete meta.namespace;
    meta.uid = cm.uid!;
    meta.creationTimestamp = cm.creationTimestamp!;
    for (const field of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
      if (cm[field] === undefined) delete meta[field];
      else (meta as Record<string, unknown>)[field] = cm[field];
    }
    if (cm.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(cm.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw errors.invalid(type.kind, type.group, name, [{ reason: "FieldValueForbidden", message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, field: "metadata.finalizers" }]);
      }
    }
    if (type.hasGeneration) meta.generation = (cm.generation ?? 1) + (specChanged(current, next) ? 1 : 0);
    else delete meta.generation;
    if (isImmutable(current) && type.group === "" && (type.plural === "configmaps" || type.plural === "secrets")) {
      if (!deepEqual(current.data, next.data) || !deepEqual(current.binaryData, next.binaryData) || next.immutable !== true) {
        throw errors.invalid(type.kind, type.group, name, [{ reason: "FieldValueForbidden", message: "Forbidden: field is immutable when `immutable` is set", field: "data" }]);
      }
    }
    const warnings = this.admit(target, next, this.view(current, target), options);
    meta.managedFields = appliedManagedFields ?? recordUpdate(this.view(current, target), next, managerOf(options), target.subresource, !target.version.statusSubresource || target.subresource === "status", target.version.schema);
    checkSize(next);
    if (options.dryRun) return { object: this.view({ ...next, metadata: { ...meta, resourceVersion: cm.resourceVersion! } }, target), warnings };
    const unchanged = deepEqual({ ...next, apiVersion: "", metadata: { ...meta, resourceVersion: "", managedFields: [] } }, { ...this.view(current, target), apiVersion: "", metadata: { ...cm, resourceVersion: "", managedFields: [] } });
    // A no-op write keeps its resourceVersion and emits no watch event, as in kube-apiserver.
    if (unchanged && !deletionDone(next)) return { object: this.view(current, target), warnings };
    const bucket = bucketOf(type);
    if (deletionDone(next)) {
      const stored = this.store.put(bucket, this.toStorage(next, type));
      const { object, durable } = this.store.remove(bucket, stored.object);
      this.afterRemove(type, object);
      await Promise.all([stored.durable, durable]);
      return { object: this.view(object, target), warnings };
    }
    const { object, durable } = this.store.put(bucket, this.toStorage(next, type));
    this.afterWrite(type, object);
    await durable;
    return { object: this.view(object, target), warnings };
  }

  /** Pruning, defaulting, validation (schema, CEL, metadata) and kind-specific rules; returns warnings. */
  private admit(target: Target, object: KObject, old: KObject | undefined, options: WriteOptions): string[] {
    const { type, version } = target;
    const name = object.metadata.name ?? "";
    const warnings: string[] = [];
    const causes: StatusCause[] = [];
    const schema = version.schema;
    if (schema) {
      const unknown = prune(object, schema);
      const mode = options.fieldValidation ?? "Warn";
      if (unknown.length > 0 && mode === "Strict") {
        const list = unknown.map((f) => `unknown field "${f}"`).join(", ");
        throw errors.badRequest(`${type.kind} in version "${version.name}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`);
      }
      if (mode === "Warn") for (const f of unknown) warnings.push(`unknown field "${f}"`);
      applyDefaults(object, schema);
      causes.push(...validate(object, schema));
      if (causes.length === 0) causes.push(...evaluateRules(object, old, schema));
    }
    const isNamespace = type.group === "" && type.plural === "namespaces";
    const nameRule = isNamespace ? "label" : type.group === "rbac.authorization.k8s.io" ? "path" : "subdomain";
    causes.unshift(...validateName(name, nameRule), ...validateLabels(object.metadata.labels), ...validateAnnotations(object.metadata.annotations));
    if (type.group === "apiextensions.k8s.io" && type.plural === "customresourcedefinitions") {
      causes.push(...validateCrd(object));
      if (causes.length === 0) {
        object.status = crdStatus(object, timestamp());
        const existing = this.registry.byBucket(`${(object.spec as { group: string }).group}/${(object.spec as { names: { plural: string } }).names.plural}`);
        if (existing && this.registry.isBuiltin(bucketOf(existing))) {
          causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: the resource is built into the API server and cannot be redefined`, field: "metadata.name" });
        }
      }
    }
    if (type.group === "" && type.plural === "secrets") applySecretStringData(object, causes);
    if (type.group === "" && (type.plural === "configmaps" || type.plural === "secrets")) causes.push(...configKeyErrors(object));
    if (causes.length > 0) throw errors.invalid(type.kind, type.group, name, causes);
    for (const check of this.admissionChecks) check({ target, object, old, user: options.user });
    return warnings;
  }

  private onCreateDefaults(type: ResourceType, object: KObject): void {
    if (type.group === "" && type.plural === "namespaces") {
      object.spec = { ...(isPlainObject(object.spec) ? object.spec : {}), finalizers: ["kubernetes"] };
      object.status = { phase: "Active" };
    }
    if (type.group === "" && type.plural === "secrets" && !object.type) object.type = "Opaque";
  }

  private afterWrite(type: ResourceType, object: KObject): void {
    if (type.group === "apiextensions.k8s.io" && type.plural === "customresourcedefinitions") this.registry.register(resourceTypeOf(object));
  }

  private afterRemove(type: ResourceType, object: KObject): void {
    if (type.group === "apiextensions.k8s.io" && type.plural === "customresourcedefinitions") {
      const spec = object.spec as { group: string; names: { plural: string } };
      this.registry.unregister(`${spec.group}/${spec.names.plural}`);
    }
  }

  private toStorage(object: KObject, type: ResourceType): KObject {
    const apiVersion = groupVersion(type.group, storageVersion(type).name);
    return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
  }

  private require(target: Target): KObject {
    const { type } = target;
    const object = this.store.get(bucketOf(type), type.namespaced ? target.namespace : undefined, target.name ?? "");
    if (!object) throw errors.notFound(type.plural, type.group, target.name ?? "");
    return object;
  }

  private requireWritableNamespace(namespace: string, type: ResourceType): void {
    const ns = this.store.get("/namespaces", undefined, namespace);
    if (!ns) throw errors.notFound("namespaces", "", namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(403, "Forbidden", `${type.plural} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { name: namespace, kind: "namespaces", causes: [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }] });
    }
  }

  /** apiVersion, kind, namespace and object shape checks every write starts with. */
  private checkEnvelope(target: Target, body: unknown): KObject {
    const { type, version } = target;
    if (!isPlainObject(body)) throw errors.badRequest("Object 'Kind' is missing in the request body: the body must be a JSON or YAML object");
    const expected = groupVersion(type.group, version.name);
    const object = structuredClone(body) as Record<string, unknown>;
    if (object.apiVersion === undefined) object.apiVersion = expected;
    if (object.kind === undefined) object.kind = type.kind;
    if (object.apiVersion !== expected) {
      throw errors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (object.kind !== type.kind) {
      throw errors.badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
    }
    if (object.metadata === undefined) object.metadata = {};
    if (!isPlainObject(object.metadata)) throw errors.badRequest(`${type.kind} in version "${version.name}" cannot be handled as a ${type.kind}: metadata must be an object`);
    const ns = object.metadata.namespace;
    if (type.namespaced && target.namespace && ns !== undefined && ns !== "" && ns !== target.namespace) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (target.name && object.metadata.name !== undefined && object.metadata.name !== target.name) {
      throw errors.badRequest(`the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${target.name})`);
    }
    if (target.name && object.metadata.name === undefined) object.metadata.name = target.name;
    return object as unknown as KObject;
  }
}

export const CRD_CLEANUP = "customresourcecleanup.apiextensions.k8s.io";

function managerOf(options: WriteOptions): string {
  return options.fieldManager ?? "unknown";
}

function deletionDone(object: KObject): boolean {
  // A namespace also waits for its spec.finalizers ("kubernetes": contents removed).
  const nsFinalizers = object.kind === "Namespace" && object.apiVersion === "v1" ? ((object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  return object.metadata.deletionTimestamp !== undefined && (object.metadata.finalizers ?? []).length === 0 && nsFinalizers.length === 0;
}

function isImmutable(object: KObject): boolean {
  return object.immutable === true;
}

/** Anything outside metadata and status is "spec" for generation purposes. */
function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

function checkSize(object: KObject): void {
  const bytes = Buffer.byteLength(JSON.stringify(object));
  if (bytes > MAX_OBJECT_BYTES) throw errors.tooLarge(`etcdserver: request is too large (object is ${bytes} bytes, limit ${MAX_OBJECT_BYTES})`);
}

function applySecretStringData(object: KObject, causes: StatusCause[]): void {
  const stringData = object.stringData;
  if (isPlainObject(stringData)) {
    const data: Record<string, string> = isPlainObject(object.data) ? (object.data as Record<string, string>) : {};
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value !== "string") causes.push({ reason: "FieldValueTypeInvalid", message: "Invalid value: must be a string", field: `stringData[${key}]` });
      else setOwn(data, key, Buffer.from(value, "utf8").toString("base64"));
    }
    object.data = data;
  }
  delete object.stringData;
}

/** ConfigMap/Secret keys: `[-._a-zA-Z0-9]+`, at most 253 characters, not in both data and binaryData. */
function configKeyErrors(object: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const field of ["data", "binaryData"] as const) {
    const map = object[field];
    if (!isPlainObject(map)) continue;
    for (const key of Object.keys(map)) {
      if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253) {
        causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`, field: `${field}[${key}]` });
      }
      if (seen.has(key)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(key)}: duplicate of key present in data`, field: `binaryData[${key}]` });
      seen.add(key);
    }
  }
  return causes;
}

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
function generateName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i += 1) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return prefix.slice(0, 58) + suffix;
}

function encodeContinue(token: { rv: number; start: string }): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", ...token })).toString("base64url");
}

function decodeContinue(text: string): { rv: number; start: string } {
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as { rv?: unknown; start?: unknown };
    if (typeof token.rv === "number" && typeof token.start === "string") return { rv: token.rv, start: token.start };
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(`continue key is not valid: "${text}"`);
}
