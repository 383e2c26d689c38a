// Authentication and RBAC conformance: the same table against the embedded control plane and,
// with DMAC_CONFORMANCE_KUBECONFIG, a real cluster (whose kubeconfig must be an admin's).
// A ServiceAccount gets a token through the TokenRequest API and a Role; every row is a request
// that rule grants (200) or does not (403 with kube-apiserver's message), and the credential rows
// are 401s. Rows that need the server's signing key (an expired token) run embedded only.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane } from "../../apps/control-plane/index.js";
import { ServiceAccountTokens } from "../../apps/control-plane/service-account-tokens.js";
import { renderedOperatorRbac } from "../support/operator-stack.js";
import { FIXTURES, startTarget, uniqueName, type RawResponse, type Target } from "./harness.js";

const json = { "Content-Type": "application/json" };
const mergePatch = { "Content-Type": "application/merge-patch+json" };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

let target: Target;
let nsA: string;
let nsB: string;
let token: string;
const account = "tester";

async function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = json): Promise<RawResponse> {
  const res = await target.request(method, path, body === undefined ? undefined : JSON.stringify(body), headers);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res;
}

async function issueToken(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<RawResponse> {
  return target.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec }), json);
}

const as = (t: string, method: string, path: string, body?: unknown, headers: Record<string, string> = json) =>
  target.requestWithout(method, path, body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), { ...headers, ...bearer(t) });

beforeAll(async () => {
  target = await startTarget();
  nsA = uniqueName("auth-a");
  nsB = uniqueName("auth-b");
  await target.kubectl(["apply", "-f", join(FIXTURES, "widget-crd.yaml")]);
  for (const ns of [nsA, nsB]) await admin("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  await admin("POST", `/api/v1/namespaces/${nsA}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account } });
  await admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${nsA}/roles`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "tester" },
    rules: [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["update"], resourceNames: ["allowed"] },
      { apiGroups: ["test.dmac.ioos.us"], resources: ["widgets/status"], verbs: ["patch"] },
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["create"] },
    ],
  });
  await admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${nsA}/rolebindings`, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "tester" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tester" },
    subjects: [{ kind: "ServiceAccount", name: account, namespace: nsA }],
  });
  for (const name of ["allowed", "other"]) await admin("POST", `/api/v1/namespaces/${nsA}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } });
  await admin("POST", `/api/v1/namespaces/${nsB}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "elsewhere" } });
  await admin("POST", `/apis/test.dmac.ioos.us/v1alpha1/namespaces/${nsA}/widgets`, { apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name: "w" }, spec: { color: "red", size: 1 } });
  const issued = await issueToken(nsA, account);
  expect(issued.status).toBe(201);
  token = (issued.json().status as { token: string }).token;
}, 120_000);

afterAll(async () => {
  if (!target) return;
  for (const ns of [nsA, nsB]) await target.request("DELETE", `/api/v1/namespaces/${ns}`).catch(() => undefined);
  await target.stop();
});

describe("authentication", () => {
  it("answers 401 Unauthorized without a credential, except /healthz, /livez, /readyz and /version", async () => {
    for (const path of ["/api", "/apis", "/api/v1/namespaces", `/api/v1/namespaces/${nsA}/configmaps`, "/openapi/v3", "/metrics"]) {
      const res = await target.requestWithout("GET", path);
      expect(res.status, path).toBe(401);
      expect(res.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "Unauthorized", code: 401 });
    }
    for (const path of ["/healthz", "/livez", "/readyz", "/version"]) expect((await target.requestWithout("GET", path)).status, path).toBe(200);
  });

  it("answers 401 to malformed, foreign, unsigned, oversized and unknown credentials", async () => {
    const [header, payload] = token.split(".") as [string, string];
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sub: "system:serviceaccount:kube-system:admin" })).toString("base64url")}.${token.split(".")[2]}`;
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const foreign = await new SignJWT(JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>).setProtectedHeader({ alg: "ES256" }).sign(privateKey);
    const cases: Record<string, string> = {
      "a random token": "Bearer 3kq8s9dj2k3l4",
      "no token after Bearer": "Bearer ",
      "another scheme": `Basic ${Buffer.from("admin:admin").toString("base64")}`,
      "a token with spaces": `Bearer ${token} ${token}`,
      "alg none": `Bearer ${unsigned}`,
      "a tampered payload": `Bearer ${tampered}`,
      "another signing key": `Bearer ${foreign}`,
      "a 12 KiB token": `Bearer ${"a".repeat(12 * 1024)}`,
    };
    for (const [what, authorization] of Object.entries(cases)) {
      const res = await target.requestWithout("GET", `/api/v1/namespaces/${nsA}/configmaps`, undefined, { Authorization: authorization }).catch((err: Error) => ({ status: -1, text: err.message }) as RawResponse);
      expect(res.status, what).toBe(401);
    }
    // Still serving.
    expect((await as(token, "GET", `/api/v1/namespaces/${nsA}/configmaps`)).status).toBe(200);
  });

  it("issues expiring ServiceAccount tokens through TokenRequest and refuses bad requests", async () => {
    const issued = await issueToken(nsA, account, { expirationSeconds: 1200 });
    expect(issued.status).toBe(201);
    const body = issued.json() as { kind: string; status: { token: string; expirationTimestamp: string } };
    expect(body.kind).toBe("TokenRequest");
    const lifetime = Date.parse(body.status.expirationTimestamp) - Date.now();
    expect(lifetime).toBeGreaterThan(1100_000);
    expect(lifetime).toBeLessThan(1300_000);
    const claims = JSON.parse(Buffer.from(body.status.token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: `system:serviceaccount:${nsA}:${account}`, "kubernetes.io": { namespace: nsA, serviceaccount: { name: account } } });
    for (const claim of ["iss", "aud", "exp", "iat", "nbf"]) expect(claims[claim], claim).toBeDefined();
    expect((await issueToken(nsA, account, { expirationSeconds: 10 })).status).toBe(422);
    expect((await issueToken(nsA, "no-such-account")).status).toBe(404);
    // A token for another audience does not authenticate to the API server.
    const vault = (await issueToken(nsA, account, { audiences: ["vault"] })).json() as { status: { token: string } };
    expect((await as(vault.status.token, "GET", `/api/v1/namespaces/${nsA}/configmaps`)).status).toBe(401);
  });

  it("stops accepting the tokens of a deleted ServiceAccount", async () => {
    await admin("POST", `/api/v1/namespaces/${nsA}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "short-lived" } });
    const short = (await issueToken(nsA, "short-lived")).json() as { status: { token: string } };
    expect((await as(short.status.token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" })).status).toBe(201);
    await admin("DELETE", `/api/v1/namespaces/${nsA}/serviceaccounts/short-lived`);
    // A real cluster's token cache may keep a deleted account's token valid for a few seconds.
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await as(short.status.token, "GET", "/version")).status) === 200 && (await as(short.status.token, "GET", "/api")).status !== 401) await new Promise((r) => setTimeout(r, 500));
    expect((await as(short.status.token, "GET", "/api")).status).toBe(401);
    expect(status).toBeGreaterThan(0);
  });

  it.skipIf(!!process.env.DMAC_CONFORMANCE_KUBECONFIG)("refuses an expired token signed with the server's own key (embedded: needs the key)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "dmac-auth-expired-"));
    const kubeconfigPath = join(dataDir, "kubeconfig");
    const plane = await startControlPlane({ dataDir: join(dataDir, "state"), port: 0, kubeconfigPath });
    const probe = await startTarget({}, { kubeconfigPath, stop: () => plane.stop() });
    try {
      const created = await probe.request("POST", "/api/v1/namespaces/default/serviceaccounts", JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "old" } }), json);
      const uid = (created.json().metadata as { uid: string }).uid;
      const tokens = ServiceAccountTokens.load(join(dataDir, "state", "pki"));
      const spec = { namespace: "default", serviceAccount: "old", serviceAccountUid: uid, audiences: ["https://kubernetes.default.svc.cluster.local"], expirationSeconds: 600 };
      const { token: current } = await tokens.issue(spec);
      const { token: expired } = await tokens.issue(spec, new Date(Date.now() - 3_600_000));
      const { token: notYet } = await tokens.issue(spec, new Date(Date.now() + 3_600_000));
      const { token: otherUid } = await tokens.issue({ ...spec, serviceAccountUid: randomUUID() });
      expect((await probe.requestWithout("GET", "/api", undefined, bearer(current))).status).toBe(200);
      for (const t of [expired, notYet, otherUid]) expect((await probe.requestWithout("GET", "/api", undefined, bearer(t))).status).toBe(401);
    } finally {
      await probe.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("authorization (RBAC)", () => {
  const user = () => `system:serviceaccount:${nsA}:${account}`;
  const cm = (ns: string, name = "") => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ""}`;
  const widget = (ns: string, sub = "") => `/apis/test.dmac.ioos.us/v1alpha1/namespaces/${ns}/widgets/w${sub}`;

  it("allows exactly what the Role grants, with kube-apiserver's 403 for everything else", async () => {
    const configMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "2" } });
    const rows: Array<[string, string, string, unknown, Record<string, string> | undefined, number, string?]> = [
      ["list in the Role's namespace", "GET", cm(nsA), undefined, undefined, 200],
      ["get one", "GET", cm(nsA, "other"), undefined, undefined, 200],
      ["list in another namespace", "GET", cm(nsB), undefined, undefined, 403, `configmaps is forbidden: User "${user()}" cannot list resource "configmaps" in API group "" in the namespace "${nsB}"`],
      ["watch (not granted)", "GET", `${cm(nsA)}?watch=1`, undefined, undefined, 403, `cannot watch resource "configmaps" in API group "" in the namespace "${nsA}"`],
      ["create (not granted)", "POST", cm(nsA), configMap("new"), json, 403, `cannot create resource "configmaps"`],
      ["delete (not granted)", "DELETE", cm(nsA, "other"), undefined, undefined, 403, `configmaps "other" is forbidden: User "${user()}" cannot delete resource "configmaps"`],
      ["deletecollection (not granted)", "DELETE", cm(nsA), undefined, undefined, 403, `cannot deletecollection resource "configmaps"`],
      ["update the named object", "PUT", cm(nsA, "allowed"), configMap("allowed"), json, 200],
      ["update another name", "PUT", cm(nsA, "other"), configMap("other"), json, 403, `configmaps "other" is forbidden: User "${user()}" cannot update resource "configmaps"`],
      ["a cluster-scoped list", "GET", "/api/v1/namespaces", undefined, undefined, 403, `namespaces is forbidden: User "${user()}" cannot list resource "namespaces" in API group "" at the cluster scope`],
      ["patch the status subresource", "PATCH", widget(nsA, "/status"), { status: { observed: 1 } }, mergePatch, 200],
      ["patch the main resource", "PATCH", widget(nsA), { spec: { size: 2 } }, mergePatch, 403, `widgets.test.dmac.ioos.us "w" is forbidden: User "${user()}" cannot patch resource "widgets" in API group "test.dmac.ioos.us" in the namespace "${nsA}"`],
      ["patch status in another namespace", "PATCH", widget(nsB, "/status"), { status: {} }, mergePatch, 403, `cannot patch resource "widgets/status" in API group "test.dmac.ioos.us" in the namespace "${nsB}"`],
      ["discovery (system:discovery)", "GET", "/apis", undefined, undefined, 200],
      ["a non-resource URL not granted", "GET", "/metrics", undefined, undefined, 403, `forbidden: User "${user()}" cannot get path "/metrics"`],
    ];
    for (const [what, method, path, body, headers, status, message] of rows) {
      const res = await as(token, method, path, body, headers ?? json);
      expect(res.status, `${what}: ${res.text}`).toBe(status);
      if (message) {
        expect(res.json(), what).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
        expect(String(res.json().message), what).toContain(message);
      }
    }
  });

  it("impersonation needs the impersonate verb; the admin has it (kubectl --as)", async () => {
    const res = await as(token, "GET", "/api", undefined, { "Impersonate-User": "someone" });
    expect(res.status).toBe(403);
    expect(String(res.json().message)).toContain(`users "someone" is forbidden: User "${user()}" cannot impersonate resource "users" in API group "" at the cluster scope`);
    const whoami = await target.kubectl(["auth", "whoami", "--as", user(), "-o", "json"]);
    expect((JSON.parse(whoami.stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo).toMatchObject({ username: user(), groups: expect.arrayContaining(["system:serviceaccounts", `system:serviceaccounts:${nsA}`, "system:authenticated"]) as unknown });
  });

  it("kubectl auth can-i answers from the same rules, for the caller (--token) and as another user (--as)", async () => {
    const canI = (args: string[]) => target.kubectl(["auth", "can-i", ...args], { allowFail: true }).then((r) => r.stdout.trim());
    expect(await canI(["list", "configmaps", "-n", nsA, "--token", token])).toBe("yes");
    expect(await canI(["list", "configmaps", "-n", nsB, "--token", token])).toBe("no");
    expect(await canI(["patch", "widgets.test.dmac.ioos.us", "--subresource", "status", "-n", nsA, "--as", user()])).toBe("yes");
    expect(await canI(["patch", "widgets.test.dmac.ioos.us", "-n", nsA, "--as", user()])).toBe("no");
    expect(await canI(["update", "configmaps/allowed", "-n", nsA, "--as", user()])).toBe("yes");
    expect(await canI(["update", "configmaps/other", "-n", nsA, "--as", user()])).toBe("no");
    expect(await canI(["get", "/metrics", "--as", user()])).toBe("no");
    expect(await canI(["create", "secrets", "-A"])).toBe("yes");
  });

  it("kubectl create token issues a token that authenticates as the ServiceAccount", async () => {
    const created = await target.kubectl(["create", "token", account, "-n", nsA, "--duration", "15m"]);
    const claims = JSON.parse(Buffer.from(created.stdout.trim().split(".")[1]!, "base64url").toString()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(900);
    const whoami = await target.kubectl(["auth", "whoami", "--token", created.stdout.trim(), "-o", "json"]);
    expect((JSON.parse(whoami.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username).toBe(user());
  });

  it("prevents escalation: a Role only with permissions held, a binding only to a role whose permissions are held", async () => {
    const role = (name: string, rules: object[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name }, rules });
    const roles = `/apis/rbac.authorization.k8s.io/v1/namespaces/${nsA}/roles`;
    expect((await as(token, "POST", roles, role("held", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]))).status).toBe(201);
    const escalating = await as(token, "POST", roles, role("more", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]));
    expect(escalating.status).toBe(403);
    expect(String(escalating.json().message)).toContain("is attempting to grant RBAC permissions not currently held");
    const bindAdmin = await as(token, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${nsA}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "take-over" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: account, namespace: nsA }],
    });
    expect(bindAdmin.status).toBe(403);
    const bindHeld = await as(token, "POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${nsA}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "share-held" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "held" },
      subjects: [{ kind: "ServiceAccount", name: account, namespace: nsA }],
    });
    expect(bindHeld.status).toBe(201);
  });

  it("kubectl auth can-i --list as the operator's ServiceAccount matches the rules rendered in clusters/local", async () => {
    const domain = uniqueName("auth-domain");
    await admin("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: domain } });
    try {
      const rbac = renderedOperatorRbac(domain);
      const system = rbac.find((o) => o.kind === "ServiceAccount")!.metadata!.namespace!;
      await target.kubectl(["create", "namespace", system], { allowFail: true });
      await target.kubectl(["apply", "-f", "-"], { input: rbac.map((o) => JSON.stringify(o)).join("\n") });
      const operator = `system:serviceaccount:${system}:dmac-operator`;
      // kubectl merges the verbs of one resource across rules: compare resource -> verbs, the same way.
      const expected = (namespace: string): Map<string, Set<string>> => {
        const rules = rbac.filter((o) => o.kind === "ClusterRole" && o.metadata?.name === "dmac-operator")
          .concat(namespace === system ? rbac.filter((o) => o.kind === "Role") : rbac.filter((o) => o.kind === "ClusterRole" && o.metadata?.name === "dmac-operator-domain"))
          .flatMap((o) => (o as unknown as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }).rules);
        const map = new Map<string, Set<string>>();
        for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) map.set(withGroup(res, g), new Set([...(map.get(withGroup(res, g)) ?? []), ...r.verbs]));
        return map;
      };
      for (const namespace of [domain, system]) {
        const listed = await target.kubectl(["auth", "can-i", "--list", "--as", operator, "-n", namespace]);
        const rows = parseCanIList(listed.stdout);
        for (const [resource, verbs] of expected(namespace)) expect([...(rows.get(resource) ?? [])].sort(), `${namespace}: ${resource}\n${listed.stdout}`).toEqual(expect.arrayContaining([...verbs].sort()));
        if (target.embedded) {
          for (const review of ["selfsubjectaccessreviews.authorization.k8s.io", "selfsubjectrulesreviews.authorization.k8s.io", "selfsubjectreviews.authentication.k8s.io"]) rows.delete(review);
          expect(new Map([...rows].map(([k, v]) => [k, [...v].sort()]))).toEqual(new Map([...expected(namespace)].map(([k, v]) => [k, [...v].sort()])));
        }
      }
    } finally {
      await target.request("DELETE", `/api/v1/namespaces/${domain}`).catch(() => undefined);
    }
  });
});

function withGroup(resource: string, group: string): string {
  if (!group) return resource;
  const [base, sub] = resource.split("/");
  return sub ? `${base}.${group}/${sub}` : `${base}.${group}`;
}

/** Resource rows of `kubectl auth can-i --list`: resource.group -> verbs. */
function parseCanIList(text: string): Map<string, Set<string>> {
  const rows = new Map<string, Set<string>>();
  for (const line of text.split("\n").slice(1)) {
    const m = /^(\S+)\s+\[\]\s+\[[^\]]*\]\s+\[([^\]]*)\]/.exec(line);
    if (m) rows.set(m[1]!, new Set([...(rows.get(m[1]!) ?? []), ...m[2]!.split(" ").filter(Boolean)]));
  }
  return rows;
}
