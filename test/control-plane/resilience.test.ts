// Embedded-only behaviour that needs control over the server process: restarts, kill -9,
// compacted history (410 Gone) and bookmark timing. Not part of the real-cluster conformance
// run: a shared cluster cannot be restarted or have its watch cache shrunk by a test.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from "../../apps/control-plane/index.js";
import { eventually } from "./harness.js";

const REPO = join(import.meta.dirname, "..", "..");
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dmac-cp-resilience-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Plain HTTP: these tests speak raw HTTP to the server (with the admin token) and are about
// persistence and watches, not transport; the TLS suite covers HTTPS.
async function start(options: ControlPlaneOptions): Promise<ControlPlane & { core: CoreV1Api; kc: KubeConfig; auth: Record<string, string> }> {
  const cp = await startControlPlane({ tls: false, ...options, watch: { bookmarkIntervalMs: 500, ...options.watch } });
  cleanups.push(() => cp.stop());
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  return { ...cp, kc, core: kc.makeApiClient(CoreV1Api), auth: bearer(kc) };
}

function bearer(kc: KubeConfig): Record<string, string> {
  return { Authorization: `Bearer ${kc.getCurrentUser()!.token!}` };
}

const port = (url: string) => Number(new URL(url).port);

function post(url: string, path: string, body: unknown, agent: http.Agent, auth: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method: "POST", agent, headers: { "Content-Type": "application/json", ...auth } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function getJson(url: string, path: string, auth: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  return fetch(new URL(path, url), { headers: auth }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
}

describe("persistence", () => {
  it("keeps objects and continues resourceVersions across a clean restart", async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    await first.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "kept" }, data: { a: "1" } } });
    const before = await first.core.readNamespacedConfigMap({ namespace: "default", name: "kept" });
    await first.stop();
    const second = await start({ dataDir });
    const after = await second.core.readNamespacedConfigMap({ namespace: "default", name: "kept" });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.data).toEqual({ a: "1" });
    const next = await second.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "next" } } });
    expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
  });

  it("survives compaction into a snapshot and a torn final log line", async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir, compactAfterRecords: 10 });
    for (let i = 0; i < 25; i += 1) await first.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `c-${i}` } } });
    await first.stop();
    appendFileSync(join(dataDir, "log.jsonl"), '{"rv":999,"op":"put","key":"/configmaps|default|torn","obj'); // crash mid-write
    const second = await start({ dataDir });
    const list = await second.core.listNamespacedConfigMap({ namespace: "default" });
    expect(list.items.map((c) => c.metadata!.name).filter((n) => n!.startsWith("c-"))).toHaveLength(25);
    expect(list.items.some((c) => c.metadata!.name === "torn")).toBe(false);
  });

  it("loses no acknowledged write when killed with SIGKILL under concurrent load", async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [join(REPO, "bin", "dmac.js"), "control-plane", "--data-dir", dataDir, "--port", "0", "--no-tls", "--kubeconfig", join(dataDir, "kubeconfig")], { env: { ...process.env, DMAC_FROM_SOURCE: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(() => void child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const url = await eventually(() => /listening on (http:\/\/\S+)/.exec(out)?.[1], "child control plane to listen", 90_000); // tsx start-up on a busy machine
    const childConfig = new KubeConfig();
    childConfig.loadFromFile(join(dataDir, "kubeconfig"));
    const auth = bearer(childConfig);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const acked = new Map<string, number>();
    let stop = false;
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop; i += 1) {
        const name = `load-${w}-${i}`;
        try {
          const res = await post(url, "/api/v1/namespaces/default/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { w: String(w), i: String(i) } }, agent, auth);
          if (res.status === 201) acked.set(name, Number((res.json.metadata as { resourceVersion: string }).resourceVersion));
        } catch {
          return; // the server died mid-request: this write was never acknowledged
        }
      }
    });
    await eventually(() => (acked.size >= 400 ? true : undefined), "400 acknowledged writes", 30_000);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    stop = true;
    await Promise.all(writers);
    agent.destroy();

    const restarted = await start({ dataDir });
    const list = (await restarted.core.listNamespacedConfigMap({ namespace: "default" })).items as V1ConfigMap[];
    const present = new Set(list.map((c) => c.metadata!.name!));
    const lost = [...acked.keys()].filter((name) => !present.has(name));
    expect(lost).toEqual([]);
    const maxAcked = Math.max(...acked.values());
    const fresh = await restarted.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after-crash" } } });
    expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(maxAcked);
  }, 180_000);

  it("refuses a second server on the same data directory", async () => {
    const dataDir = tempDir();
    await start({ dataDir });
    await expect(startControlPlane({ dataDir })).rejects.toThrow(/already used by control plane process/);
  });
});

describe("metrics", () => {
  it("exposes request counts, open watches and group-commit counters at /metrics", async () => {
    const cp = await start({ dataDir: tempDir() });
    for (let i = 0; i < 3; i += 1) await cp.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `m-${i}` } } });
    await cp.core.readNamespacedConfigMap({ namespace: "default", name: "nope" }).catch(() => undefined);
    const controller = new AbortController();
    void fetch(new URL("/api/v1/namespaces/default/configmaps?watch=1", cp.url), { signal: controller.signal, headers: cp.auth }).catch(() => undefined);
    const text = await eventually(async () => {
      const body = await (await fetch(new URL("/metrics", cp.url), { headers: cp.auth })).text();
      return /apiserver_registered_watchers\{resource="configmaps"\} 1/.test(body) ? body : undefined;
    }, "watch gauge");
    controller.abort();
    expect(text).toMatch(/apiserver_request_total\{verb="CREATE",resource="configmaps",code="201"\} 3/);
    expect(text).toMatch(/apiserver_request_total\{verb="GET",resource="configmaps",code="404"\} 1/);
    const records = Number(/dmac_control_plane_log_records_total (\d+)/.exec(text)?.[1]);
    const flushes = Number(/dmac_control_plane_log_flushes_total (\d+)/.exec(text)?.[1]);
    expect(records).toBeGreaterThanOrEqual(7); // 4 system namespaces + 3 configmaps
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThanOrEqual(records);
    expect(text).toContain("dmac_control_plane_log_healthy 1");
  });
});

describe("watch edge cases", () => {
  it("sends bookmarks when asked and a 410 ERROR event (or HTTP 410) for compacted versions", async () => {
    for (const expiredAs of ["event", "http"] as const) {
      const cp = await start({ inMemory: true, historySize: 3, watch: { expiredAs } });
      const list = await getJson(cp.url, "/api/v1/namespaces/default/configmaps", cp.auth);
      const rv = (list.json.metadata as { resourceVersion: string }).resourceVersion;
      // Bookmark on an idle watch.
      const controller = new AbortController();
      const bookmark = await new Promise<Record<string, unknown>>((resolve, reject) => {
        http.get(new URL(`/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, cp.url), { signal: controller.signal, headers: cp.auth }, (res) => {
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => resolve(JSON.parse(chunk.split("\n")[0]!) as Record<string, unknown>));
        }).on("error", (err) => (controller.signal.aborted ? undefined : reject(err)));
      });
      controller.abort();
      expect(bookmark.type).toBe("BOOKMARK");
      expect(Number((bookmark.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
      for (let i = 0; i < 6; i += 1) await cp.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `h-${i}` } } });
      const res = await fetch(new URL(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, cp.url), { headers: cp.auth });
      const text = await res.text();
      if (expiredAs === "http") {
        expect(res.status).toBe(410);
        expect(JSON.parse(text)).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
      } else {
        expect(res.status).toBe(200);
        expect(JSON.parse(text.trim())).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
      }
      await cp.stop();
    }
  });
});

describe("watch initial state", () => {
  it("sends existing objects as ADDED, then the initial-events-end bookmark for sendInitialEvents", async () => {
    const cp = await start({ inMemory: true });
    for (const name of ["a", "b"]) await cp.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
    const res = await fetch(new URL("/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1", cp.url), { headers: cp.auth });
    const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string; resourceVersion: string; annotations?: Record<string, string> } } });
    expect(events.slice(0, 3).map((e) => `${e.type} ${e.object.metadata.name ?? ""}`.trim())).toEqual(["ADDED a", "ADDED b", "BOOKMARK"]);
    expect(events[2]!.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(Number(events[2]!.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(events[1]!.object.metadata.resourceVersion));
  });
});

describe("informers across restarts and 410", () => {
  for (const expiredAs of ["event", "http"] as const) {
    it(`recover after the server restarts, re-listing when their version expired (${expiredAs})`, async () => {
      const dataDir = tempDir();
      const first = await start({ dataDir });
      const kc = first.kc;
      const core = first.core;
      let lists = 0;
      const informer = makeInformer<V1ConfigMap>(kc, "/api/v1/namespaces/default/configmaps", () => {
        lists += 1;
        return core.listNamespacedConfigMap({ namespace: "default" });
      });
      let errors = 0;
      let restartInformer = true;
      // The documented client-node pattern: an informer stops on connection errors; restart it.
      informer.on("error", () => {
        errors += 1;
        if (restartInformer) setTimeout(() => void informer.start().catch(() => undefined), 200);
      });
      cleanups.push(() => {
        restartInformer = false;
        return informer.stop();
      });
      await informer.start();
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "before" } } });
      await eventually(() => informer.get("before", "default"), "informer sees the first object");

      await first.stop();
      // Restart on the same port with a tiny watch window, then write more than it holds.
      const second = await start({ dataDir, port: port(first.url), historySize: 2, watch: { expiredAs } });
      for (let i = 0; i < 5; i += 1) await second.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `after-${i}` } } });
      await second.core.deleteNamespacedConfigMap({ namespace: "default", name: "before" });
      await eventually(() => (informer.get("after-4", "default") && !informer.get("before", "default") ? true : undefined), "informer catches up after restart", 30_000);
      expect(informer.list("default").map((c) => c.metadata!.name).sort()).toEqual(["after-0", "after-1", "after-2", "after-3", "after-4"]);
      await second.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "live" } } });
      await eventually(() => informer.get("live", "default"), "informer keeps watching");
      expect(errors).toBeGreaterThanOrEqual(1); // the restart was seen as a connection error
      expect(lists).toBeGreaterThanOrEqual(2); // 410 forced a re-list
    });
  }
});
