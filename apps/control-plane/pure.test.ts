// Unit tests of the pure cores: schema handling, CEL rules, patches, selectors, field ownership.
import { describe, expect, it } from "vitest";
import { evaluateRules } from "./cel.js";
import { checkSchemaTypes, structuralErrors } from "./crd-schema.js";
import { leaves, serverSideApply } from "./field-manager.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import { applyDefaults, prune, validate } from "./schema.js";
import { matchesLabels, parseLabelSelector } from "./selectors.js";
import { evaluate, humanAge } from "./table.js";
import type { JSONSchemaProps, KObject } from "./types.js";

const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["mode"],
      properties: {
        mode: { type: "string", enum: ["a", "b"] },
        count: { type: "integer", default: 2, minimum: 1 },
        nested: { type: "object", properties: { flag: { type: "boolean", default: true } } },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        list: { type: "array", items: { type: "object", properties: { n: { type: "integer", maximum: 3 } } } },
        port: { "x-kubernetes-int-or-string": true },
      },
    },
  },
};

describe("structural schema", () => {
  it("prunes unknown fields (keeping preserved subtrees) and reports their paths", () => {
    const obj = { apiVersion: "x/v1", kind: "X", metadata: { name: "n", bogus: 1 }, spec: { mode: "a", extra: 1, free: { anything: { deep: 1 } }, list: [{ n: 1, junk: 2 }] }, top: 1 };
    expect(prune(obj, schema).sort()).toEqual(["metadata.bogus", "spec.extra", "spec.list[0].junk", "top"]);
    expect(obj).toEqual({ apiVersion: "x/v1", kind: "X", metadata: { name: "n" }, spec: { mode: "a", free: { anything: { deep: 1 } }, list: [{ n: 1 }] } });
  });

  it("applies defaults only where fields are absent, recursing into present objects", () => {
    const obj: Record<string, unknown> = { spec: { mode: "a", nested: {} } };
    applyDefaults(obj, schema);
    expect(obj).toEqual({ spec: { mode: "a", count: 2, nested: { flag: true } } });
    const explicit: Record<string, unknown> = { spec: { mode: "a", count: 7 } };
    applyDefaults(explicit, schema);
    expect((explicit.spec as { count: number }).count).toBe(7);
  });

  it("lists every violation with its field path and reason", () => {
    const causes = validate({ spec: { count: 0, list: [{ n: 9 }], port: 1.5 } }, schema);
    expect(causes.map((c) => `${c.field} ${c.reason}`).sort()).toEqual(["spec.count FieldValueInvalid", "spec.list[0].n FieldValueInvalid", "spec.mode FieldValueRequired", "spec.port FieldValueTypeInvalid"]);
    expect(validate({ spec: { mode: "c" } }, schema)[0]).toMatchObject({ reason: "FieldValueNotSupported", field: "spec.mode" });
    expect(validate({ spec: { mode: "a", port: "http" } }, schema)).toEqual([]);
  });

  it("rejects CRD schemas kube-apiserver would reject", () => {
    expect(() => checkSchemaTypes({ type: "object", properties: { n: { type: "number", exclusiveMinimum: 0 } } }, "s")).toThrow(/exclusiveMinimum of type bool/);
    expect(structuralErrors({ type: "object", properties: { a: { description: "no type" } } }, "s").map((c) => c.field)).toEqual(["s.properties[a].type"]);
    expect(structuralErrors({ type: "object", properties: { a: { "x-kubernetes-preserve-unknown-fields": true } } }, "s")).toEqual([]);
  });
});

describe("CEL validation rules", () => {
  const rules: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        "x-kubernetes-validations": [
          { rule: "self.min <= self.max", message: "min must not exceed max" },
          { rule: "self.name == oldSelf.name", message: "name is immutable" },
          { rule: "self.max < 100", messageExpression: "'max too big: ' + string(self.max)" },
        ],
        properties: { min: { type: "integer" }, max: { type: "integer" }, name: { type: "string" } },
      },
    },
  };
  it("evaluates rules with integers as CEL ints and transition rules only on update", () => {
    expect(evaluateRules({ spec: { min: 1, max: 5, name: "a" } }, undefined, rules)).toEqual([]);
    expect(evaluateRules({ spec: { min: 9, max: 5, name: "a" } }, undefined, rules).map((c) => c.message)).toEqual(['Invalid value: "object": min must not exceed max']);
    expect(evaluateRules({ spec: { min: 1, max: 5, name: "b" } }, { spec: { min: 1, max: 5, name: "a" } }, rules).map((c) => c.message)).toEqual(['Invalid value: "object": name is immutable']);
    expect(evaluateRules({ spec: { min: 1, max: 150, name: "a" } }, undefined, rules)[0]?.message).toContain("max too big: 150");
  });
});

describe("patches", () => {
  it("merge patch (RFC 7386): null deletes, objects merge, arrays replace", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, { b: { c: null, x: 1 }, e: [3] })).toEqual({ a: 1, b: { d: 3, x: 1 }, e: [3] });
  });
  it("JSON patch (RFC 6902): add/remove/replace/move/copy/test, failing atomically", () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    expect(jsonPatch(doc, [{ op: "add", path: "/a/-", value: 3 }, { op: "move", from: "/b/c", path: "/d" }, { op: "copy", from: "/d", path: "/e" }, { op: "test", path: "/e", value: 1 }, { op: "remove", path: "/a/0" }])).toEqual({ a: [2, 3], b: {}, d: 1, e: 1 });
    expect(() => jsonPatch(doc, [{ op: "test", path: "/a/0", value: 9 }])).toThrow(/testing value failed/);
    expect(() => jsonPatch(doc, [{ op: "replace", path: "/zzz", value: 1 }])).toThrow(/does not exist/);
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
  });
  it("strategic merge patch subset: $patch directives and dropped $setElementOrder keys", () => {
    expect(strategicMergePatch({ a: { b: 1 }, c: 2 }, { a: { $patch: "replace", x: 1 }, "$setElementOrder/list": [], c: null })).toEqual({ a: { x: 1 } });
    expect(strategicMergePatch({ a: { b: 1 }, k: 1 }, { a: { $patch: "delete" } })).toEqual({ k: 1 });
  });
});

describe("label selectors", () => {
  it("parses equality and set-based requirements", () => {
    const req = parseLabelSelector("env in (prod, staging),tier!=db,!legacy,app");
    expect(matchesLabels(req, { env: "prod", tier: "web", app: "x" })).toBe(true);
    expect(matchesLabels(req, { env: "prod", tier: "db", app: "x" })).toBe(false);
    expect(matchesLabels(req, { env: "dev", app: "x" })).toBe(false);
    expect(matchesLabels(req, { env: "prod", app: "x", legacy: "1" })).toBe(false);
    expect(() => parseLabelSelector("a in (b")).toThrow();
  });
});

describe("server-side apply field ownership", () => {
  const base = (spec: Record<string, unknown>): KObject => ({ apiVersion: "x/v1", kind: "X", metadata: { name: "n" }, spec });
  it("tracks leaves, conflicts on changed values owned by others, and removes fields a manager stops applying", () => {
    expect([...leaves(base({ a: 1, b: { c: [1, 2] } }), false)].map((p) => p.replaceAll("\u001f", "."))).toEqual(["spec.a", "spec.b.c"]);
    const alice = serverSideApply(undefined, base({ a: 1, b: 2 }), "alice", false, undefined, false);
    const shared = serverSideApply(alice, base({ a: 1 }), "bob", false, undefined, false);
    expect(shared.spec).toEqual({ a: 1, b: 2 });
    expect(() => serverSideApply(shared, base({ a: 5 }), "bob", false, undefined, false)).toThrow(/conflict with "alice"/);
    const forced = serverSideApply(shared, base({ a: 5 }), "bob", true, undefined, false);
    expect(forced.spec).toEqual({ a: 5, b: 2 });
    const dropped = serverSideApply(forced, base({}), "alice", false, undefined, false);
    expect(dropped.spec).toEqual({ a: 5 });
  });
});

describe("server-side apply on map- and set-typed lists", () => {
  const listSchema: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          conditions: { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"], items: { type: "object", properties: { type: { type: "string" }, status: { type: "string" } } } },
          tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
        },
      },
    },
  };
  const obj = (spec: Record<string, unknown>): KObject => ({ apiVersion: "x/v1", kind: "X", metadata: { name: "n" }, spec });
  it("merges items by key, owns them per manager, and removes only what a manager stops applying", () => {
    const a = serverSideApply(undefined, obj({ conditions: [{ type: "Ready", status: "True" }], tags: ["a"] }), "alice", false, undefined, true, listSchema);
    const b = serverSideApply(a, obj({ conditions: [{ type: "Synced", status: "False" }], tags: ["b"] }), "bob", false, undefined, true, listSchema);
    expect(b.spec).toEqual({ conditions: [{ type: "Ready", status: "True" }, { type: "Synced", status: "False" }], tags: ["a", "b"] });
    expect(JSON.stringify(b.metadata.managedFields)).toContain('k:{\\"type\\":\\"Ready\\"}');
    expect(() => serverSideApply(b, obj({ conditions: [{ type: "Ready", status: "False" }] }), "bob", false, undefined, true, listSchema)).toThrow(/conflict with "alice"/);
    const dropped = serverSideApply(b, obj({ tags: ["a"] }), "alice", false, undefined, true, listSchema);
    expect(dropped.spec).toEqual({ conditions: [{ type: "Synced", status: "False" }], tags: ["a", "b"] });
    // Finalizers merge as a set between managers.
    const fin = (f: string[]): KObject => ({ apiVersion: "x/v1", kind: "X", metadata: { name: "n", finalizers: f }, spec: {} });
    const f1 = serverSideApply(undefined, fin(["one"]), "alice", false, undefined, true, listSchema);
    const f2 = serverSideApply(f1, fin(["two"]), "bob", false, undefined, true, listSchema);
    expect(f2.metadata.finalizers).toEqual(["one", "two"]);
    expect(serverSideApply(f2, fin([]), "alice", false, undefined, true, listSchema).metadata.finalizers).toEqual(["two"]);
  });
});

describe("printer columns", () => {
  it("evaluates the JSONPath subset printer columns use", () => {
    const obj = { status: { conditions: [{ type: "Synced", status: "False" }, { type: "Ready", status: "True" }] }, spec: { list: [{ n: 1 }, { n: 2 }] } };
    expect(evaluate(obj, '.status.conditions[?(@.type=="Ready")].status')).toEqual(["True"]);
    expect(evaluate(obj, ".spec.list[*].n")).toEqual([1, 2]);
    expect(evaluate(obj, ".spec.list[1].n")).toEqual([2]);
    expect(evaluate(obj, ".spec.missing.deeper")).toEqual([undefined]);
    expect(() => evaluate(obj, ".spec.list[1:3]")).toThrow(/unsupported/);
  });
  it("formats ages like kubectl", () => {
    const now = Date.parse("2026-01-10T00:00:00Z");
    const ago = (s: number) => new Date(now - s * 1000).toISOString();
    expect([5, 150, 1800, 3 * 3600 + 600, 30 * 3600, 3 * 86400 + 3600, 40 * 86400].map((s) => humanAge(ago(s), now))).toEqual(["5s", "2m30s", "30m", "3h10m", "30h", "3d1h", "40d"]);
  });
});
