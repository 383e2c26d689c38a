// The catalog API over real sockets: the server module on a persisted PGlite catalog and on a
// PostgreSQL catalog, and `dmac serve catalog-api` as a child process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCatalogApi } from "../../apps/catalog-api/server.js";
import { openCatalog } from "../../catalog/index.js";
import { cbofsCollection, cycleItems } from "./fixtures.js";
import { startThrowawayPostgres } from "./postgres-server.js";
import type { ThrowawayPostgres } from "./postgres-server.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function seed(location: string): Promise<void> {
  const store = await openCatalog(location);
  await store.upsertCollection(cbofsCollection());
  await store.upsertItems("cbofs", cycleItems("cbofs", 8));
  await store.close();
}

async function exercise(url: string): Promise<void> {
  const landing = (await (await fetch(`${url}/`)).json()) as { links: Array<{ rel: string; href: string }> };
  // Links are built from the Host the client used.
  expect(landing.links.find((l) => l.rel === "self")?.href).toBe(`${url}/`);
  const get = await fetch(`${url}/search?bbox=-76.5,37,-76,38&datetime=2026-11-02T00:00:00Z/..&limit=3`);
  expect(get.status).toBe(200);
  expect(get.headers.get("content-type")).toMatch(/application\/geo\+json/);
  const page = (await get.json()) as { features: Array<{ id: string }>; links: Array<{ rel: string; href: string }> };
  expect(page.features.map((f) => f.id)).toEqual(["cbofs-20261102T1800Z", "cbofs-20261102T1200Z", "cbofs-20261102T0600Z"]);
  const next = page.links.find((l) => l.rel === "next");
  expect(next?.href.startsWith(url)).toBe(true);
  const second = (await (await fetch(next!.href)).json()) as { features: Array<{ id: string }> };
  expect(second.features.map((f) => f.id)).toEqual(["cbofs-20261102T0000Z", "cbofs-20261101T1800Z", "cbofs-20261101T1200Z"]);
  const post = await fetch(`${url}/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ filter: { op: "=", args: [{ property: "dmac:cycle" }, 7] } }) });
  expect(((await post.json()) as { features: Array<{ id: string }> }).features.map((f) => f.id)).toEqual(["cbofs-20261102T1800Z"]);
  const bad = await fetch(`${url}/search?bbox=1,2`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { description: string }).description).toMatch(/^bbox/);
}

describe("catalog API over a socket", () => {
  let dir: string;
  let pg: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dmac-catalog-"));
    // One persisted PGlite catalog for the in-process server and the CLI (creating one is slow).
    [pg] = await Promise.all([startThrowawayPostgres(), seed(join(dir, "pglite"))]);
  });
  afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a persisted PGlite catalog", async () => {
    const server = await startCatalogApi({ catalog: join(dir, "pglite"), port: 0 });
    try {
      await exercise(server.url);
    } finally {
      await server.close();
    }
  });

  it("serves a PostgreSQL catalog", async () => {
    const url = (pg as ThrowawayPostgres).url;
    await seed(url);
    const server = await startCatalogApi({ catalog: url, port: 0 });
    try {
      await exercise(server.url);
    } finally {
      await server.close();
    }
  });

  it("runs as `dmac serve catalog-api` and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [join(repoRoot, "bin/dmac.js"), "serve", "catalog-api", "--port", "0", "--catalog", join(dir, "pglite")], {
      cwd: repoRoot,
      env: { ...process.env, DMAC_FROM_SOURCE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    try {
      const url = await new Promise<string>((res, rej) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) res(m[1]);
        });
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code) => rej(new Error(`dmac serve exited ${code}: ${err}`)));
      });
      await exercise(url);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
