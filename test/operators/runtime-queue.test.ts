import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { backoffDelay, Controller, createLogger, ItemBackoff, OperatorMetrics, setCondition, TerminalError, WorkQueue, isReady } from "../../operators/runtime/index.js";

const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("backoff", () => {
  it("grows exponentially, is bounded, and jitters within the configured spread", () => {
    const options = { baseMs: 100, maxMs: 10_000, jitter: 0.2 };
    expect(backoffDelay(1, options, () => 0.5)).toBe(100);
    expect(backoffDelay(2, options, () => 0.5)).toBe(200);
    expect(backoffDelay(5, options, () => 0.5)).toBe(1600);
    expect(backoffDelay(60, options, () => 0.5)).toBe(10_000);
    expect(backoffDelay(10_000, options, () => 1)).toBe(10_000);
    expect(backoffDelay(3, options, () => 0)).toBe(320);
    expect(backoffDelay(3, options, () => 1)).toBe(480);
  });

  it("remembers failures per key until forgotten", () => {
    const backoff = new ItemBackoff<string>({ baseMs: 10, maxMs: 1000, jitter: 0 });
    expect([backoff.next("a"), backoff.next("a"), backoff.next("b"), backoff.next("a")]).toEqual([10, 20, 10, 40]);
    backoff.forget("a");
    expect(backoff.next("a")).toBe(10);
  });
});

describe("work queue", () => {
  it("deduplicates keys waiting in the queue", async () => {
    const queue = new WorkQueue<string>();
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    expect(queue.depth).toBe(2);
    expect(await queue.get()).toBe("ns/a");
    expect(await queue.get()).toBe("ns/b");
  });

  it("never hands out a key being processed; an add during processing requeues it on done", async () => {
    const queue = new WorkQueue<string>();
    queue.add("k");
    const first = await queue.get();
    queue.add("k");
    expect(queue.depth).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => { second = k; });
    await tick();
    expect(second).toBeUndefined();
    queue.done(first!);
    await tick();
    expect(second).toBe("k");
  });

  it("keeps the earliest of several delayed adds and drops delayed adds on shutdown", async () => {
    const queue = new WorkQueue<string>();
    queue.addAfter("k", 200);
    queue.addAfter("k", 20);
    queue.addAfter("k", 500);
    const started = Date.now();
    expect(await queue.get()).toBe("k");
    expect(Date.now() - started).toBeLessThan(180);
    queue.done("k");
    queue.addAfter("late", 50);
    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
  });
});

describe("controller", () => {
  function controllerWith(reconcile: (name: string) => Promise<{ requeueAfterMs?: number } | void>, workers = 3) {
    const metrics = new OperatorMetrics();
    const controller = new Controller({
      name: "test",
      workers,
      metrics,
      log: silent,
      backoff: { baseMs: 5, maxMs: 40, jitter: 0 },
      reconciler: { reconcile: (request) => reconcile(request.name) },
    });
    return { controller, metrics };
  }

  it("limits concurrency, never runs one key twice at once, and retries errors with backoff until success", async () => {
    let running = 0;
    let maxRunning = 0;
    const perKey = new Map<string, number>();
    const attempts = new Map<string, number>();
    const { controller, metrics } = controllerWith(async (name) => {
      running += 1;
      perKey.set(name, (perKey.get(name) ?? 0) + 1);
      maxRunning = Math.max(maxRunning, running);
      expect(perKey.get(name)).toBe(1);
      await tick(5);
      perKey.set(name, (perKey.get(name) ?? 0) - 1);
      running -= 1;
      const n = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, n);
      if (name === "flaky" && n < 3) throw new Error("transient");
    }, 3);
    const abort = new AbortController();
    const done = controller.start(abort.signal);
    for (let i = 0; i < 10; i++) controller.enqueue(`ns/obj-${i}`);
    controller.enqueue("ns/flaky");
    for (let i = 0; i < 5; i++) { controller.enqueue("ns/obj-1"); await tick(1); }
    await tick(300);
    abort.abort();
    await done;
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect(maxRunning).toBeGreaterThan(1);
    expect(attempts.get("flaky")).toBe(3);
    const text = await metrics.text();
    expect(text).toMatch(/dmac_reconcile_total\{controller="test",result="error"\} 2/);
    expect(text).toMatch(/dmac_reconcile_errors_total\{controller="test"\} 2/);
  });

  it("does not retry a terminal error, and honours requeueAfter", async () => {
    const attempts = new Map<string, number>();
    const { controller } = controllerWith(async (name) => {
      attempts.set(name, (attempts.get(name) ?? 0) + 1);
      if (name === "bad") throw new TerminalError("spec cannot work", "InvalidSpec");
      if (name === "poll" && (attempts.get(name) ?? 0) < 3) return { requeueAfterMs: 10 };
    });
    const abort = new AbortController();
    const done = controller.start(abort.signal);
    controller.enqueue("ns/bad");
    controller.enqueue("ns/poll");
    await tick(150);
    abort.abort();
    await done;
    expect(attempts.get("bad")).toBe(1);
    expect(attempts.get("poll")).toBe(3);
  });

  it("on shutdown lets in-flight work finish and starts nothing new", async () => {
    const finished: string[] = [];
    const { controller } = controllerWith(async (name) => { await tick(50); finished.push(name); }, 1);
    const abort = new AbortController();
    const done = controller.start(abort.signal);
    controller.enqueue("ns/first");
    controller.enqueue("ns/second");
    await tick(10);
    abort.abort();
    await done;
    expect(finished).toEqual(["first"]);
  });
});

describe("conditions", () => {
  it("keeps lastTransitionTime while the status stays, and tracks observedGeneration", () => {
    const t1 = new Date("2026-01-01T00:00:00Z");
    const t2 = new Date("2026-01-01T00:05:00Z");
    let conditions = setCondition(undefined, { type: "Ready", status: "False", reason: "Ingesting", message: "1 of 3" }, 1, t1);
    conditions = setCondition(conditions, { type: "Ready", status: "False", reason: "Ingesting", message: "2 of 3" }, 2, t2);
    expect(conditions).toEqual([{ type: "Ready", status: "False", reason: "Ingesting", message: "2 of 3", lastTransitionTime: "2026-01-01T00:00:00Z", observedGeneration: 2 }]);
    conditions = setCondition(conditions, { type: "Ready", status: "True", reason: "Ingested", message: "3 of 3" }, 2, t2);
    expect(conditions[0]?.lastTransitionTime).toBe("2026-01-01T00:05:00Z");
    expect(isReady({ metadata: { generation: 2 }, status: { conditions } })).toBe(true);
    expect(isReady({ metadata: { generation: 3 }, status: { conditions } })).toBe(false);
  });
});
