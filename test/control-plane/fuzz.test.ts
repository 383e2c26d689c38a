// Fuzzing the control plane's write paths (issue #22): 3,000 seeded random writes (create, update,
// the four patch types) whose keys and pointer tokens are drawn from Object.prototype's names,
// with deep nesting, copy amplification and random content types. No answer may be a 5xx,
// Object.prototype must not change, and the server keeps serving.
import { mulberry32 } from "../support/prng.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane } from "../../apps/control-plane/index.js";
import { INHERITED_NAMES } from "../../apps/shared/own.js";

const CASES = 3_000;


let cp: ControlPlane;
let headers: Record<string, string> = {};
const errors: Error[] = [];

beforeAll(async () => {
  // Plain HTTP so fetch needs no CA; the admin token still authenticates every request.
  cp = await startControlPlane({ inMemory: true, port: 0, tls: false, onError: (err) => errors.push(err) });
  const token = /token: (\S+)/.exec(cp.kubeconfig)?.[1];
  if (token) headers = { Authorization: `Bearer ${token}` };
  const create = (path: string, body: unknown) => fetch(`${cp.url}${path}`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect((await create("/api/v1/namespaces", { metadata: { name: "fuzz" } })).status).toBe(201);
});
afterAll(async () => cp?.stop());

describe("fuzzing the control plane's writes", () => {
  it(`answers ${CASES} random hostile writes without a 5xx and without touching Object.prototype`, async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort().join(",");
    const rnd = mulberry32(20261207);
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
    const KEYS = [...INHERITED_NAMES, "a", "b", "data", "metadata", "spec", "labels", "annotations", "x.y/z", "$patch", "$retainKeys", "-bad"];
    const key = () => pick(KEYS);
    const value = (depth = 0): unknown => {
      const r = int(depth > 4 ? 3 : 6);
      if (r === 0) return pick(["v", "", 1, null, true]);
      if (r === 1) return pick(INHERITED_NAMES);
      if (r === 2) return "x".repeat(int(2000));
      if (r === 3) return Array.from({ length: int(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: int(4) }, () => [key(), value(depth + 1)]));
    };
    const pointer = () => `/${Array.from({ length: 1 + int(4) }, () => (rnd() < 0.7 ? key() : pick(["0", "-", "99", "~1", "~0"]))).join("/")}`;
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const kinds = [
      { path: "/api/v1/namespaces/fuzz/configmaps", named: "cm" },
      { path: "/apis/argoproj.io/v1alpha1/namespaces/fuzz/applications", named: "app" },
      { path: "/api/v1/namespaces/fuzz/secrets", named: "secret" },
    ];
    for (const kind of kinds) {
      const res = await fetch(`${cp.url}${kind.path}`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ metadata: { name: kind.named }, ...(kind.named === "app" ? { spec: { a: 1 } } : { data: {} }) }) });
      expect(res.status).toBe(201);
    }
    const failures: string[] = [];
    const seen = new Map<number, number>();
    for (let i = 0; i < CASES; i++) {
      const kind = pick(kinds);
      const r = int(10);
      let method = "PATCH";
      let url = `${kind.path}/${kind.named}`;
      let type = pick(["application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"]);
      let body: string;
      if (r < 3) {
        type = "application/json-patch+json";
        const ops = Array.from({ length: 1 + int(5) }, () => ({ op: pick(["add", "replace", "remove", "copy", "move", "test", "nope"]), path: pointer(), ...(rnd() < 0.5 ? { from: rnd() < 0.5 ? pointer() : pick(["/data", "/spec", "/metadata"]) } : {}), value: value() }));
        if (rnd() < 0.1) {
          // Amplification: a value doubled by copies of its parent until the copy budget stops it.
          const root = kind.named === "app" ? "/spec" : "/data";
          ops.splice(0, ops.length, { op: "add", path: `${root}/big`, from: root, value: "x".repeat(10_000) }, ...Array.from({ length: 30 }, (_, j) => ({ op: "copy", from: root, path: `${root}/c${j}`, value: null })));
        }
        body = JSON.stringify(ops);
      } else if (r < 8) {
        const patch = { [pick(["data", "spec", "metadata", key()])]: value(), ...(rnd() < 0.3 ? { metadata: { labels: { [key()]: "v" }, annotations: { [key()]: pick(["v", 1, "x".repeat(int(300_000))]) } } } : {}) };
        body = type === "application/apply-patch+yaml" ? JSON.stringify({ apiVersion: kind.named === "app" ? "argoproj.io/v1alpha1" : "v1", kind: kind.named === "app" ? "Application" : kind.named === "cm" ? "ConfigMap" : "Secret", metadata: { name: kind.named }, ...patch }) : JSON.stringify(patch);
        if (type === "application/apply-patch+yaml") url += "?fieldManager=" + encodeURIComponent(pick(["fuzz", ...INHERITED_NAMES])) + (rnd() < 0.5 ? "&force=true" : "");
        if (rnd() < 0.05) body = `{"data":${deep(200 + int(5000))}}`;
        if (rnd() < 0.05) body = body.replace(/^\{/, '{"__proto__":{"polluted":1},');
      } else {
        method = pick(["POST", "PUT"]);
        url = method === "POST" ? kind.path : `${kind.path}/${kind.named}`;
        type = pick(["application/json", "application/yaml", "text/plain", "", "application/x-www-form-urlencoded"]);
        body = JSON.stringify({ metadata: { name: method === "PUT" ? kind.named : `n${i}`, labels: { [key()]: "v" }, annotations: { [key()]: "v" } }, [pick(["data", "spec", key()])]: value() });
      }
      const res = await fetch(`${cp.url}${url}`, { method, headers: { ...headers, ...(type ? { "Content-Type": type } : {}) }, body });
      const text = await res.text();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if ((res.status >= 500 || text.includes("    at ")) && failures.length < 10) failures.push(`${res.status} ${method} ${url} ${type} ${body.slice(0, 300)} -> ${text.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join(",")).toBe(before);
    // The generator reaches successful writes, not only refusals.
    expect(seen.get(200) ?? 0).toBeGreaterThan(CASES / 20);
    expect([...seen.keys()].filter((s) => s >= 400).sort()).toEqual(expect.arrayContaining([400, 413, 415, 422]));
    const ns = await fetch(`${cp.url}/api/v1/namespaces`, { headers });
    expect(ns.status).toBe(200);
  }, 180_000);
});
