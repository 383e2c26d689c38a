// The viewer's server: the page and bundle with a same-origin-only Content-Security-Policy, the
// bundle's ETag, the data-API proxy (forwarded verbatim, dot segments refused, an unreachable
// upstream named in a 502), the optional catalog proxy, and `dmac serve viewer`.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildViewer } from "../../apps/viewer/index.js";
import { buildViewerBundle, bundleHash, prebuiltBundle, writeViewerBundle } from "../../apps/viewer/bundle.js";
import { SERVE_TARGETS } from "../../apps/cli/commands/serve.js";

let upstream: Server;
let upstreamUrl: string;
const seen: string[] = [];
let viewer: FastifyInstance;

beforeAll(async () => {
  // A stand-in upstream that records what reaches it.
  upstream = createServer((req, res) => {
    seen.push(req.url ?? "");
    if (req.url === "/datasets") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
      res.end(JSON.stringify(["a", "b"]));
    } else if (req.url?.startsWith("/datasets/a/zarr/")) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.from([1, 2, 3, 250]));
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "NotFound", description: `${req.url} not found` }));
    }
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  viewer = await buildViewer({ dataApiUrl: `${upstreamUrl}/` });
});

afterAll(async () => {
  await viewer?.close();
  await new Promise((r) => upstream?.close(r));
});

describe("viewer server", () => {
  it("serves the page with a CSP that allows this origin only", async () => {
    const res = await viewer.inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.body).toContain('<script type="module" src="viewer.js">');
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    expect((await viewer.inject("/viewer.css")).headers["content-type"]).toMatch(/text\/css/);
    expect((await viewer.inject("/config.json")).json()).toEqual({ catalog: false });
    expect((await viewer.inject("/secrets.txt")).statusCode).toBe(404);
  });

  it("builds the bundle with esbuild, serves it with an ETag, and answers 304 to a matching If-None-Match", async () => {
    const res = await viewer.inject("/viewer.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.body.length).toBeGreaterThan(10_000);
    // Offline: the bundle names no remote script, font or tile host to load from.
    expect(res.body).not.toMatch(/https?:\/\/[^"'\s]*\.(js|css|woff2?|png)\b/);
    const etag = String(res.headers["etag"]);
    expect((await viewer.inject({ url: "/viewer.js", headers: { "if-none-match": etag } })).statusCode).toBe(304);
    const chunk = /chunk-[A-Z0-9]+\.js/.exec(res.body)?.[0];
    expect(chunk).toBeDefined();
    expect((await viewer.inject(`/${chunk}`)).statusCode).toBe(200);
  });

  it("the bundle bin/build.mjs writes for dist/ is the one esbuild builds at start, file for file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "viewer-bundle-"));
    try {
      await writeViewerBundle(dir);
      const written = prebuiltBundle(dir);
      const built = await buildViewerBundle(undefined, { prebuilt: false });
      expect([...written!.files.keys()].sort()).toEqual([...built.files.keys()].sort());
      expect(written!.hash).toBe(built.hash);
      expect(prebuiltBundle(join(dir, "none"))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the ETag covers every bundle file: a changed source map alone changes it", () => {
    const js = new TextEncoder().encode("console.log(1)");
    const files = (map: string) => new Map([["viewer.js", js], ["viewer.js.map", new TextEncoder().encode(map)]]);
    expect(bundleHash(files('{"mappings":"A"}'))).toBe(bundleHash(files('{"mappings":"A"}')));
    expect(bundleHash(files('{"mappings":"A"}'))).not.toBe(bundleHash(files('{"mappings":"B"}')));
    // Names count too: the same bytes under another chunk name are another bundle.
    expect(bundleHash(new Map([["chunk-A.js", js]]))).not.toBe(bundleHash(new Map([["chunk-B.js", js]])));
  });

  it("proxies the data API under /data/: status, type and body verbatim", async () => {
    const list = await viewer.inject("/data/datasets");
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual(["a", "b"]);
    expect(list.headers["cache-control"]).toBe("no-cache");
    const chunk = await viewer.inject("/data/datasets/a/zarr/zeta/0.0.0");
    expect(chunk.headers["content-type"]).toBe("application/octet-stream");
    expect([...chunk.rawPayload]).toEqual([1, 2, 3, 250]);
    const missing = await viewer.inject("/data/collections/x/position?coords=POINT(1%202)");
    expect(missing.statusCode).toBe(404);
    expect(seen).toContain("/collections/x/position?coords=POINT(1%202)");
  });

  it("refuses dot segments and encoded separators before forwarding", async () => {
    const before = seen.length;
    // (inject() resolves a literal %2e%2e segment like a browser would, so it never reaches the route.)
    for (const url of ["/data/datasets/a/zarr/..%2fsecret", "/data/datasets/a%2Fb", "/data/datasets/a%5c..%5cb"]) {
      const res = await viewer.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().description).toMatch(/^path /);
    }
    expect(seen.length).toBe(before);
  });

  it("refuses, over a real socket, every spelling of a dot segment fetch would resolve out of the upstream's base path", async () => {
    // inject() normalises URLs, so the raw paths are sent over HTTP exactly as written.
    const based = await buildViewer({ dataApiUrl: `${upstreamUrl}/api` });
    const url = await based.listen({ port: 0, host: "127.0.0.1" });
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${url}${path}`, { path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    try {
      const before = seen.length;
      for (const path of ["/data/datasets/.%2e/secret", "/data/a/%2E./b", "/data/datasets/%2e/x", "/data/%2e%2E/x", "/data/a%2fb", "/data/a%00b", "/data/a%zzb"]) {
        expect(await status(path), path).toBe(400);
      }
      expect(seen.slice(before)).toEqual([]);
      // A dot inside a name is an ordinary character and is forwarded under the base path.
      expect(await status("/data/datasets/a/zarr/.zmetadata")).toBe(404);
      expect(seen.slice(before)).toEqual(["/api/datasets/a/zarr/.zmetadata"]);
    } finally {
      await based.close();
    }
  });

  it("names the data API when it does not answer; /catalog/ is a 404 without --catalog-api", async () => {
    const lonely = await buildViewer({ dataApiUrl: "http://127.0.0.1:9" });
    const res = await lonely.inject("/data/datasets");
    expect(res.statusCode).toBe(502);
    expect(res.json().description).toMatch(/^the data API at http:\/\/127\.0\.0\.1:9 did not answer/);
    expect((await lonely.inject("/catalog/collections")).json().description).toMatch(/--catalog-api/);
    await lonely.close();
    await expect(buildViewer({ dataApiUrl: "localhost:6445" })).rejects.toThrow(/--data-api: "localhost:6445" must be http/);
    await expect(buildViewer({ dataApiUrl: "http://x", catalogApiUrl: "not a url" })).rejects.toThrow(/--catalog-api: "not a url" is not a URL/);
  });

  it("answers /healthz without the upstreams and /readyz once the bundle is built (the chart's probes)", async () => {
    const before = seen.length;
    const live = await viewer.inject("/healthz");
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: "ok" });
    const ready = await viewer.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok" });
    expect(seen.length).toBe(before);

    // Without the browser sources (an image built without them) the pod is live but never ready.
    const root = await mkdtemp(join(tmpdir(), "viewer-no-src-"));
    const broken = await buildViewer({ dataApiUrl: upstreamUrl, root });
    try {
      expect((await broken.inject("/healthz")).statusCode).toBe(200);
      const notReady = await broken.inject("/readyz");
      expect(notReady.statusCode).toBe(503);
      // The reason (a missing file) is in the log under the request id, never a filesystem path in the answer.
      expect(notReady.json().description).toMatch(/bundle could not be built/);
      expect(notReady.body).not.toContain(root);
      expect(notReady.json().requestId).toBe(notReady.headers["x-request-id"]);
    } finally {
      await broken.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("dmac serve viewer listens and serves the page", async () => {
    const target = SERVE_TARGETS.find((t) => t.name === "viewer");
    expect(target).toBeDefined();
    const running = await target!.start({ port: 0, host: "127.0.0.1", dataApi: upstreamUrl, catalogApi: upstreamUrl });
    try {
      const page = await fetch(`${running.url}/`);
      expect(page.status).toBe(200);
      expect(await (await fetch(`${running.url}/config.json`)).json()).toEqual({ catalog: true });
      expect(await (await fetch(`${running.url}/data/datasets`)).json()).toEqual(["a", "b"]);
    } finally {
      await running.close();
    }
  });
});
