// `dmac up` supervises its components (issue #22): a component whose worker thread ends after it
// served (a crash, its heap cap reached; here the thread is terminated from outside, as a container
// is killed) is restarted on the same address after a delay that doubles with each exit in a row,
// the others untouched; a stop during the delay leaves it stopped. The operator's catalog calls
// cross the main thread's relay, so they work again once the catalog's thread is back. Real
// components: the viewer's fastify server and the catalog API with an in-memory PGlite database.
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { CatalogRelay, catalogStoreOverPort } from "../../apps/local-platform/catalog-rpc.js";
import { startComponent, type Component, type RestartPolicy } from "../../apps/local-platform/supervisor.js";
import { createLogger } from "../../operators/runtime/index.js";
import { waiter } from "../support/until.js";

const until = waiter({ timeoutMs: 60_000, intervalMs: 50 });
const lines: Array<{ component?: string; msg: string; restartInMs?: number; exitsInARow?: number; code?: number }> = [];
const log = createLogger("dmac-local", "info", new Writable({ write: (chunk, _e, cb) => (lines.push(JSON.parse(String(chunk)) as (typeof lines)[number]), cb()) }));
// No jitter, so the delays are exact; a run never counts as stable, so exits stay "in a row".
const restart: RestartPolicy = { backoff: { baseMs: 300, maxMs: 10_000, jitter: 0 }, stableMs: 3_600_000 };
const started: Component[] = [];
afterAll(async () => {
  for (const component of started) await component.stop();
});

const viewer = async (policy: RestartPolicy | false = restart) => {
  const component = await startComponent("viewer", (previous) => ({ options: { port: previous?.url ? Number(new URL(previous.url).port) : 0, dataApiUrl: "http://127.0.0.1:9", catalogApiUrl: "http://127.0.0.1:9" } }), { log, restart: policy });
  started.push(component);
  return component;
};
const serves = async (url: string) => (await fetch(`${url}/`).catch(() => undefined))?.status === 200;

describe("component supervision", () => {
  it("restarts a component whose thread ended, on the same address, with a delay doubling per exit in a row", async () => {
    const component = await viewer();
    const url = component.info.url!;
    expect(await serves(url)).toBe(true);
    const first = component.worker.threadId;

    await component.worker.terminate();
    expect(await serves(url)).toBe(false);
    await until("the first restart", () => component.restarts === 1 && serves(url));
    expect(component.worker.threadId).not.toBe(first);
    expect(component.info.url).toBe(url);

    await component.worker.terminate();
    await until("the second restart", () => component.restarts === 2 && serves(url));
    const exits = lines.filter((l) => l.component === "viewer" && l.restartInMs !== undefined);
    expect(exits.map((l) => [l.exitsInARow, l.restartInMs])).toEqual([[1, 300], [2, 600]]);
    expect(exits[0]!.msg).toMatch(/^viewer exited \(code \d+\); restarting it in 300 ms/);
    expect(lines.filter((l) => l.component === "viewer" && l.msg === "viewer restarted")).toHaveLength(2);
  }, 120_000);

  it("does not restart a component stopped while it waits to restart, nor one whose policy is not to", async () => {
    const waiting = await viewer({ ...restart, backoff: { ...restart.backoff, baseMs: 1_000 } });
    await waiting.worker.terminate();
    await waiting.stop();
    const never = await viewer(false);
    const url = never.info.url!;
    await never.worker.terminate();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(waiting.restarts).toBe(0);
    expect(never.restarts).toBe(0);
    expect(await serves(url)).toBe(false);
  }, 120_000);

  it("relays the operator's catalog calls across a restart of the catalog's thread", async () => {
    const relay = new CatalogRelay();
    const catalog = await startComponent("catalog", () => {
      const rpc = relay.catalogPort();
      return { options: { catalogDir: "memory://", port: 0, rpc }, transferList: [rpc] };
    }, { log, restart });
    started.push(catalog);
    const store = catalogStoreOverPort(relay.clientPort());
    expect((await store.listCollections({ limit: 10, offset: 0 })).records).toEqual([]);

    await catalog.worker.terminate();
    // While the thread is down a call fails at once (the operator retries), rather than hanging.
    await expect(store.getCollection("x")).rejects.toThrow(/catalog's thread is not running/);
    await until("the catalog restarted", () => catalog.restarts === 1);
    expect((await store.listCollections({ limit: 10, offset: 0 })).records).toEqual([]);
    await store.close();
    relay.close();
  }, 180_000);
});
