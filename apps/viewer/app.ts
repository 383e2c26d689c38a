// The viewer's web server as a fastify instance (only server.ts listens; tests may inject()).
// It serves the page, the esbuild bundle and, under /data/ and /catalog/, a same-origin proxy to
// the data API and the STAC API, so the browser needs no CORS and talks to one origin only. The
// Content-Security-Policy allows nothing but this origin: the page cannot load anything from the
// internet even by mistake.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { installErrorHandling, sendError } from "../shared/http-errors.js";
import { installRequestHardening, serverOptions, type ApiLogging } from "../shared/http-server.js";
import { hasOwn } from "../shared/own.js";
import { buildViewerBundle, viewerRoot, type ViewerBundle } from "./bundle.js";

export interface ViewerOptions extends ApiLogging {
  /** The data API (OGC EDR + Zarr passthrough) the page reads, e.g. http://127.0.0.1:6445. */
  dataApiUrl: string;
  /** The STAC API, if any: the page shows a dataset's catalog entry. */
  catalogApiUrl?: string;
  /** Where static/ and src/ are (default: found from this module). */
  root?: string;
}

declare module "fastify" {
  interface FastifyInstance {
    viewer: { bundle(): Promise<ViewerBundle> };
  }
}

const CSP = [
  "default-src 'self'",
  // zarrita's blosc/lz4/zstd codecs are Emscripten WebAssembly modules whose glue code (embind)
  // builds functions from strings: without 'unsafe-eval' a blosc-compressed store cannot be read.
  // Scripts still come from this origin only.
  "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const STATIC: Record<string, string> = { "index.html": "text/html; charset=utf-8", "viewer.css": "text/css; charset=utf-8" };

/**
 * The base map's Natural Earth land (src/basemap.ts), served from the installed world-atlas
 * package rather than bundled: esbuild would turn 3 MB of TopoJSON into a script plus an 11 MB
 * source map held in memory. The ETag is the package's version: the files never change within one.
 */
const LAND_FILES = new Set(["land-50m.json", "land-10m.json"]);
const resolvePackage = createRequire(import.meta.url).resolve;
const worldAtlasVersion = (JSON.parse(readFileSync(resolvePackage("world-atlas/package.json"), "utf8")) as { version: string }).version;

function upstreamBase(url: string, flag: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${flag}: ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:6445)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`${flag}: ${JSON.stringify(url)} must be http:// or https://`);
  return parsed.href.replace(/\/+$/, "");
}

/**
 * Whether a raw request path could leave the upstream's base path once the upstream (or fetch
 * itself) resolves it. Segments are judged decoded, because the WHATWG URL parser that fetch uses
 * treats ".%2e", "%2e." and "%2e" as dot segments, and a server decoding %2f or %5c would see a
 * separator; control characters (%00) are refused as no Zarr key or EDR path contains them.
 */
function unsafePath(path: string): boolean {
  if (path.includes("\\")) return true;
  return path.split("/").some((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    return decoded === "." || decoded === ".." || /[/\\\u0000-\u001f\u007f]/.test(decoded);
  });
}

/** Forwards a GET to `base` + the rest of the path after `prefix`, query included. */
async function forward(base: string, prefix: string, name: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const rest = request.url.slice(prefix.length);
  const path = rest.split("?")[0] ?? "";
  if (unsafePath(path)) {
    return sendError(request, reply, 400, { code: "InvalidPath", description: `path ${JSON.stringify(path.slice(0, 120))}: dot segments, encoded separators and control characters are not forwarded` });
  }
  const headers: Record<string, string> = {};
  for (const h of ["accept", "range", "if-none-match"]) {
    const v = request.headers[h];
    if (typeof v === "string") headers[h] = v;
  }
  let upstream: Response;
  try {
    upstream = await fetch(`${base}${rest}`, { headers, redirect: "manual", signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    request.log.warn({ err: error, upstream: base }, `${name} did not answer`);
    return sendError(request, reply, 502, { code: "BadGateway", description: `${name} at ${base} did not answer: ${cause.slice(0, 200)}` });
  }
  reply.code(upstream.status);
  for (const h of ["content-type", "cache-control", "etag", "content-range", "last-modified"]) {
    const v = upstream.headers.get(h);
    if (v !== null) reply.header(h, v);
  }
  return reply.send(Buffer.from(await upstream.arrayBuffer()));
}

export async function buildViewer(options: ViewerOptions): Promise<FastifyInstance> {
  const dataApi = upstreamBase(options.dataApiUrl, "--data-api");
  const catalogApi = options.catalogApiUrl !== undefined ? upstreamBase(options.catalogApiUrl, "--catalog-api") : undefined;
  const root = options.root ?? viewerRoot();
  const app = Fastify(serverOptions(options));
  installRequestHardening(app);
  installErrorHandling(app, { component: "viewer" });
  let bundle: Promise<ViewerBundle> | undefined;
  const getBundle = () => {
    bundle ??= buildViewerBundle(root, { prebuilt: options.root === undefined }).catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    return bundle;
  };
  app.decorate("viewer", { bundle: getBundle });
  app.addHook("onSend", async (_request, reply) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
  });

  const page = async (name: string, request: FastifyRequest, reply: FastifyReply) => {
    const type = hasOwn(STATIC, name) ? STATIC[name] : undefined;
    if (type === undefined) return sendError(request, reply, 404, { code: "NotFound", description: `${name.slice(0, 100)} not found` });
    reply.type(type).header("cache-control", "no-cache");
    return reply.send(await readFile(join(root, "static", name)));
  };
  // Liveness: the process answers. Readiness: the bundle is built, so a pod whose image lacks
  // esbuild or the browser sources never gets traffic, and the first visitor does not wait for the build.
  app.get("/healthz", async (_request, reply) => reply.header("cache-control", "no-cache").send({ status: "ok" }));
  app.get("/readyz", async (request, reply) => {
    reply.header("cache-control", "no-cache");
    try {
      await getBundle();
    } catch (error) {
      request.log.error({ err: error }, "viewer bundle failed");
      return reply.code(503).send({ status: "unavailable", description: "the browser bundle could not be built; the server log has the details", requestId: request.id });
    }
    return reply.send({ status: "ok" });
  });
  app.get("/", async (request, reply) => page("index.html", request, reply));
  app.get<{ Params: { file: string } }>("/:file", async (request, reply) => {
    const file = request.params.file;
    if (hasOwn(STATIC, file)) return page(file, request, reply);
    if (file === "config.json") return reply.header("cache-control", "no-cache").send({ catalog: catalogApi !== undefined });
    if (LAND_FILES.has(file)) {
      const etag = `"world-atlas-${worldAtlasVersion}-${file}"`;
      reply.header("etag", etag).header("cache-control", "no-cache");
      if (request.headers["if-none-match"] === etag) return reply.code(304).send();
      return reply.type("application/json").send(await readFile(resolvePackage(`world-atlas/${file}`)));
    }
    if (!/^(viewer|chunk-[A-Z0-9]+)\.js(\.map)?$/.test(file) && file !== "viewer.js.LEGAL.txt") return sendError(request, reply, 404, { code: "NotFound", description: `${file.slice(0, 100)} not found` });
    const b = await getBundle();
    const bytes = b.files.get(file);
    if (bytes === undefined) return sendError(request, reply, 404, { code: "NotFound", description: `${file.slice(0, 100)} not found` });
    const etag = `"${b.hash}"`;
    reply.header("etag", etag).header("cache-control", "no-cache");
    if (request.headers["if-none-match"] === etag) return reply.code(304).send();
    reply.type(file.endsWith(".map") ? "application/json" : file.endsWith(".txt") ? "text/plain; charset=utf-8" : "text/javascript; charset=utf-8");
    return reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
  app.get("/data/*", async (request, reply) => forward(dataApi, "/data", "the data API", request, reply));
  app.get("/catalog/*", async (request, reply) => {
    if (catalogApi === undefined) return sendError(request, reply, 404, { code: "NotFound", description: "no catalog API configured (--catalog-api)" });
    return forward(catalogApi, "/catalog", "the catalog API", request, reply);
  });
  return app;
}
