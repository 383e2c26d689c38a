// The pieces behind the hostile-input suite, one at a time: the patch engine's guards, server-side
// apply's own-property walks, the body limits, the shared RFC 3339 parser, annotation validation,
// and the 5xx contract (request id in the body and in the log line, nothing internal in the body).
import { Writable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { decodeDocument, createRequestHandler, type HttpContext } from "../../apps/control-plane/http.js";
import { MAX_BODY_DEPTH } from "../../apps/control-plane/limits.js";
import { validateAnnotations } from "../../apps/control-plane/names.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../apps/control-plane/patch.js";
import { serverSideApply } from "../../apps/control-plane/field-manager.js";
import type { KObject } from "../../apps/control-plane/types.js";
import { installErrorHandling } from "../../apps/shared/http-errors.js";
import { installRequestHardening, serverOptions } from "../../apps/shared/http-server.js";
import { checkParsedBody, jsonTextDepthExceeds, yamlFlowDepthExceeds } from "../../apps/shared/nesting.js";
import { INHERITED_NAMES, ownValue, setOwn } from "../../apps/shared/own.js";
import { MAX_INSTANT_MS, MIN_INSTANT_MS, parseRfc3339 } from "../../apps/shared/rfc3339.js";
import { ApiError } from "../../apps/control-plane/errors.js";

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ApiError ? err.code : -1;
  }
};

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");

describe("patch engine", () => {
  const doc = () => ({ metadata: { name: "x", labels: { a: "1" } }, data: { a: "1" } });

  it("pointer tokens resolve own properties only, in every operation", () => {
    const before = prototypeNames();
    for (const path of ["/__proto__/p", "/constructor/prototype/p", "/data/toString/x", "/metadata/hasOwnProperty", "/data/constructor"]) {
      for (const op of [{ op: "add", path: `${path}/y`, value: 1 }, { op: "replace", path, value: 1 }, { op: "remove", path }, { op: "copy", from: path, path: "/data/b" }, { op: "move", from: path, path: "/data/b" }, { op: "test", path, value: 1 }]) {
        expect(status(() => jsonPatch(doc(), [op])), JSON.stringify(op)).toBeGreaterThanOrEqual(400);
      }
    }
    expect(status(() => jsonPatch(doc(), [{ op: "add", path: "/__proto__", value: { p: 1 } }]))).toBe(422);
    expect(prototypeNames()).toBe(before);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    // Inherited names are ordinary own fields once added.
    const patched = jsonPatch(doc(), [{ op: "add", path: "/data/constructor", value: "c" }, { op: "add", path: "/data/toString", value: "t" }, { op: "copy", from: "/data/constructor", path: "/data/prototype" }]) as ReturnType<typeof doc>;
    expect(patched.data).toEqual({ a: "1", constructor: "c", toString: "t", prototype: "c" });
  });

  it("caps operations and counts copied bytes as the document grows", () => {
    expect(status(() => jsonPatch(doc(), Array.from({ length: 10_001 }, () => ({ op: "test", path: "/data/a", value: "1" }))))).toBe(413);
    expect(status(() => jsonPatch(doc(), Array.from({ length: 10_000 }, () => ({ op: "test", path: "/data/a", value: "1" }))))).toBeUndefined();
    const doubling = [{ op: "add", path: "/data/x", value: "a".repeat(1024) }, ...Array.from({ length: 30 }, (_, i) => ({ op: "copy", from: "/data", path: `/data/d${i}` }))];
    const started = performance.now();
    expect(status(() => jsonPatch(doc(), doubling))).toBe(413);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Within the budget: 11 doublings of 1 KiB is 2 MiB copied.
    expect(status(() => jsonPatch(doc(), doubling.slice(0, 12)))).toBeUndefined();
    expect(status(() => jsonPatch(doc(), doubling.slice(0, 12), { copyBudgetBytes: 64 * 1024 }))).toBe(413);
  });

  it("merge and strategic merge patches write own data properties", () => {
    const before = prototypeNames();
    const patch = JSON.parse('{"__proto__":{"p":1},"data":{"constructor":{"prototype":{"p":2}},"toString":"s"}}') as Record<string, unknown>;
    for (const result of [mergePatch(doc(), patch), strategicMergePatch(doc(), patch)] as Array<Record<string, unknown>>) {
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(Object.keys(result)).toContain("__proto__");
      expect((result.data as Record<string, unknown>).constructor).toEqual({ prototype: { p: 2 } });
    }
    expect(prototypeNames()).toBe(before);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it("server-side apply walks own properties: a managed path through inherited names cannot delete Object.prototype members", () => {
    const before = prototypeNames();
    const fieldsV1 = { "f:spec": { "f:constructor": { "f:prototype": { "f:toString": {}, "f:hasOwnProperty": {} } }, "f:toString": {} } };
    const current = { apiVersion: "v1", kind: "X", metadata: { name: "x", managedFields: [{ manager: "a", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1 }] }, spec: { keep: 1 } } as unknown as KObject;
    const applied = { apiVersion: "v1", kind: "X", metadata: { name: "x" }, spec: { other: 2 } } as unknown as KObject;
    const merged = serverSideApply(current, applied, "a", false, undefined, true);
    expect(merged.spec).toEqual({ keep: 1, other: 2 });
    expect(prototypeNames()).toBe(before);
    expect(typeof Object.prototype.toString).toBe("function");
  });
});

describe("body limits", () => {
  it("JSON and YAML nesting beyond the limit is 400 before parsing; __proto__ keys are 400; constructor is data", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(status(() => decodeDocument(`{"a":${deep(MAX_BODY_DEPTH - 1)}}`, "json", "x"))).toBeUndefined();
    expect(status(() => decodeDocument(`{"a":${deep(MAX_BODY_DEPTH)}}`, "json", "x"))).toBe(400);
    expect(status(() => decodeDocument(`a: ${deep(MAX_BODY_DEPTH)}`, "yaml", "x"))).toBe(400);
    expect(status(() => decodeDocument(Array.from({ length: MAX_BODY_DEPTH + 1 }, (_, i) => `${" ".repeat(i)}a:`).join("\n") + " 1", "yaml", "x"))).toBe(400);
    expect(status(() => decodeDocument('{"a":{"__proto__":{"b":1}}}', "json", "x"))).toBe(400);
    expect(status(() => decodeDocument("a:\n  __proto__:\n    b: 1\n", "yaml", "x"))).toBe(400);
    expect(decodeDocument('{"constructor":{"prototype":1}}', "json", "x")).toEqual({ constructor: { prototype: 1 } });
    // JSON sent as apply YAML is parsed as JSON; YAML with many keys is linear (no pairwise duplicate check).
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));
    const started = performance.now();
    expect(decodeDocument(JSON.stringify(wide), "yaml", "x")).toEqual(wide);
    expect(decodeDocument(Object.entries(wide).map(([k, v]) => `${k}: ${v}`).join("\n"), "yaml", "x")).toEqual(wide);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("the scanners skip strings and comments", () => {
    expect(jsonTextDepthExceeds(`{"a":"${"[".repeat(500)}"}`, 3)).toBe(false);
    expect(jsonTextDepthExceeds(`{"a":"\\"${"[".repeat(5)}"}`, 3)).toBe(false);
    expect(jsonTextDepthExceeds(`[[[[`, 3)).toBe(true);
    expect(yamlFlowDepthExceeds(`a: "${"[".repeat(500)}"\nb: '${"{".repeat(500)}' # ${"[".repeat(500)}\n`, 3)).toBe(false);
    expect(yamlFlowDepthExceeds(`a: [[[[1]]]]`, 3)).toBe(true);
    expect(checkParsedBody({ a: [{ b: 1 }] }, 3)).toBeUndefined();
    expect(checkParsedBody({ a: [{ b: {} }] }, 3)).toEqual({ kind: "depth", limit: 3 });
    expect(checkParsedBody(JSON.parse('{"a":[{"__proto__":1}]}'), 10)).toEqual({ kind: "key", key: "__proto__", path: "a[0].__proto__" });
  });

  it("own-property helpers", () => {
    const record: Record<string, unknown> = {};
    for (const name of INHERITED_NAMES) expect(ownValue(record, name)).toBeUndefined();
    setOwn(record, "__proto__", 1);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(ownValue(record, "__proto__")).toBe(1);
  });
});

describe("RFC 3339, shared by the STAC and EDR APIs", () => {
  const ms = (text: string) => {
    const r = parseRfc3339(text);
    return r.ok ? r.ms : r.problem;
  };
  it("accepts date-times with offsets, fractions, leap seconds and full-dates in years 0001-9999", () => {
    expect(ms("2023-10-22T06:00:00Z")).toBe(Date.UTC(2023, 9, 22, 6));
    expect(ms("2023-10-22t06:00:00.25+02:00")).toBe(Date.UTC(2023, 9, 22, 4, 0, 0, 250));
    expect(ms("2023-10-22 06:00:00-05:30")).toBe(Date.UTC(2023, 9, 22, 11, 30));
    expect(ms("2016-12-31T23:59:60Z")).toBe(Date.UTC(2017, 0, 1));
    expect(ms("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(ms("0001-01-01T00:00:00Z")).toBe(MIN_INSTANT_MS);
    expect(ms("9999-12-31T23:59:59.999Z")).toBe(MAX_INSTANT_MS);
    expect(ms("0050-06-01T00:00:00Z")).toBe(new Date("0050-06-01T00:00:00Z").getTime());
  });
  it("refuses what either store cannot hold or RFC 3339 does not allow", () => {
    for (const bad of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:60Z", "10000-01-01T00:00:00Z", "2023-02-29", "2023-04-31T00:00:00Z", "2023-01-01T24:00:00Z", "2023-01-01T12:30:60Z", "2023-01-01T00:00:00+24:00", "2023-10-22T06:00", "2023-10-22T06:00:00", "2023-10-22T06:00:00+0200", "", "x".repeat(100)]) {
      expect(typeof ms(bad), bad).toBe("string");
    }
  });
});

describe("annotations", () => {
  it("as apimachinery: qualified-name keys judged lower-cased, string values, 256 KiB in total", () => {
    expect(validateAnnotations({ "Example.com/MyName": "v", "a.b/c_d": "x", kubectl: "y" })).toEqual([]);
    for (const key of ["-x", "a/b/c", "under_score.com/x", "a".repeat(64), `${"a".repeat(254)}/x`, ""]) expect(validateAnnotations({ [key]: "v" }).length, key).toBe(1);
    expect(validateAnnotations({ a: "x".repeat(256 * 1024) })[0]?.reason).toBe("FieldValueTooLong");
    expect(validateAnnotations({ a: "x".repeat(256 * 1024 - 1) })).toEqual([]);
    expect(validateAnnotations({ a: 1 })[0]?.reason).toBe("FieldValueTypeInvalid");
    expect(validateAnnotations("x")[0]?.reason).toBe("FieldValueTypeInvalid");
  });
});

describe("5xx: logged with the request id the body carries, nothing internal in the body", () => {
  it("fastify APIs", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const app = Fastify(serverOptions({ loggerInstance: pino({ level: "info" }, sink) }));
    installRequestHardening(app);
    installErrorHandling(app, { component: "test-api" });
    app.get("/boom", async () => {
      throw new Error("ENOENT: no such file or directory, open '/secret/path/file'");
    });
    app.post("/echo", async (request) => request.body);
    const res = await app.inject("/boom");
    expect(res.statusCode).toBe(500);
    const body = res.json() as { code: string; description: string; requestId: string };
    expect(body.requestId).toBe(res.headers["x-request-id"]);
    expect(res.body).not.toContain("/secret/path");
    expect(res.body).not.toMatch(/\n\s+at /);
    const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; level: number; msg: string; err?: { message: string } });
    const error = logged.find((l) => l.level === 50);
    expect(error?.reqId).toBe(body.requestId);
    expect(error?.err?.message).toContain("/secret/path");
    // Info lines (incoming request, request completed) carry the same id.
    expect(logged.filter((l) => l.level === 30 && l.reqId === body.requestId).length).toBe(2);
    const bad = await app.inject({ method: "POST", url: "/echo", headers: { "content-type": "text/plain" }, payload: "x" });
    expect(bad.statusCode).toBe(415);
    expect((bad.json() as { requestId: string }).requestId).toBe(bad.headers["x-request-id"]);
    expect((await app.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: '{"a":[1]}' })).json()).toEqual({ a: [1] });
    expect((await app.inject({ method: "POST", url: "/echo", headers: { "content-type": "application/json" }, payload: `{"a":${"[".repeat(65)}${"]".repeat(65)}}` })).statusCode).toBe(400);
    await app.close();
  });

  it("control plane", async () => {
    const logged: Error[] = [];
    const ctx = { api: {}, guard: { admit: async () => ({ name: "admin", groups: [] }) }, openapi: { index: () => { throw new Error("open /secret/path failed"); } }, watch: {}, serverAddress: () => "127.0.0.1:6443", ready: () => true, onError: (err: Error) => logged.push(err) } as unknown as HttpContext;
    const handler = createRequestHandler(ctx);
    const answer = await new Promise<{ code: number; headers: Record<string, unknown>; body: string }>((resolve) => {
      const headers: Record<string, unknown> = {};
      const res = {
        headersSent: false,
        setHeader: (k: string, v: unknown) => (headers[k.toLowerCase()] = v),
        writeHead: (code: number, h: Record<string, unknown>) => {
          for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = v;
          res.code = code;
        },
        end: (body: string) => resolve({ code: res.code, headers, body }),
        once: () => undefined,
        code: 0,
      };
      handler({ method: "GET", url: "/openapi/v3", headers: {} } as IncomingMessage, res as unknown as ServerResponse);
    });
    expect(answer.code).toBe(500);
    const id = answer.headers["audit-id"] as string;
    expect(answer.body).toContain(`request id ${id}`);
    expect(answer.body).not.toContain("/secret/path");
    expect(logged[0]?.message).toMatch(new RegExp(`^request ${id} GET /openapi/v3: open /secret/path failed`));
    expect(logged[0]?.stack).toMatch(/\n\s+at /);
  });
});
