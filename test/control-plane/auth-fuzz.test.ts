// Fuzzing the authenticator: 2,000 Authorization headers from a seeded generator, sent as raw
// bytes over TCP (plain HTTP, so any byte can be sent): random text, JWT-shaped garbage, real
// tokens with one character changed, `alg: none`, HS256 signed with the public key (algorithm
// confusion), foreign keys, truncations and oversized values. Every header HTTP can carry must be
// a 401; bytes HTTP cannot carry are refused by Node's parser (400, 431 beyond 16 KiB); nothing is
// ever a 2xx or 5xx, and the server keeps serving.
import { createHmac, generateKeyPairSync } from "node:crypto";
import { connect } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { mulberry32 } from "../support/prng.js";


/** One raw HTTP/1.1 request; resolves with the status code, or 0 if the connection closed without one. */
function rawGet(port: number, path: string, authorization: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)) : reject(err)));
    // write, not end: a half-closed request may be dropped before an asynchronous answer.
    socket.write(Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: `, "latin1"), authorization, Buffer.from("\r\n\r\n", "latin1")]));
  });
}

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

describe("authentication fuzzing", () => {
  let plane: ControlPlane;
  let port: number;
  let adminToken: string;
  let saToken: string;

  beforeAll(async () => {
    plane = await startControlPlane({ inMemory: true, tls: false });
    port = Number(new URL(plane.url).port);
    const kc = new KubeConfig();
    kc.loadFromString(plane.kubeconfig);
    adminToken = kc.getCurrentUser()!.token!;
    const auth = { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" };
    await fetch(new URL("/api/v1/namespaces/default/serviceaccounts", plane.url), { method: "POST", headers: auth, body: JSON.stringify({ metadata: { name: "fuzz" } }) });
    const issued = await fetch(new URL("/api/v1/namespaces/default/serviceaccounts/fuzz/token", plane.url), { method: "POST", headers: auth, body: JSON.stringify({ spec: {} }) });
    saToken = ((await issued.json()) as { status: { token: string } }).status.token;
  });

  afterAll(() => plane?.stop());

  it("2,000 hostile Authorization headers: 401 (or the HTTP parser's 400/431), never 2xx or 5xx, and the server keeps serving", async () => {
    const random = mulberry32(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const text = (n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ") => Array.from({ length: n }, () => pick([...alphabet])).join("");
    const [header, payload, signature] = saToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const publicPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" });
    const { privateKey: foreignKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: "ES256" }).sign(foreignKey);
    const hs256 = `${b64({ alg: "HS256", typ: "JWT" })}.${payload}`;
    const confused = `${hs256}.${createHmac("sha256", publicPem).update(hs256).digest("base64url")}`;
    const generators: Array<() => Buffer> = [
      () => Buffer.from(`Bearer ${text(1 + Math.floor(random() * 200))}`),
      () => Buffer.from(`Bearer ${b64(text(20))}.${b64(text(40))}.${b64(text(30))}`),
      () => {
        const chars = [...saToken];
        const at = Math.floor(random() * chars.length);
        chars[at] = chars[at] === "A" ? "B" : "A";
        return Buffer.from(`Bearer ${chars.join("")}`);
      },
      () => Buffer.from(`Bearer ${b64({ alg: pick(["none", "None", "NONE", "nOnE"]), typ: "JWT" })}.${payload}.${pick(["", signature])}`),
      () => Buffer.from(`Bearer ${confused}`),
      () => Buffer.from(`Bearer ${foreign}`),
      () => Buffer.from(`Bearer ${saToken.slice(0, Math.floor(random() * saToken.length))}`),
      () => Buffer.from(`Bearer ${header}.${b64({ ...claims, exp: 1, iat: 0, nbf: 0 })}.${signature}`),
      () => Buffer.from(`Bearer ${header}.${b64({ ...claims, "kubernetes.io": { namespace: "kube-system", serviceaccount: { name: "admin", uid: "x" } } })}.${signature}`),
      () => Buffer.from(`${pick(["Basic", "Digest", "bearer", "Token", ""])} ${text(30)}`),
      () => Buffer.from(`Bearer ${adminToken.slice(0, -1)}${pick(["x", "", "=", " "])}`),
      () => Buffer.from(`Bearer ${"a".repeat(1000 + Math.floor(random() * 14_000))}`),
      () => Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))),
    ];
    const seen = new Map<number, number>();
    for (let i = 0; i < 2000; i += 1) {
      const authorization = pick(generators)();
      const status = await rawGet(port, pick(["/api", "/apis", "/api/v1/namespaces", "/metrics", "/openapi/v3"]), authorization);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      const httpSafe = authorization.every((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f));
      if (httpSafe && authorization.length < 15_000) expect(status, authorization.toString("latin1").slice(0, 120)).toBe(401);
      else expect([400, 401, 431], authorization.toString("latin1").slice(0, 120)).toContain(status);
    }
    expect(seen.get(401) ?? 0).toBeGreaterThan(1500);
    const alive = await fetch(new URL("/api/v1/namespaces", plane.url), { headers: { Authorization: `Bearer ${adminToken}` } });
    expect(alive.status).toBe(200);
  }, 120_000);
});
