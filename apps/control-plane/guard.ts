// The gate every request passes before it is routed: authentication (401), impersonation, then
// RBAC authorization (403), with kube-apiserver's status bodies. Only the health and version paths
// answer without a credential, as kube-apiserver's system:public-info-viewer allows.
import type { IncomingHttpHeaders } from "node:http";
import type { Authenticator } from "./authn.js";
import { ApiError, qualifiedResource } from "./errors.js";
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, authorize, forbiddenMessage, parseServiceAccountUser, serviceAccountUser, UNAUTHENTICATED_GROUP, type RbacState, type UserInfo } from "./rbac.js";
import type { RequestAttributes, ResourceAttributes } from "./request-info.js";

const PUBLIC_PATHS = ["/healthz", "/livez", "/readyz", "/version"];

/** GET of a health or version path: answered for anyone, as system:public-info-viewer allows. */
function isPublicRequest(attributes: RequestAttributes): boolean {
  if (attributes.kind !== "nonResource" || attributes.verb !== "get") return false;
  const { path } = attributes;
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export const unauthorized = (): ApiError => new ApiError(401, "Unauthorized", "Unauthorized");

/** kube-apiserver's Forbidden Status for a denied request. */
export function forbidden(user: UserInfo, attributes: RequestAttributes): ApiError {
  const why = forbiddenMessage(user, attributes);
  if (attributes.kind === "nonResource") return new ApiError(403, "Forbidden", `forbidden: ${why}`, {});
  const what = qualifiedResource(attributes.resource, attributes.apiGroup);
  const message = attributes.name ? `${what} "${attributes.name}" is forbidden: ${why}` : `${what} is forbidden: ${why}`;
  return new ApiError(403, "Forbidden", message, { ...(attributes.name ? { name: attributes.name } : {}), group: attributes.apiGroup, kind: attributes.resource });
}

export class Guard {
  constructor(
    private readonly authenticator: Authenticator,
    readonly rbac: RbacState,
  ) {}

  /** The user a request acts as, once it is authenticated and authorized; throws 401/403 otherwise. */
  async admit(headers: IncomingHttpHeaders, attributes: RequestAttributes): Promise<UserInfo> {
    const authn = await this.authenticator.authenticate(single(headers.authorization));
    if (authn.kind === "invalid") throw unauthorized();
    if (authn.kind === "none") {
      if (isPublicRequest(attributes)) return { name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] };
      throw unauthorized();
    }
    const user = this.impersonate(authn.user, headers);
    if (!this.allows(user, attributes)) throw forbidden(user, attributes);
    return user;
  }

  allows(user: UserInfo, attributes: RequestAttributes): boolean {
    if (isPublicRequest(attributes)) return true;
    return authorize(this.rbac, user, attributes).allowed;
  }

  /** Impersonate-User/-Group/-Uid/-Extra-*: each asked-for identity needs the `impersonate` verb. */
  private impersonate(requester: UserInfo, headers: IncomingHttpHeaders): UserInfo {
    const name = single(headers["impersonate-user"]);
    const groups = many(headers["impersonate-group"]);
    const uid = single(headers["impersonate-uid"]);
    const extraHeaders = Object.keys(headers).filter((h) => h.startsWith("impersonate-extra-"));
    if (name === undefined) {
      if (groups.length > 0 || uid !== undefined || extraHeaders.length > 0) throw new ApiError(400, "BadRequest", "requested impersonation of groups, uid or extra fields without impersonating a user", {});
      return requester;
    }
    const check = (resource: string, resourceName: string, namespace = "", apiGroup = "", subresource = ""): void => {
      const attributes: ResourceAttributes = { kind: "resource", verb: "impersonate", apiGroup, apiVersion: "v1", resource, subresource, namespace, name: resourceName };
      if (!authorize(this.rbac, requester, attributes).allowed) throw forbidden(requester, attributes);
    };
    const account = parseServiceAccountUser(name);
    if (account) check("serviceaccounts", account[1], account[0]);
    else check("users", name);
    for (const group of groups) check("groups", group);
    if (uid !== undefined) check("uids", uid, "", "authentication.k8s.io");
    const extra: Record<string, string[]> = {};
    for (const header of extraHeaders) {
      const key = decodeHeaderKey(header.slice("impersonate-extra-".length));
      const values = many(headers[header]);
      for (const value of values) check("userextras", value, "", "authentication.k8s.io", key);
      extra[key] = values;
    }
    const impliedGroups = account ? serviceAccountUser(account[0], account[1]).groups : name === ANONYMOUS_USER ? [UNAUTHENTICATED_GROUP] : [AUTHENTICATED_GROUP];
    return {
      name,
      ...(uid !== undefined ? { uid } : {}),
      groups: [...new Set([...groups, ...impliedGroups])],
      ...(extraHeaders.length > 0 ? { extra } : {}),
    };
  }
}

function decodeHeaderKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    throw new ApiError(400, "BadRequest", `malformed impersonation header key: ${JSON.stringify(key.slice(0, 100))}`, {});
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function many(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}
