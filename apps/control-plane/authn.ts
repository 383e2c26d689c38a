// Who is asking. Bearer tokens only, as kube-apiserver with --anonymous-auth=false and a token
// file: the admin token written into the admin kubeconfig, or a ServiceAccount token this server
// signed (TokenRequest). A token of a ServiceAccount that was deleted (or recreated: new uid), or
// bound to an object that is gone, no longer authenticates.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { readOrCreatePrivateFile } from "./private-file.js";
import { AUTHENTICATED_GROUP, MASTERS_GROUP, serviceAccountUser, type UserInfo } from "./rbac.js";
import { MAX_TOKEN_BYTES, type ServiceAccountTokens, type VerifiedToken } from "./service-account-tokens.js";
import type { Store } from "./store.js";

export const ADMIN_USER: UserInfo = { name: "dmac-admin", groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };

export type Authentication =
  | { readonly kind: "user"; readonly user: UserInfo }
  /** No credential at all: only the public paths answer. */
  | { readonly kind: "none" }
  | { readonly kind: "invalid" };

/** The admin bearer token of a data directory (created on first start, mode 0600), or a fresh one. */
export function loadAdminToken(dir?: string): string {
  const make = () => randomBytes(32).toString("base64url");
  return dir ? readOrCreatePrivateFile(join(dir, "admin-token"), make).trim() : make();
}

const BOUND_BUCKETS = { Pod: "/pods", Secret: "/secrets", Node: "/nodes" } as const;

/** Verified signatures are remembered this long (kube-apiserver caches token authentication for 10 s). */
const VERIFIED_TTL_MS = 10_000;
const VERIFIED_MAX = 1024;

export class Authenticator {
  private readonly adminDigest: Buffer;
  /** token -> its verified claims and until when that may be reused; the account is still checked on every request. */
  private readonly verified = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(
    adminToken: string,
    private readonly tokens: ServiceAccountTokens,
    private readonly store: Store,
  ) {
    this.adminDigest = digest(adminToken);
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (authorization === undefined) return { kind: "none" };
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    if (!match || match[1]!.length > MAX_TOKEN_BYTES) return { kind: "invalid" };
    const token = match[1]!;
    // Compare digests so neither the length nor the prefix of the admin token leaks through timing.
    if (timingSafeEqual(digest(token), this.adminDigest)) return { kind: "user", user: ADMIN_USER };
    const verified = await this.verify(token);
    if (!verified) return { kind: "invalid" };
    const account = this.store.get("/serviceaccounts", verified.namespace, verified.serviceAccount);
    if (!account || account.metadata.uid !== verified.serviceAccountUid || account.metadata.deletionTimestamp) return { kind: "invalid" };
    if (verified.boundObject) {
      const { kind, name, uid } = verified.boundObject;
      const bound = this.store.get(BOUND_BUCKETS[kind], kind === "Node" ? undefined : verified.namespace, name);
      if (!bound || bound.metadata.uid !== uid || bound.metadata.deletionTimestamp) return { kind: "invalid" };
    }
    return { kind: "user", user: serviceAccountUser(verified.namespace, verified.serviceAccount, verified.serviceAccountUid) };
  }

  /** Signature, expiry and audience, checked once per token per 10 s (an ES256 verify costs about 0.1 ms). */
  private async verify(token: string): Promise<VerifiedToken | undefined> {
    const now = Date.now();
    const cached = this.verified.get(token);
    if (cached && cached.until > now) return cached.token;
    const verified = await this.tokens.verify(token);
    if (!verified) return undefined;
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.set(token, { token: verified, until: Math.min(now + VERIFIED_TTL_MS, verified.expiresAt.getTime()) });
    return verified;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
