// ServiceAccount tokens as kube-apiserver issues them through the TokenRequest API: ES256 JWTs
// with the standard claims (iss, sub, aud, exp, iat, nbf, jti) and the "kubernetes.io" claim
// naming the ServiceAccount (and the object the token is bound to), signed by a key kept in the
// data directory so tokens survive a restart. jose does the JWS work: it never accepts `alg: none`
// and we pin the one algorithm we sign with.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { readOrCreatePrivateFile } from "./private-file.js";

export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** The audiences the API server accepts (kube-apiserver's --api-audiences defaults to the issuer). */
export const API_AUDIENCES: readonly string[] = [SERVICE_ACCOUNT_ISSUER];
const ALGORITHM = "ES256";
/** kube-apiserver refuses TokenRequests shorter than ten minutes. */
export const MIN_EXPIRATION_SECONDS = 600;
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Tokens longer than a JWT header + claims could plausibly be are refused unparsed. */
export const MAX_TOKEN_BYTES = 8 * 1024;

export interface BoundObject {
  readonly kind: "Pod" | "Secret" | "Node";
  readonly name: string;
  readonly uid: string;
}

export interface TokenSpec {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly serviceAccountUid: string;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly boundObject?: BoundObject;
}

export interface VerifiedToken {
  readonly expiresAt: Date;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly serviceAccountUid: string;
  readonly boundObject?: BoundObject;
}

interface KubernetesClaim {
  namespace?: unknown;
  serviceaccount?: { name?: unknown; uid?: unknown };
  pod?: { name?: unknown; uid?: unknown };
  secret?: { name?: unknown; uid?: unknown };
  node?: { name?: unknown; uid?: unknown };
}

export class ServiceAccountTokens {
  private readonly keyId: string;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {
    // kube's key id: the SHA-256 of the public key's DER, base64url.
    this.keyId = createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
  }

  /** The signing key of `dir` (created on first use, mode 0600), or a fresh in-memory one. */
  static load(dir?: string): ServiceAccountTokens {
    if (!dir) {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      return new ServiceAccountTokens(privateKey, publicKey);
    }
    const pem = readOrCreatePrivateFile(join(dir, "service-account.key"), () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
    const privateKey = createPrivateKey(pem);
    return new ServiceAccountTokens(privateKey, createPublicKey(privateKey));
  }

  async issue(spec: TokenSpec, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + spec.expirationSeconds;
    const claim: Record<string, unknown> = { namespace: spec.namespace, serviceaccount: { name: spec.serviceAccount, uid: spec.serviceAccountUid } };
    if (spec.boundObject) claim[spec.boundObject.kind.toLowerCase()] = { name: spec.boundObject.name, uid: spec.boundObject.uid };
    const token = await new SignJWT({ "kubernetes.io": claim })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.keyId })
      .setIssuer(SERVICE_ACCOUNT_ISSUER)
      .setSubject(`system:serviceaccount:${spec.namespace}:${spec.serviceAccount}`)
      .setAudience([...spec.audiences])
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The ServiceAccount a token names, if this server signed it, it is current and meant for the API. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    if (token.length > MAX_TOKEN_BYTES || token.split(".").length !== 3) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: [ALGORITHM], issuer: SERVICE_ACCOUNT_ISSUER, audience: [...API_AUDIENCES], requiredClaims: ["exp", "sub"] });
      const claim = payload["kubernetes.io"] as KubernetesClaim | undefined;
      const namespace = claim?.namespace;
      const name = claim?.serviceaccount?.name;
      const uid = claim?.serviceaccount?.uid;
      if (typeof namespace !== "string" || typeof name !== "string" || typeof uid !== "string") return undefined;
      if (payload.sub !== `system:serviceaccount:${namespace}:${name}`) return undefined;
      const verified: VerifiedToken = { expiresAt: new Date((payload.exp ?? 0) * 1000), namespace, serviceAccount: name, serviceAccountUid: uid };
      for (const kind of ["Pod", "Secret", "Node"] as const) {
        const bound = claim?.[kind.toLowerCase() as "pod" | "secret" | "node"];
        if (bound && typeof bound.name === "string" && typeof bound.uid === "string") return { ...verified, boundObject: { kind, name: bound.name, uid: bound.uid } };
      }
      return verified;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return undefined;
      throw err;
    }
  }
}
