// The wire protocol itself, over raw HTTP: discovery, OpenAPI, Status bodies for bad input,
// watch streams. Runs against the embedded control plane, or a real cluster with
// DMAC_CONFORMANCE_KUBECONFIG (kube-apiserver answers these the same way).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, startTarget, uniqueName, type Target } from "./harness.js";
import { watchLines } from "./watch-client.js";

let target: Target;
let ns: string;
const widgets = () => `/apis/test.dmac.ioos.us/v1alpha1/namespaces/${ns}/widgets`;
const configmaps = () => `/api/v1/namespaces/${ns}/configmaps`;
const json = { "Content-Type": "application/json" };

beforeAll(async () => {
  target = await startTarget();
  ns = uniqueName("wire");
  const created = await target.request("POST", "/api/v1/namespaces", JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }), json);
  expect(created.status).toBe(201);
  await target.kubectl(["apply", "-f", join(FIXTURES, "widget-crd.yaml")]);
  await target.kubectl(["wait", "--for=condition=Established", "crd/widgets.test.dmac.ioos.us", "--timeout=30s"]);
});

afterAll(async () => {
  if (!target) return;
  // The cluster-scoped test CRD stays: suites run in parallel against a shared cluster and
  // deleting it under another suite would fail that suite (an embedded server is discarded anyway).
  await target.request("DELETE", `/api/v1/namespaces/${ns}`);
  await target.stop();
});

async function expectNotStored(path: string): Promise<void> {
  expect((await target.request("GET", path)).status).toBe(404);
}

describe("health, discovery and OpenAPI", () => {
  it("serves /version, /healthz, /readyz and legacy discovery including CRD endpoints", async () => {
    expect((await target.request("GET", "/version")).json().major).toBe("1");
    expect((await target.request("GET", "/healthz")).text).toBe("ok");
    expect((await target.request("GET", "/readyz")).status).toBe(200);
    expect((await target.request("GET", "/api")).json().versions).toContain("v1");
    const groups = (await target.request("GET", "/apis")).json().groups as Array<{ name: string; preferredVersion: { version: string } }>;
    expect(groups.find((g) => g.name === "test.dmac.ioos.us")?.preferredVersion.version).toBe("v1alpha1");
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(["apiextensions.k8s.io", "coordination.k8s.io", "events.k8s.io"]));
    const resources = (await target.request("GET", "/apis/test.dmac.ioos.us/v1alpha1")).json().resources as Array<{ name: string; namespaced: boolean; kind: string; verbs: string[] }>;
    expect(resources.find((r) => r.name === "widgets")).toMatchObject({ namespaced: true, kind: "Widget" });
    expect(resources.find((r) => r.name === "widgets")?.verbs).toEqual(expect.arrayContaining(["create", "get", "list", "watch", "patch", "update", "delete", "deletecollection"]));
    expect(resources.map((r) => r.name)).toContain("widgets/status");
    const core = (await target.request("GET", "/api/v1")).json().resources as Array<{ name: string }>;
    expect(core.map((r) => r.name)).toEqual(expect.arrayContaining(["namespaces", "configmaps", "secrets", "events"]));
  });

  it("publishes /openapi/v3 per group-version with the PATCH operation kubectl looks for", async () => {
    const index = (await target.request("GET", "/openapi/v3")).json().paths as Record<string, { serverRelativeURL: string }>;
    const entry = index["apis/test.dmac.ioos.us/v1alpha1"];
    expect(entry?.serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/test\.dmac\.ioos\.us\/v1alpha1\?hash=/);
    const doc = (await target.request("GET", entry!.serverRelativeURL)).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; "x-kubernetes-group-version-kind"?: { kind: string } }>>; components: { schemas: Record<string, { "x-kubernetes-group-version-kind"?: Array<{ kind: string }>; properties?: Record<string, unknown> }> } };
    const item = doc.paths[`/apis/test.dmac.ioos.us/v1alpha1/namespaces/{namespace}/widgets/{name}`];
    expect(item?.patch?.["x-kubernetes-group-version-kind"]?.kind).toBe("Widget");
    expect(item?.patch?.parameters?.map((p) => p.name)).toContain("fieldValidation");
    const schema = Object.values(doc.components.schemas).find((s) => s["x-kubernetes-group-version-kind"]?.[0]?.kind === "Widget");
    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata", "spec", "status"]));
  });
});

describe("bad input gets kube-apiserver's status codes and stores nothing", () => {
  it("malformed JSON and YAML: 400", async () => {
    const broken = await target.request("POST", configmaps(), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"broken"', json);
    expect(broken.status).toBe(400);
    expect(broken.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
    const yaml = await target.request("POST", configmaps(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken-yaml\n  data: [", { "Content-Type": "application/yaml" });
    expect(yaml.status).toBe(400);
    await expectNotStored(`${configmaps()}/broken`);
    await expectNotStored(`${configmaps()}/broken-yaml`);
  });

  it("unknown kinds and paths: 404 with a Status body", async () => {
    const unknown = await target.request("GET", `/apis/test.dmac.ioos.us/v1alpha1/namespaces/${ns}/gadgets`);
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
    expect((await target.request("POST", `/apis/nothing.example.com/v1/namespaces/${ns}/things`, "{}", json)).status).toBe(404);
    expect((await target.request("GET", `${widgets()}/%E0%A4%A`)).status).toBe(400);
    const missing = await target.request("GET", `${widgets()}/nope`);
    expect(missing.json()).toMatchObject({ reason: "NotFound", details: { name: "nope", group: "test.dmac.ioos.us", kind: "widgets" } });
  });

  it("invalid names: 422 Invalid naming metadata.name", async () => {
    for (const name of ["Bad_Name", "-leading", "x".repeat(254)]) {
      const res = await target.request("POST", configmaps(), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }), json);
      expect(res.status).toBe(422);
      const body = res.json() as { reason: string; details: { causes: Array<{ field: string }> } };
      expect(body.reason).toBe("Invalid");
      expect(body.details.causes.map((c) => c.field)).toContain("metadata.name");
    }
    const badKey = await target.request("POST", configmaps(), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad-key" }, data: { "no/slashes": "x" } }), json);
    expect(badKey.status).toBe(422);
    expect((badKey.json() as { details: { causes: Array<{ field: string }> } }).details.causes.map((c) => c.field)).toContain("data[no/slashes]");
    await expectNotStored(`${configmaps()}/bad-key`);
    const ns422 = await target.request("POST", "/api/v1/namespaces", JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "has.dots" } }), json);
    expect(ns422.status).toBe(422); // namespaces are DNS-1123 labels
    await expectNotStored("/api/v1/namespaces/has.dots");
  });

  it("objects over etcd's 1.5 MiB and bodies over 3 MiB: 413", async () => {
    const big = (name: string, bytes: number) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { blob: "x".repeat(bytes) } });
    const object = await target.request("POST", configmaps(), big("too-big", 2 * 1024 * 1024), json);
    expect(object.status).toBe(413);
    const body = await target.request("POST", configmaps(), big("way-too-big", 4 * 1024 * 1024), json);
    expect(body.status).toBe(413);
    await expectNotStored(`${configmaps()}/too-big`);
    await expectNotStored(`${configmaps()}/way-too-big`);
    const fine = await target.request("POST", configmaps(), big("just-fine", 1024 * 1024), json);
    expect(fine.status).toBe(201);
  });

  it("wrong apiVersion, kind or namespace in the body: 400", async () => {
    const wrongVersion = await target.request("POST", widgets(), JSON.stringify({ apiVersion: "test.dmac.ioos.us/v9", kind: "Widget", metadata: { name: "wv" }, spec: { color: "red" } }), json);
    expect(wrongVersion.status).toBe(400);
    const wrongKind = await target.request("POST", widgets(), JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Gadget", metadata: { name: "wk" }, spec: { color: "red" } }), json);
    expect(wrongKind.status).toBe(400);
    const wrongNs = await target.request("POST", widgets(), JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name: "wn", namespace: "elsewhere" }, spec: { color: "red" } }), json);
    expect(wrongNs.status).toBe(400);
    for (const name of ["wv", "wk", "wn"]) await expectNotStored(`${widgets()}/${name}`);
  });

  it("strategic merge patch on a custom resource: 415; unknown patch types: 415", async () => {
    const created = await target.request("POST", widgets(), JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name: "smp" }, spec: { color: "red" } }), json);
    expect(created.status).toBe(201);
    const smp = await target.request("PATCH", `${widgets()}/smp`, '{"spec":{"size":4}}', { "Content-Type": "application/strategic-merge-patch+json" });
    expect(smp.status).toBe(415);
    expect(smp.json()).toMatchObject({ kind: "Status", reason: "UnsupportedMediaType", code: 415 });
    const other = await target.request("PATCH", `${widgets()}/smp`, '{"spec":{"size":4}}', { "Content-Type": "text/plain" });
    expect(other.status).toBe(415);
    expect((await target.request("GET", `${widgets()}/smp`)).json().spec).toEqual({ color: "red", size: 1 });
    // Built-in kinds accept strategic merge patch (kubectl apply uses it for them).
    await target.request("POST", configmaps(), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "smp-cm" }, data: { a: "1" } }), json);
    const ok = await target.request("PATCH", `${configmaps()}/smp-cm`, '{"data":{"b":"2"}}', { "Content-Type": "application/strategic-merge-patch+json" });
    expect(ok.status).toBe(200);
    expect(ok.json().data).toEqual({ a: "1", b: "2" });
  });
});

describe("CRDs change the served API live", () => {
  it("registers on create, re-validates on update, and removes endpoints and instances on delete", async () => {
    const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const crd = (maximum: number) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.test.dmac.ioos.us" },
      spec: {
        group: "test.dmac.ioos.us",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        versions: [{ name: "v1beta1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { n: { type: "integer", maximum } } } } } } }],
      },
    });
    const gadgets = `/apis/test.dmac.ioos.us/v1beta1/namespaces/${ns}/gadgets`;
    const gadget = (name: string, n: number) => JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1beta1", kind: "Gadget", metadata: { name }, spec: { n } });
    expect((await target.request("POST", crdPath, JSON.stringify(crd(10)), json)).status).toBe(201);
    const established = async () => {
      for (let i = 0; i < 100; i += 1) {
        const res = await target.request("GET", gadgets);
        if (res.status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("gadgets never served");
    };
    await established();
    expect((await target.request("POST", gadgets, gadget("g1", 5), json)).status).toBe(201);
    expect((await target.request("POST", gadgets, gadget("g2", 50), json)).status).toBe(422);

    const current = (await target.request("GET", `${crdPath}/gadgets.test.dmac.ioos.us`)).json() as { metadata: { resourceVersion: string } };
    const updated = { ...crd(100), metadata: { name: "gadgets.test.dmac.ioos.us", resourceVersion: current.metadata.resourceVersion } };
    expect((await target.request("PUT", `${crdPath}/gadgets.test.dmac.ioos.us`, JSON.stringify(updated), json)).status).toBe(200);
    let accepted = 0;
    for (let i = 0; i < 100 && accepted !== 201; i += 1) {
      accepted = (await target.request("POST", gadgets, gadget("g2", 50), json)).status;
      if (accepted !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(accepted).toBe(201);

    expect([200, 202]).toContain((await target.request("DELETE", `${crdPath}/gadgets.test.dmac.ioos.us`)).status);
    let gone = 0;
    for (let i = 0; i < 300 && gone !== 404; i += 1) {
      gone = (await target.request("GET", `${crdPath}/gadgets.test.dmac.ioos.us`)).status;
      if (gone !== 404) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(404);
    expect((await target.request("GET", gadgets)).status).toBe(404);
    const resources = (await target.request("GET", "/apis/test.dmac.ioos.us/v1beta1")).status;
    expect(resources).toBe(404);
  });
});

describe("watch over the wire", () => {
  it("streams from a resourceVersion with selectors and ends at timeoutSeconds", async () => {
    const list = (await target.request("GET", widgets())).json() as { metadata: { resourceVersion: string } };
    const started = Date.now();
    const stream = watchLines(target, `${widgets()}?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=w%3Dyes&timeoutSeconds=2`);
    await new Promise((r) => setTimeout(r, 200));
    for (const [name, label] of [["w-1", "yes"], ["w-2", "no"], ["w-3", "yes"]]) {
      await target.request("POST", widgets(), JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name, labels: { w: label } }, spec: { color: "red" } }), json);
    }
    await target.request("DELETE", `${widgets()}/w-1`);
    const events = await stream;
    const elapsed = Date.now() - started;
    expect(events.map((e) => `${e.type} ${(e.object as { metadata: { name: string } }).metadata.name}`)).toEqual(["ADDED w-1", "ADDED w-3", "DELETED w-1"]);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(10_000);
  });
});
