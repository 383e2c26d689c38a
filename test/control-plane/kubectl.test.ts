// Conformance through kubectl (/usr/bin/kubectl): what a data engineer does by hand.
// Runs against the embedded control plane, or a real cluster with DMAC_CONFORMANCE_KUBECONFIG.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, FIXTURES, startTarget, uniqueName, writeTemp, type Target } from "./harness.js";

const REPO = join(import.meta.dirname, "..", "..");
const CRD = join(FIXTURES, "widget-crd.yaml");

let target: Target;
let ns: string;

const widget = (name: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", metadata: { name, namespace: ns, ...extra }, spec });

beforeAll(async () => {
  target = await startTarget();
  ns = uniqueName("kubectl");
  await target.kubectl(["create", "namespace", ns]); // typed generator: protobuf body
  await target.kubectl(["apply", "-f", CRD]);
  await target.kubectl(["wait", "--for=condition=Established", "crd/widgets.test.dmac.ioos.us", "--timeout=30s"]);
});

afterAll(async () => {
  if (!target) return;
  // The cluster-scoped test CRD stays: suites run in parallel against a shared cluster and
  // deleting it under another suite would fail that suite (an embedded server is discarded anyway).
  await target.kubectl(["delete", "namespace", ns, "--wait=false"], { allowFail: true });
  await target.stop();
});

describe("kubectl against the control plane", () => {
  it("reports a server version and discovers built-in and custom resources", async () => {
    const version = JSON.parse((await target.kubectl(["version", "-o", "json"])).stdout) as { serverVersion?: { major: string } };
    expect(version.serverVersion?.major).toBe("1");
    const { stdout } = await target.kubectl(["api-resources", "--no-headers"]);
    expect(stdout).toMatch(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap/m);
    expect(stdout).toMatch(/^widgets\s+wd\s+test\.dmac\.ioos\.us\/v1alpha1\s+true\s+Widget/m);
  });

  it("creates built-in objects with kubectl's protobuf-encoding generators", async () => {
    await target.kubectl(["create", "configmap", "proto-cm", "-n", ns, "--from-literal=a=b", "--from-literal=c=d"]);
    await target.kubectl(["create", "secret", "generic", "proto-secret", "-n", ns, "--from-literal=key=value"]);
    await target.kubectl(["create", "serviceaccount", "proto-sa", "-n", ns]);
    expect(JSON.parse((await target.kubectl(["get", "configmap", "proto-cm", "-n", ns, "-o", "jsonpath={.data}"])).stdout)).toEqual({ a: "b", c: "d" });
    const secret = (await target.kubectl(["get", "secret", "proto-secret", "-n", ns, "-o", "jsonpath={.data.key} {.type}"])).stdout;
    expect(secret).toBe(`${Buffer.from("value").toString("base64")} Opaque`);
    expect((await target.kubectl(["get", "serviceaccount", "proto-sa", "-n", ns, "-o", "name"])).stdout.trim()).toBe("serviceaccount/proto-sa");
  });

  it("applies objects, fills schema defaults, and reads them back with get -o yaml / jsonpath", async () => {
    const path = writeTemp(target, "apply.json", `${widget("apply-a", { color: "red", size: 3 })}\n${widget("apply-b", { color: "blue" })}`);
    const first = await target.kubectl(["apply", "-f", path]);
    expect(first.stdout).toContain("widget.test.dmac.ioos.us/apply-a created");
    const again = await target.kubectl(["apply", "-f", path]);
    expect(again.stdout).toContain("widget.test.dmac.ioos.us/apply-a unchanged");
    const yaml = (await target.kubectl(["get", "widget", "apply-b", "-n", ns, "-o", "yaml"])).stdout;
    expect(yaml).toMatch(/size: 1\b/); // schema default
    expect(yaml).toMatch(/uid: [0-9a-f-]{36}/);
    const names = (await target.kubectl(["get", "wd", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}"])).stdout;
    expect(names.split(" ").sort()).toEqual(["apply-a", "apply-b"]);
    // Server-side printing: the CRD's additionalPrinterColumns.
    const table = (await target.kubectl(["get", "widgets", "-n", ns])).stdout;
    expect(table).toMatch(/^NAME\s+SIZE\s+READY\s*$/m);
    expect(table).toMatch(/^apply-a\s+3\s*$/m);
    expect(table).toMatch(/^apply-b\s+1\s*$/m);
  });

  it("patches with --type merge, bumps generation on spec changes only, and reports 422 details", async () => {
    await target.kubectl(["apply", "-f", "-"], { input: widget("patchy", { color: "green", size: 2 }) });
    await target.kubectl(["patch", "widget", "patchy", "-n", ns, "--type", "merge", "-p", '{"spec":{"size":4}}']);
    await target.kubectl(["label", "widget", "patchy", "-n", ns, "touched=yes"]);
    const out = (await target.kubectl(["get", "widget", "patchy", "-n", ns, "-o", "jsonpath={.spec.size} {.metadata.generation} {.metadata.labels.touched}"])).stdout;
    expect(out).toBe("4 2 yes");
    const bad = await target.kubectl(["patch", "widget", "patchy", "-n", ns, "--type", "merge", "-p", '{"spec":{"size":500,"color":"purple"}}'], { allowFail: true });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("is invalid");
    expect(bad.stderr).toContain("spec.size");
    expect(bad.stderr).toContain("spec.color");
    const cel = await target.kubectl(["patch", "widget", "patchy", "-n", ns, "--type", "merge", "-p", '{"spec":{"color":"red"}}'], { allowFail: true });
    expect(cel.stderr).toContain("color is immutable");
    const strategic = await target.kubectl(["patch", "widget", "patchy", "-n", ns, "-p", '{"spec":{"size":5}}'], { allowFail: true });
    expect(strategic.code).not.toBe(0);
    expect(strategic.stderr).toMatch(/strategic-merge-patch|UnsupportedMediaType|unknown format/);
  });

  it("waits for a condition set through the status subresource", async () => {
    await target.kubectl(["apply", "-f", "-"], { input: widget("ready", { color: "red" }) });
    const waiting = target.kubectl(["wait", "--for=condition=Ready", "widget/ready", "-n", ns, "--timeout=20s"]);
    await new Promise((r) => setTimeout(r, 300));
    await target.kubectl(["patch", "widget", "ready", "-n", ns, "--subresource", "status", "--type", "merge", "-p", '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}']);
    const done = await waiting;
    expect(done.stdout).toContain("condition met");
    expect((await target.kubectl(["get", "widget", "ready", "-n", ns, "--no-headers"])).stdout).toMatch(/^ready\s+1\s+True\s*$/m);
    // A status write does not bump generation; a spec write through the main resource ignores status.
    await target.kubectl(["patch", "widget", "ready", "-n", ns, "--type", "merge", "-p", '{"status":{"phase":"Hacked"},"spec":{"size":9}}']);
    const out = (await target.kubectl(["get", "widget", "ready", "-n", ns, "-o", "jsonpath={.metadata.generation} {.status.phase} {.spec.size}"])).stdout;
    expect(out).toBe("2  9");
  });

  it("streams changes with get -w", async () => {
    await target.kubectl(["apply", "-f", "-"], { input: widget("watched", { color: "blue" }) });
    const child = spawn("/usr/bin/kubectl", ["--kubeconfig", target.kubeconfigPath, "get", "widgets", "-n", ns, "-w", "--output-watch-events", "-o", "custom-columns=EVENT:.type,NAME:.object.metadata.name,SIZE:.object.spec.size", "--no-headers"]);
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    try {
      await eventually(() => (output.includes("watched") ? true : undefined), "initial watch event");
      await target.kubectl(["patch", "widget", "watched", "-n", ns, "--type", "merge", "-p", '{"spec":{"size":7}}']);
      await eventually(() => (/MODIFIED\s+watched\s+7/.test(output) ? true : undefined), "MODIFIED event in kubectl get -w");
      await target.kubectl(["delete", "widget", "watched", "-n", ns]);
      await eventually(() => (/DELETED\s+watched/.test(output) ? true : undefined), "DELETED event in kubectl get -w");
    } finally {
      child.kill();
    }
  });

  it("deletes with and without finalizers", async () => {
    await target.kubectl(["apply", "-f", "-"], { input: widget("plain", { color: "red" }) });
    await target.kubectl(["delete", "widget", "plain", "-n", ns, "--timeout=20s"]);
    const gone = await target.kubectl(["get", "widget", "plain", "-n", ns], { allowFail: true });
    expect(gone.stderr).toContain("NotFound");

    await target.kubectl(["apply", "-f", "-"], { input: widget("held", { color: "red" }, { finalizers: ["test.dmac.ioos.us/hold"] }) });
    const deleting = target.kubectl(["delete", "widget", "held", "-n", ns, "--timeout=20s"]);
    const stamp = await eventually(async () => (await target.kubectl(["get", "widget", "held", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}"])).stdout || undefined, "deletionTimestamp");
    expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await target.kubectl(["patch", "widget", "held", "-n", ns, "--type", "json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const done = await deleting;
    expect(done.stdout).toContain("deleted");
    expect((await target.kubectl(["get", "widget", "held", "-n", ns], { allowFail: true })).code).not.toBe(0);
  });

  it("applies server-side, detects conflicts between field managers, and forces them", async () => {
    const mine = widget("ssa", { color: "green", size: 2 });
    const first = await target.kubectl(["apply", "--server-side", "--field-manager", "alice", "-f", "-"], { input: mine });
    expect(first.stdout).toContain("serverside-applied");
    const theirs = widget("ssa", { color: "green", size: 8 });
    const conflict = await target.kubectl(["apply", "--server-side", "--field-manager", "bob", "-f", "-"], { input: theirs, allowFail: true });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict/i);
    expect(conflict.stderr).toContain(".spec.size");
    await target.kubectl(["apply", "--server-side", "--field-manager", "bob", "--force-conflicts", "-f", "-"], { input: theirs });
    const managed = JSON.parse((await target.kubectl(["get", "widget", "ssa", "-n", ns, "-o", "json", "--show-managed-fields"])).stdout) as { spec: { size: number }; metadata: { managedFields: Array<{ manager: string; operation: string }> } };
    expect(managed.spec.size).toBe(8);
    expect(managed.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`).sort()).toEqual(["alice/Apply", "bob/Apply"]);
  });

  it("describes an object with its Events (core/v1 involvedObject field selectors)", async () => {
    await target.kubectl(["apply", "-f", "-"], { input: widget("described", { color: "blue" }) });
    const uid = (await target.kubectl(["get", "widget", "described", "-n", ns, "-o", "jsonpath={.metadata.uid}"])).stdout;
    const event = { apiVersion: "v1", kind: "Event", metadata: { name: "described.1", namespace: ns }, involvedObject: { apiVersion: "test.dmac.ioos.us/v1alpha1", kind: "Widget", name: "described", namespace: ns, uid }, reason: "Polished", message: "the widget shines", type: "Normal", source: { component: "test" }, count: 1, firstTimestamp: "2026-01-01T00:00:00Z", lastTimestamp: "2026-01-01T00:00:00Z" };
    await target.kubectl(["create", "-f", "-"], { input: JSON.stringify(event) });
    const { stdout } = await target.kubectl(["describe", "widget", "described", "-n", ns]);
    expect(stdout).toMatch(/Events:[\s\S]*Polished[\s\S]*the widget shines/);
    const listed = (await target.kubectl(["get", "events", "-n", ns, "--field-selector", "involvedObject.name=described,reason=Polished", "-o", "name"])).stdout.trim();
    expect(listed).toBe("event/described.1");
  });

  it("explains custom resource fields from /openapi/v3", async () => {
    const { stdout } = await target.kubectl(["explain", "widgets.spec"]);
    expect(stdout).toContain("WidgetSpec is the desired state of a Widget.");
    expect(stdout).toMatch(/color\s+<string> -required-/);
    const size = (await target.kubectl(["explain", "widget.spec.size"])).stdout;
    expect(size).toContain("Size in units.");
  });

  it("rejects unknown fields under --validate=strict and prunes them otherwise", async () => {
    const strict = await target.kubectl(["apply", "-f", "-"], { input: widget("strict", { color: "red", bogus: 1 }), allowFail: true });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/unknown field "?spec\.bogus/);
    const lax = await target.kubectl(["apply", "--validate=false", "-f", "-"], { input: widget("strict", { color: "red", bogus: 1 }) });
    expect(lax.stdout).toContain("created");
    const spec = (await target.kubectl(["get", "widget", "strict", "-n", ns, "-o", "jsonpath={.spec}"])).stdout;
    expect(JSON.parse(spec)).toEqual({ color: "red", size: 1 });
  });
});

describe("kubectl with the platform's own CRDs and samples", () => {
  it("creates the dmac CRDs and applies the local environment's samples", async () => {
    await target.kubectl(["apply", "-f", join(REPO, "clusters", "local", "components", "crds", "manifests.yaml")]);
    for (const crd of ["ingestjobs", "datasets", "catalogentries"]) {
      await target.kubectl(["wait", "--for=condition=Established", `crd/${crd}.dmac.ioos.us`, "--timeout=30s"]);
    }
    const domains = join(REPO, "clusters", "local", "domains");
    await target.kubectl(["apply", "-R", "-f", domains], { allowFail: true }); // namespaces sort after their contents
    const second = await target.kubectl(["apply", "-R", "-f", domains]);
    expect(second.stdout).not.toContain("Error");
    const jobs = (await target.kubectl(["get", "ingestjobs", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}"])).stdout.trim().split(" ");
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    const explained = (await target.kubectl(["explain", "ingestjob.spec"])).stdout;
    expect(explained).toContain("FIELDS:");
  });
});
