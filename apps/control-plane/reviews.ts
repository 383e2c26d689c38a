// The create-only APIs that answer questions instead of storing objects: access reviews
// (`kubectl auth can-i`, `--list`), SelfSubjectReview (`kubectl auth whoami`), TokenReview, and
// the TokenRequest subresource of ServiceAccounts (`kubectl create token`).
import type { Authenticator } from "./authn.js";
import { errors, type StatusCause } from "./errors.js";
import type { Guard } from "./guard.js";
import { rulesFor, type UserInfo } from "./rbac.js";
import type { RequestAttributes } from "./request-info.js";
import type { ResourceType } from "./resource-type.js";
import { isPlainObject } from "./schema.js";
import { metaTime } from "./serialize.js";
import { API_AUDIENCES, DEFAULT_EXPIRATION_SECONDS, MIN_EXPIRATION_SECONDS, type BoundObject, type ServiceAccountTokens } from "./service-account-tokens.js";
import type { Store } from "./store.js";

type Body = Record<string, unknown>;

const MAX_EXPIRATION_SECONDS = 2 ** 32;

export class Reviews {
  constructor(
    private readonly guard: Guard,
    private readonly authenticator: Authenticator,
    private readonly tokens: ServiceAccountTokens,
    private readonly store: Store,
  ) {}

  /** The answered object for a POST to one of the review kinds. */
  async answer(type: ResourceType, body: unknown, requester: UserInfo): Promise<Body> {
    const object = envelope(type, body);
    const spec = isPlainObject(object.spec) ? object.spec : {};
    switch (type.kind) {
      case "SelfSubjectAccessReview":
        return { ...object, status: this.access(type, spec, requester) };
      case "SubjectAccessReview":
        return { ...object, status: this.access(type, spec, subjectOf(type, spec)) };
      case "SelfSubjectRulesReview":
        return { ...object, status: this.rules(type, spec, requester) };
      case "SelfSubjectReview":
        return { ...object, status: { userInfo: userInfoOf(requester) } };
      case "TokenReview":
        return { ...object, status: await this.tokenReview(type, spec) };
      default:
        throw errors.methodNotAllowed(`create is not supported for ${type.kind}`);
    }
  }

  /** POST .../namespaces/{namespace}/serviceaccounts/{name}/token. */
  async tokenRequest(namespace: string, name: string, body: unknown): Promise<Body> {
    const request = isPlainObject(body) ? body : {};
    if (request.kind !== undefined && request.kind !== "TokenRequest") throw errors.badRequest(`the kind in the data (${String(request.kind)}) does not match the expected kind (TokenRequest)`);
    const spec = isPlainObject(request.spec) ? request.spec : {};
    const account = this.store.get("/serviceaccounts", namespace, name);
    if (!account || account.metadata.deletionTimestamp) throw errors.notFound("serviceaccounts", "", name);
    const causes: StatusCause[] = [];
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    if (typeof expirationSeconds !== "number" || !Number.isInteger(expirationSeconds)) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(expirationSeconds)}: must be an integer number of seconds`, field: "spec.expirationSeconds" });
    else if (expirationSeconds < MIN_EXPIRATION_SECONDS) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`, field: "spec.expirationSeconds" });
    else if (expirationSeconds > MAX_EXPIRATION_SECONDS) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds`, field: "spec.expirationSeconds" });
    const audiences = spec.audiences === undefined || spec.audiences === null || (Array.isArray(spec.audiences) && spec.audiences.length === 0) ? [...API_AUDIENCES] : spec.audiences;
    if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === "string" && a !== "")) causes.push({ reason: "FieldValueInvalid", message: "Invalid value: audiences must be non-empty strings", field: "spec.audiences" });
    const boundObject = this.boundObject(namespace, spec.boundObjectRef, causes);
    if (causes.length > 0) throw errors.invalid("TokenRequest", "authentication.k8s.io", name, causes);
    const { token, expiresAt } = await this.tokens.issue({ namespace, serviceAccount: name, serviceAccountUid: account.metadata.uid!, audiences: audiences as string[], expirationSeconds: expirationSeconds as number, ...(boundObject ? { boundObject } : {}) });
    return {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: metaTime() },
      spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token, expirationTimestamp: metaTime(expiresAt) },
    };
  }

  private boundObject(namespace: string, ref: unknown, causes: StatusCause[]): BoundObject | undefined {
    if (ref === undefined || ref === null) return undefined;
    if (!isPlainObject(ref) || (ref.kind !== "Pod" && ref.kind !== "Secret") || typeof ref.name !== "string") {
      causes.push({ reason: "FieldValueNotSupported", message: 'Unsupported value: boundObjectRef must name a Pod or a Secret: supported values: "Pod", "Secret"', field: "spec.boundObjectRef.kind" });
      return undefined;
    }
    const object = this.store.get(ref.kind === "Pod" ? "/pods" : "/secrets", namespace, ref.name);
    if (!object || object.metadata.deletionTimestamp) {
      causes.push({ reason: "FieldValueNotFound", message: `Not found: ${ref.kind.toLowerCase()}s "${ref.name}" not found`, field: "spec.boundObjectRef.name" });
      return undefined;
    }
    if (ref.uid !== undefined && ref.uid !== object.metadata.uid) {
      causes.push({ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(ref.uid)}: the object's uid is ${object.metadata.uid}`, field: "spec.boundObjectRef.uid" });
      return undefined;
    }
    return { kind: ref.kind, name: ref.name, uid: object.metadata.uid! };
  }

  private access(type: ResourceType, spec: Body, user: UserInfo): Body {
    const attributes = attributesOf(type, spec);
    const allowed = this.guard.allows(user, attributes);
    return allowed ? { allowed: true } : { allowed: false };
  }

  private rules(type: ResourceType, spec: Body, user: UserInfo): Body {
    const namespace = typeof spec.namespace === "string" ? spec.namespace : "";
    const rules = rulesFor(this.guard.rbac, user, namespace);
    return {
      resourceRules: rules.filter((r) => (r.resources ?? []).length > 0).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames && r.resourceNames.length > 0 ? { resourceNames: r.resourceNames } : {}) })),
      nonResourceRules: rules.filter((r) => (r.nonResourceURLs ?? []).length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
      incomplete: false,
    };
  }

  private async tokenReview(type: ResourceType, spec: Body): Promise<Body> {
    if (typeof spec.token !== "string" || spec.token === "") throw errors.invalid(type.kind, type.group, "", [{ reason: "FieldValueRequired", message: "Required value: token must not be empty", field: "spec.token" }]);
    const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.filter((a): a is string => typeof a === "string") : [...API_AUDIENCES];
    if (!audiences.some((a) => API_AUDIENCES.includes(a))) return { authenticated: false, audiences: [], error: "token audiences are invalid for the target audiences" };
    const result = await this.authenticator.authenticate(`Bearer ${spec.token}`);
    if (result.kind !== "user") return { authenticated: false, error: "invalid bearer token" };
    return { authenticated: true, user: userInfoOf(result.user), audiences: audiences.filter((a) => API_AUDIENCES.includes(a)) };
  }
}

function envelope(type: ResourceType, body: unknown): Body {
  if (!isPlainObject(body)) throw errors.badRequest(`the body of a ${type.kind} must be a JSON or YAML object`);
  const apiVersion = `${type.group}/v1`;
  if (body.kind !== undefined && body.kind !== type.kind) throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
  return { kind: type.kind, apiVersion, metadata: { creationTimestamp: null }, ...(isPlainObject(body.spec) ? { spec: body.spec } : { spec: {} }) };
}

function attributesOf(type: ResourceType, spec: Body): RequestAttributes {
  const resource = spec.resourceAttributes;
  const nonResource = spec.nonResourceAttributes;
  if (isPlainObject(resource) === isPlainObject(nonResource)) {
    throw errors.invalid(type.kind, type.group, "", [{ reason: "FieldValueInvalid", message: "Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified", field: "spec.resourceAttributes" }]);
  }
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  if (isPlainObject(nonResource)) return { kind: "nonResource", verb: text(nonResource.verb), path: text(nonResource.path) };
  const r = resource as Body;
  return { kind: "resource", verb: text(r.verb), apiGroup: text(r.group), apiVersion: text(r.version), resource: text(r.resource), subresource: text(r.subresource), namespace: text(r.namespace), name: text(r.name) };
}

function subjectOf(type: ResourceType, spec: Body): UserInfo {
  const user = typeof spec.user === "string" ? spec.user : "";
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === "string") : [];
  if (!user && groups.length === 0) throw errors.invalid(type.kind, type.group, "", [{ reason: "FieldValueRequired", message: "Required value: at least one of user or group must be specified", field: "spec.user" }]);
  return { name: user, groups, ...(typeof spec.uid === "string" ? { uid: spec.uid } : {}) };
}

function userInfoOf(user: UserInfo): Body {
  return { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups], ...(user.extra ? { extra: user.extra } : {}) };
}
