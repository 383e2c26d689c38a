// Conformance through @kubernetes/client-node, the client our operators use.
// Runs against the embedded control plane, or a real cluster with DMAC_CONFORMANCE_KUBECONFIG.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiException, CoreV1Api, CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type KubernetesObject, type V1ConfigMap } from "@kubernetes/client-node";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, FIXTURES, startTarget, uniqueName, type Target } from "./harness.js";

const G = { group: "test.dmac.ioos.us", version: "v1alpha1", plural: "widgets" };
interface Widget extends KubernetesObject {
  spec: { color: string; size?: number; [k: string]: unknown };
  status?: Record<string, unknown>;
}

let target: Target;
let custom: CustomObjectsApi;
let core: CoreV1Api;
let ns: string;

async function failure(promise: Promise<unknown>): Promise<{ code: number; status: { reason?: string; message?: string; details?: { causes?: Array<{ field?: string; reason?: string }> } } }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) {
      const body = typeof err.body === "string" ? (JSON.parse(err.body) as object) : (err.body as object);
      return { code: err.code, status: body };
    }
    throw err;
  }
  throw new Error("expected the request to fail");
}

const widget = (name: string, spec: Widget["spec"], metadata: Record<string, unknown> = {}): Widget => ({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name, ...metadata }, spec });
const create = (w: Widget, namespace = ns) => custom.createNamespacedCustomObject({ ...G, namespace, body: w }) as Promise<Widget>;
const get = (name: string, namespace = ns) => custom.getNamespacedCustomObject({ ...G, namespace, name }) as Promise<Widget>;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

beforeAll(async () => {
  target = await startTarget();
  custom = target.kubeconfig.makeApiClient(CustomObjectsApi);
  core = target.kubeconfig.makeApiClient(CoreV1Api);
  ns = uniqueName("client-node");
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const crd = parse(readFileSync(join(FIXTURES, "widget-crd.yaml"), "utf8")) as KubernetesObject;
  await target.kubectl(["apply", "-f", join(FIXTURES, "widget-crd.yaml")]);
  await target.kubectl(["wait", "--for=condition=Established", `crd/${crd.metadata!.name}`, "--timeout=30s"]);
});

afterAll(async () => {
  if (!target) return;
  // The cluster-scoped test CRD stays: suites run in parallel against a shared cluster and
  // deleting it under another suite would fail that suite (an embedded server is discarded anyway).
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
  await target.stop();
});

describe("client-node CRUD", () => {
  it("creates with server-set metadata and defaults, replaces with optimistic concurrency, patches, deletes", async () => {
    const created = await create(widget("crud", { color: "red" }));
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec.size).toBe(1);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect((await failure(create(widget("crud", { color: "red" })))).code).toBe(409);

    const fresh = await get("crud");
    const replaced = (await custom.replaceNamespacedCustomObject({ ...G, namespace: ns, name: "crud", body: { ...fresh, spec: { ...fresh.spec, size: 2 } } })) as Widget;
    expect(replaced.metadata?.generation).toBe(2);
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(fresh.metadata?.resourceVersion));
    const stale = await failure(custom.replaceNamespacedCustomObject({ ...G, namespace: ns, name: "crud", body: { ...fresh, spec: { ...fresh.spec, size: 3 } } }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe("Conflict");

    const merged = (await custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "crud", body: { metadata: { labels: { a: "b" } } } }, merge)) as Widget;
    expect(merged.metadata?.labels).toEqual({ a: "b" });
    expect(merged.metadata?.generation).toBe(2); // metadata-only change
    const patched = (await custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "crud", body: [{ op: "replace", path: "/spec/size", value: 6 }] }, setHeaderOptions("Content-Type", PatchStrategy.JsonPatch))) as Widget;
    expect(patched.spec.size).toBe(6);
    expect(patched.metadata?.generation).toBe(3);

    const status = (await custom.patchNamespacedCustomObjectStatus({ ...G, namespace: ns, name: "crud", body: { status: { phase: "Ready" }, spec: { size: 99 } } }, merge)) as Widget;
    expect(status.status).toEqual({ phase: "Ready" });
    expect(status.spec.size).toBe(6); // /status ignores spec
    expect(status.metadata?.generation).toBe(3);

    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "crud" });
    expect((await failure(get("crud"))).code).toBe(404);
  });

  it("answers 422 listing every failing field, and stores nothing", async () => {
    const bad = await failure(create(widget("bad", { color: "purple", size: 0, name: "UPPER" })));
    expect(bad.code).toBe(422);
    expect(bad.status.reason).toBe("Invalid");
    const fields = (bad.status.details?.causes ?? []).map((c) => c.field).sort();
    expect(fields).toEqual(["spec.color", "spec.name", "spec.size"]);
    expect((await failure(get("bad"))).code).toBe(404);
    const cel = await failure(create(widget("cel", { color: "red", size: 5, maxSize: 3 })));
    expect(cel.code).toBe(422);
    expect(cel.status.message).toContain("size must not exceed maxSize");
  });

  it("concurrent writers: exactly one wins each round and retried increments lose nothing", async () => {
    await create(widget("counter", { color: "blue", size: 1 }));
    for (let round = 0; round < 5; round += 1) {
      const snapshot = await get("counter");
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => custom.replaceNamespacedCustomObject({ ...G, namespace: ns, name: "counter", body: { ...snapshot, spec: { ...snapshot.spec, size: (snapshot.spec.size ?? 0) + 1 } } })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect((r.reason as ApiException<string>).code).toBe(409);
    }
    expect((await get("counter")).spec.size).toBe(6);

    const increment = async (): Promise<void> => {
      for (;;) {
        const current = await get("counter");
        try {
          await custom.replaceNamespacedCustomObject({ ...G, namespace: ns, name: "counter", body: { ...current, spec: { ...current.spec, size: (current.spec.size ?? 0) + 1 } } });
          return;
        } catch (err) {
          if (!(err instanceof ApiException && err.code === 409)) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 5; i += 1) await increment();
    }));
    expect((await get("counter")).spec.size).toBe(46);
  });

  it("lists with label and field selectors and pages with limit/continue", async () => {
    const tiers = ["gold", "silver", "bronze", "gold", "silver", "gold", "none"];
    await Promise.all(tiers.map((tier, i) => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `sel-${i}`, labels: { tier, ...(i % 2 === 0 ? { even: "true" } : {}) } }, data: { i: String(i) } } })));
    const names = (items: V1ConfigMap[]) => items.map((c) => c.metadata!.name!).sort();
    expect(names((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier=gold" })).items)).toEqual(["sel-0", "sel-3", "sel-5"]);
    expect(names((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier in (gold,silver),!even" })).items)).toEqual(["sel-1", "sel-3", "sel-5"]);
    expect(names((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier notin (gold),even" })).items)).toEqual(["sel-2", "sel-4", "sel-6"]);
    expect(names((await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: "metadata.name=sel-4" })).items)).toEqual(["sel-4"]);
    expect(names((await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier", fieldSelector: "metadata.name!=sel-4" })).items)).toHaveLength(6);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier", limit: 3, ...(token ? { _continue: token } : {}) });
      seen.push(...names(page.items));
      token = page.metadata?._continue || undefined;
      if (token) expect(page.metadata?.remainingItemCount).toBe(7 - seen.length);
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(tiers.map((_, i) => `sel-${i}`).sort());

    // Pages after the first show the list as of the first page, whatever changed meanwhile.
    const first = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier", limit: 3 });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "sel-9", labels: { tier: "late" } } } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "sel-6" });
    const rest = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier", _continue: first.metadata!._continue! });
    expect(names([...first.items, ...rest.items])).toEqual(tiers.map((_, i) => `sel-${i}`).sort());
    expect(rest.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const exact = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier", resourceVersion: first.metadata!.resourceVersion!, resourceVersionMatch: "Exact" });
    expect(names(exact.items)).toEqual(tiers.map((_, i) => `sel-${i}`).sort());
    const now = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: "tier" });
    expect(names(now.items)).toContain("sel-9");
    expect(names(now.items)).not.toContain("sel-6");
  });
});

describe("client-node informers", () => {
  it("lists then watches: sees adds, updates and deletes in order", async () => {
    const path = `/apis/${G.group}/${G.version}/namespaces/${ns}/${G.plural}`;
    const informer = makeInformer<Widget>(target.kubeconfig, path, () => custom.listNamespacedCustomObject({ ...G, namespace: ns, labelSelector: "informer=yes" }) as never, "informer=yes");
    const events: string[] = [];
    informer.on("add", (o) => events.push(`add ${o.metadata!.name}`));
    informer.on("update", (o) => events.push(`update ${o.metadata!.name} ${o.spec.size}`));
    informer.on("delete", (o) => events.push(`delete ${o.metadata!.name}`));
    await create(widget("inf-1", { color: "red" }, { labels: { informer: "yes" } }));
    await informer.start();
    try {
      await eventually(() => (events.includes("add inf-1") ? true : undefined), "initial list");
      await create(widget("inf-2", { color: "red" }, { labels: { informer: "yes" } }));
      await create(widget("inf-other", { color: "red" }, { labels: { informer: "no" } }));
      await custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "inf-2", body: { spec: { size: 5 } } }, merge);
      // Leaving the selector reads as a delete to a selector watch.
      await custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "inf-1", body: { metadata: { labels: { informer: "no" } } } }, merge);
      await eventually(() => (events.includes("delete inf-1") ? true : undefined), "delete after label change");
      expect(events).toEqual(["add inf-1", "add inf-2", "update inf-2 5", "delete inf-1"]);
      expect(informer.list(ns).map((o) => o.metadata!.name)).toEqual(["inf-2"]);
    } finally {
      await informer.stop();
    }
  });
});

describe("client-node finalizers and garbage collection", () => {
  it("holds a deleted object until its finalizer is removed", async () => {
    await create(widget("fin", { color: "red" }, { finalizers: ["test.dmac.ioos.us/cleanup"] }));
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "fin" });
    const deleting = await get("fin");
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    const added = await failure(custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "fin", body: { metadata: { finalizers: ["test.dmac.ioos.us/cleanup", "another"] } } }, merge));
    expect(added.code).toBe(422);
    await custom.patchNamespacedCustomObject({ ...G, namespace: ns, name: "fin", body: { metadata: { finalizers: null } } }, merge);
    await eventually(async () => ((await failure(get("fin"))).code === 404 ? true : undefined), "finalized object removed");
  });

  const ownerRef = (o: Widget, block = false) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, ...(block ? { blockOwnerDeletion: true } : {}) });
  const dependents = async (owner: Widget, block = false): Promise<string[]> => {
    const names = [`${owner.metadata!.name}-a`, `${owner.metadata!.name}-b`];
    for (const name of names) await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, ownerReferences: [ownerRef(owner, block)] } } });
    return names;
  };
  const exists = async (name: string) => core.readNamespacedConfigMap({ namespace: ns, name }).then(() => true, () => false);

  it("background propagation removes dependents after the owner", async () => {
    const owner = await create(widget("gc-bg", { color: "red" }));
    const deps = await dependents(owner);
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "gc-bg", propagationPolicy: "Background" });
    await eventually(async () => ((await Promise.all(deps.map(exists))).every((e) => !e) ? true : undefined), "dependents collected", 30_000);
  });

  it("foreground propagation deletes dependents first, then the owner", async () => {
    const owner = await create(widget("gc-fg", { color: "red" }));
    const deps = await dependents(owner, true);
    // Keep one dependent alive with a finalizer so the owner must wait for it.
    await core.patchNamespacedConfigMap({ namespace: ns, name: deps[0]!, body: { metadata: { finalizers: ["test/hold"] } } }, merge);
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "gc-fg", propagationPolicy: "Foreground" });
    const waiting = await get("gc-fg");
    expect(waiting.metadata?.deletionTimestamp).toBeTruthy();
    expect(waiting.metadata?.finalizers).toContain("foregroundDeletion");
    await eventually(async () => ((await exists(deps[1]!)) ? undefined : true), "unblocked dependent deleted", 30_000);
    expect((await get("gc-fg")).metadata?.deletionTimestamp).toBeTruthy();
    await core.patchNamespacedConfigMap({ namespace: ns, name: deps[0]!, body: { metadata: { finalizers: null } } }, merge);
    await eventually(async () => ((await failure(get("gc-fg"))).code === 404 ? true : undefined), "owner removed after dependents", 30_000);
    expect(await exists(deps[0]!)).toBe(false);
  });

  it("a dependent with another live owner loses only the deleted owner's reference", async () => {
    const first = await create(widget("gc-multi-1", { color: "red" }));
    const second = await create(widget("gc-multi-2", { color: "red" }));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "shared", ownerReferences: [ownerRef(first), ownerRef(second)] } } });
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "gc-multi-1" });
    const remaining = await eventually(async () => {
      const cm = await core.readNamespacedConfigMap({ namespace: ns, name: "shared" });
      return cm.metadata?.ownerReferences?.length === 1 ? cm : undefined;
    }, "owner reference removed", 30_000);
    expect(remaining.metadata?.ownerReferences?.[0]?.name).toBe("gc-multi-2");
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "gc-multi-2" });
    await eventually(async () => ((await exists("shared")) ? undefined : true), "dependent collected with its last owner", 30_000);
  });

  it("orphan propagation keeps dependents and drops their owner reference", async () => {
    const owner = await create(widget("gc-or", { color: "red" }));
    const deps = await dependents(owner);
    await custom.deleteNamespacedCustomObject({ ...G, namespace: ns, name: "gc-or", propagationPolicy: "Orphan" });
    await eventually(async () => ((await failure(get("gc-or"))).code === 404 ? true : undefined), "owner removed", 30_000);
    for (const name of deps) {
      const cm = await core.readNamespacedConfigMap({ namespace: ns, name });
      expect(cm.metadata?.ownerReferences ?? []).toEqual([]);
    }
  });

  it("deleting a namespace removes everything in it", async () => {
    const doomed = uniqueName("doomed");
    await core.createNamespace({ body: { metadata: { name: doomed } } });
    await core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: "cm" } } });
    await create(widget("w", { color: "red" }), doomed);
    await core.deleteNamespace({ name: doomed });
    const refused = await failure(core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: "late" } } }));
    expect([403, 404]).toContain(refused.code);
    await eventually(async () => ((await core.readNamespace({ name: doomed }).then(() => false, () => true)) ? true : undefined), "namespace removed", 60_000);
    expect((await failure(get("w", doomed))).code).toBe(404);
  });
});
