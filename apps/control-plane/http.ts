// The HTTP face of the control plane: Kubernetes URL grammar, content negotiation and Status
// errors, on node:http. Not fastify: the route table is the live resource registry (CRDs add
// and remove endpoints at runtime, which fastify cannot do after start), watches are long
// chunked streams, and body decoding depends on the patch media type.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { checkParsedBody, jsonTextDepthExceeds, yamlFlowDepthExceeds } from "../shared/nesting.js";
import { PATCH_TYPES, type Api, type DeleteOptions, type Target, type WriteOptions } from "./api.js";
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.js";
import { ApiError, errors, isApiError } from "./errors.js";
import type { Guard } from "./guard.js";
import type { Metrics } from "./metrics.js";
import type { OpenApi } from "./openapi.js";
import { decodeProtobuf, PROTOBUF } from "./protobuf.js";
import { requestAttributes } from "./request-info.js";
import { groupVersion } from "./resource-type.js";
import { MAX_BODY_DEPTH, MAX_REQUEST_BYTES } from "./limits.js";
import type { Reviews } from "./reviews.js";
import { isPlainObject } from "./schema.js";
import type { KObject } from "./types.js";
import { toJson } from "./serialize.js";
import { toTable, wantsTable } from "./table.js";
import { serveWatch, type WatchSettings } from "./watch.js";

export { MAX_REQUEST_BYTES } from "./limits.js";

export interface HttpContext {
  api: Api;
  /** Authentication, impersonation and RBAC for every request. */
  guard: Guard;
  reviews: Reviews;
  metrics?: Metrics;
  openapi: OpenApi;
  watch: WatchSettings;
  serverAddress: () => string;
  ready: () => boolean;
  /** Called with every error answered as a 5xx; its message starts with the request id the response carries. */
  onError?: (err: Error) => void;
  /** Browser origins allowed to call this server besides its own loopback origins (default none). */
  allowedOrigins?: readonly string[];
}

const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0+dmac", gitCommit: "embedded", gitTreeState: "clean", buildDate: "2026-01-01T00:00:00Z", goVersion: "n/a (node)", compiler: "node", platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}` };

export function createRequestHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // kube-apiserver's Audit-Id: one id per request, in the response header, in a 5xx body and in its log line.
    const requestId = randomUUID();
    res.setHeader("Audit-Id", requestId);
    if (ctx.metrics) {
      const started = performance.now();
      res.once("finish", () => ctx.metrics!.observe(verbOf(req), resourceOf(req.url ?? "/"), res.statusCode, (performance.now() - started) / 1000));
    }
    const serve = async () => {
      refuseUntrustedOrigin(ctx, req);
      await handle(ctx, req, res);
    };
    serve().catch((err: unknown) => {
      let apiError = isApiError(err) ? err : errors.internal(`the server could not handle the request (request id ${requestId})`);
      if (apiError.code >= 500) {
        if (isApiError(err)) apiError = new ApiError(err.code, err.reason, `${err.message} (request id ${requestId})`, err.details);
        ctx.onError?.(withRequestId(err, requestId, req));
      }
      if (res.headersSent) {
        res.end();
        return;
      }
      sendJson(res, apiError.code, apiError.toStatus());
    });
  };
}

/** The error as the log line shows it: request id, method and path first, the original stack kept. */
function withRequestId(err: unknown, requestId: string, req: IncomingMessage): Error {
  const original = err instanceof Error ? err : new Error(String(err));
  const logged = new Error(`request ${requestId} ${req.method ?? "?"} ${(req.url ?? "").split("?")[0]!.slice(0, 200)}: ${original.message}`);
  logged.stack = `${logged.message}\n${(original.stack ?? "").split("\n").slice(1).join("\n")}`;
  return logged;
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * A browser sends `Origin` on cross-site requests and on any request a DNS-rebinding page makes;
 * kubectl and client libraries never do. A request whose Origin is not this server's own loopback
 * origin (or one configured in `allowedOrigins`) is refused before anything else is read: a page on
 * another site cannot drive the API through the user's browser.
 */
export function refuseUntrustedOrigin(ctx: Pick<HttpContext, "serverAddress" | "allowedOrigins">, req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const port = /:(\d+)$/.exec(ctx.serverAddress())?.[1];
  const own = port === undefined ? [] : LOOPBACK_HOSTS.flatMap((host) => [`http://${host}:${port}`, `https://${host}:${port}`]);
  if (own.includes(origin.toLowerCase()) || (ctx.allowedOrigins ?? []).includes(origin)) return;
  throw new ApiError(403, "Forbidden", `requests from the browser origin ${JSON.stringify(origin.slice(0, 200))} are not allowed: this API server answers kubectl and API clients, not web pages`, {});
}

function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = toJson(body);
  const headers: Record<string, string | string[]> = { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), "Cache-Control": "no-cache, private" };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)) });
  res.end(text);
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  let segs: string[];
  try {
    url = new URL(req.url ?? "/", "http://control-plane");
    segs = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    throw errors.badRequest(`malformed request path: ${JSON.stringify((req.url ?? "").slice(0, 200))}`);
  }
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  const user = await ctx.guard.admit(req.headers, requestAttributes(method, url.pathname, url.searchParams));

  if (method === "GET" || method === "HEAD") {
    if (path === "/version") return sendJson(res, 200, VERSION);
    if (path === "/metrics" && ctx.metrics) {
      const text = await ctx.metrics.registry.metrics();
      res.writeHead(200, { "Content-Type": ctx.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (path === "/healthz" || path === "/livez" || path.startsWith("/healthz/") || path.startsWith("/livez/")) return sendText(res, 200, "ok");
    if (path === "/readyz" || path.startsWith("/readyz/")) return ctx.ready() ? sendText(res, 200, "ok") : sendText(res, 503, "not ready: persistence failed");
    if (path === "/api") return sendJson(res, 200, apiVersions(ctx.serverAddress()));
    if (path === "/apis") return sendJson(res, 200, apiGroupList(ctx.api.registry));
    if (path === "/openapi/v3") return sendJson(res, 200, ctx.openapi.index());
    if (path.startsWith("/openapi/v3/")) {
      const doc = ctx.openapi.documentFor(path.slice("/openapi/v3/".length));
      if (!doc) throw errors.notFoundPath();
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(doc)), "Cache-Control": url.searchParams.has("hash") ? "public, immutable" : "no-cache, private" });
      res.end(doc);
      return;
    }
    if (segs[0] === "apis" && segs.length === 2) {
      const group = apiGroup(ctx.api.registry, segs[1]!);
      if (!group) throw errors.notFoundPath();
      return sendJson(res, 200, group);
    }
    if ((segs[0] === "api" && segs.length === 2) || (segs[0] === "apis" && segs.length === 3)) {
      const [group, version] = segs[0] === "api" ? ["", segs[1]!] : [segs[1]!, segs[2]!];
      const list = apiResourceList(ctx.api.registry, group, version);
      if (!list) throw errors.notFoundPath();
      return sendJson(res, 200, list);
    }
  }
  const route = parseResourcePath(ctx, segs);
  if (!route) throw errors.notFoundPath();
  const { target, watchPath } = route;
  const q = url.searchParams;
  if (route.token || target.type.virtual) {
    if (method !== "POST" || (target.type.virtual && target.name)) throw errors.methodNotAllowed(`the server does not allow this method on the requested resource: ${method}`);
    const body = await readBody(req, target);
    const answer = route.token ? await ctx.reviews.tokenRequest(target.namespace ?? "", target.name!, body) : await ctx.reviews.answer(target.type, body, user);
    return sendJson(res, 201, answer);
  }

  if (method === "GET") {
    const table = wantsTable(req.headers.accept);
    if (target.name && !watchPath) {
      const object = ctx.api.get(target);
      await ctx.api.store.whenDurable();
      return sendJson(res, 200, table ? toTable(target.type, target.version, [object], { resourceVersion: object.metadata.resourceVersion }, q.get("includeObject")) : object);
    }
    if (watchPath || q.get("watch") === "true" || q.get("watch") === "1") {
      if (target.name) {
        // /watch/.../{name}: a watch on one object is a field-selector watch.
        q.set("fieldSelector", [q.get("fieldSelector"), `metadata.name=${target.name}`].filter(Boolean).join(","));
        delete target.name;
      }
      const options = {
        allowWatchBookmarks: q.get("allowWatchBookmarks") === "true",
        sendInitialEvents: q.get("sendInitialEvents") === "true",
        ...optional("resourceVersion", q.get("resourceVersion")),
        ...optional("labelSelector", q.get("labelSelector")),
        ...optional("fieldSelector", q.get("fieldSelector")),
        ...optional("timeoutSeconds", q.has("timeoutSeconds") ? positiveInt(q.get("timeoutSeconds")!, "timeoutSeconds") : undefined),
        ...(table ? { asTable: (object: KObject, first: boolean) => toTable(target.type, target.version, [object], { resourceVersion: object.metadata.resourceVersion }, q.get("includeObject"), first) } : {}),
      };
      const closed = ctx.metrics?.watchOpened(target.type.plural);
      try {
        await serveWatch(ctx.api, target, options, ctx.watch, res, (cb) => {
          req.on("close", cb);
          res.on("close", cb);
        });
      } finally {
        closed?.();
      }
      return;
    }
    const list = ctx.api.list(target, {
      ...optional("labelSelector", q.get("labelSelector")),
      ...optional("fieldSelector", q.get("fieldSelector")),
      ...optional("limit", q.has("limit") ? positiveInt(q.get("limit")!, "limit") : undefined),
      ...optional("continue", q.get("continue")),
      ...optional("exactResourceVersion", exactVersion(q)),
    });
    await ctx.api.store.whenDurable();
    const metadata: Record<string, unknown> = { resourceVersion: list.resourceVersion };
    if (list.continue) metadata.continue = list.continue;
    if (list.remainingItemCount !== undefined) metadata.remainingItemCount = list.remainingItemCount;
    if (table) return sendJson(res, 200, toTable(target.type, target.version, list.items, metadata, q.get("includeObject")));
    return sendJson(res, 200, { kind: target.type.listKind, apiVersion: groupVersion(target.type.group, target.version.name), metadata, items: list.items });
  }

  const writeOptions: WriteOptions = { ...parseWriteOptions(q), user };
  if (method === "POST") {
    if (target.name) throw errors.methodNotAllowed(`POST is not allowed on a named ${target.type.kind}; create with POST on the collection`);
    const body = await readBody(req, target);
    const result = await ctx.api.create(target, body, writeOptions);
    return sendJson(res, 201, result.object, result.warnings);
  }
  if (method === "PUT") {
    if (!target.name) throw errors.methodNotAllowed("PUT requires a resource name");
    const body = await readBody(req, target);
    const result = route.finalize ? await finalize(ctx.api, target, body, writeOptions) : await ctx.api.update(target, body, writeOptions);
    return sendJson(res, 200, result.object, result.warnings);
  }
  if (method === "PATCH") {
    if (!target.name) throw errors.methodNotAllowed("PATCH requires a resource name");
    const contentType = (req.headers["content-type"] ?? "").toLowerCase();
    const media = contentType.split(";")[0]!.trim();
    const known: string[] = [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply];
    if (!known.includes(media)) throw errors.unsupportedMediaType(contentType || "(none)");
    if (media === PATCH_TYPES.strategic && target.type.custom) {
      await drain(req);
      throw errors.unsupportedMediaType(contentType);
    }
    const body = await readBody(req, target, media === PATCH_TYPES.apply ? "yaml" : "json");
    const result = await ctx.api.patch(target, contentType, body, writeOptions);
    return sendJson(res, result.created ? 201 : 200, result.object, result.warnings);
  }
  if (method === "DELETE") {
    const raw = await readBody(req, target, undefined, true);
    const options = parseDeleteOptions(raw, q);
    if (!target.name) {
      const deleted = await ctx.api.deleteCollection(target, { ...optional("labelSelector", q.get("labelSelector")), ...optional("fieldSelector", q.get("fieldSelector")) }, options);
      return sendJson(res, 200, { kind: target.type.listKind, apiVersion: groupVersion(target.type.group, target.version.name), metadata: { resourceVersion: String(ctx.api.store.resourceVersion) }, items: deleted });
    }
    const { object, removed } = await ctx.api.delete(target, options);
    const code = removed ? 200 : 202;
    if (removed && !target.type.custom && !(target.type.group === "" && target.type.plural === "namespaces")) {
      return sendJson(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: object.metadata.name, group: target.type.group, kind: target.type.plural, uid: object.metadata.uid } });
    }
    return sendJson(res, code, object);
  }
  throw errors.methodNotAllowed(`the server does not allow this method on the requested resource: ${method}`);
}

/** kube-apiserver's verb label: list/watch/get are distinguished, not just GET. */
function verbOf(req: IncomingMessage): string {
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  if (method === "GET" && (/[?&]watch=(true|1)/.test(url) || /\/watch\//.test(url))) return "WATCH";
  return method === "POST" ? "CREATE" : method === "PUT" ? "UPDATE" : method;
}

/** The resource (plural) of an API path, or the path itself for non-resource URLs; bounded cardinality. */
function resourceOf(url: string): string {
  const segs = url.split("?")[0]!.split("/").filter(Boolean);
  let rest = segs[0] === "api" ? segs.slice(2) : segs[0] === "apis" ? segs.slice(3) : [];
  if (rest[0] === "watch") rest = rest.slice(1);
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  return rest[0] ?? (segs[0] === "openapi" ? "openapi" : segs[0] === "api" || segs[0] === "apis" ? "discovery" : "other");
}

interface Route {
  target: Target;
  watchPath: boolean;
  finalize: boolean;
  /** POST .../serviceaccounts/{name}/token (TokenRequest). */
  token: boolean;
}

function parseResourcePath(ctx: HttpContext, segs: string[]): Route | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 3) [group, version, rest] = ["", segs[1]!, segs.slice(2)];
  else if (segs[0] === "apis" && segs.length >= 4) [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  else return undefined;
  const watchPath = rest[0] === "watch";
  if (watchPath) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [plural, name, sub] = rest as [string, string?, string?];
  const resolved = ctx.api.registry.resolve(group, version, plural);
  if (!resolved) return undefined;
  if (namespace !== undefined && !resolved.type.namespaced) return undefined;
  const target: Target = { type: resolved.type, version: resolved.version };
  if (namespace !== undefined) target.namespace = namespace;
  if (name !== undefined) target.name = name;
  let finalize = false;
  let token = false;
  if (sub !== undefined) {
    const isNamespace = group === "" && plural === "namespaces";
    if (sub === "status" && (resolved.version.statusSubresource || isNamespace)) target.subresource = "status";
    else if (sub === "finalize" && isNamespace) finalize = true;
    else if (sub === "token" && group === "" && plural === "serviceaccounts") token = true;
    else return undefined;
  }
  return { target, watchPath, finalize, token };
}

/** PUT /api/v1/namespaces/{name}/finalize: only spec.finalizers changes. */
async function finalize(api: Api, target: Target, body: unknown, options: WriteOptions) {
  const current = api.get(target);
  const finalizers = isPlainObject(body) && isPlainObject(body.spec) ? body.spec.finalizers : undefined;
  const next = structuredClone(current);
  next.spec = { ...(isPlainObject(next.spec) ? next.spec : {}), finalizers: Array.isArray(finalizers) ? finalizers : [] };
  return api.update(target, next, options);
}

/** resourceVersionMatch: Exact reads a past state; NotOlderThan (and none) read current state, which satisfies it. */
function exactVersion(q: URLSearchParams): number | undefined {
  const match = q.get("resourceVersionMatch");
  if (!match) return undefined;
  if (match !== "Exact" && match !== "NotOlderThan") throw errors.badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
  const rv = q.get("resourceVersion");
  if (!rv) throw errors.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (match === "NotOlderThan") return undefined;
  return positiveInt(rv, "resourceVersion");
}

function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined || value === "" ? {} : { [key]: value }) as { [P in K]?: V };
}

function positiveInt(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw errors.badRequest(`${name}: Invalid value: "${text}": must be a non-negative integer`);
  return Number(text);
}

function parseWriteOptions(q: URLSearchParams): WriteOptions {
  const options: WriteOptions = {};
  const dryRun = q.getAll("dryRun");
  if (dryRun.length > 0) {
    if (dryRun.some((d) => d !== "All")) throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(dryRun[0])}: supported values: "All"`);
    options.dryRun = true;
  }
  const manager = q.get("fieldManager");
  if (manager) {
    if (manager.length > 128) throw errors.badRequest("fieldManager: Too long: must have at most 128 bytes");
    options.fieldManager = manager;
  }
  const validation = q.get("fieldValidation");
  if (validation) {
    if (validation !== "Strict" && validation !== "Warn" && validation !== "Ignore") throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(validation)}: supported values: "Ignore", "Strict", "Warn"`);
    options.fieldValidation = validation;
  }
  if (q.get("force") === "true") options.force = true;
  return options;
}

function parseDeleteOptions(body: unknown, q: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const fromBody = isPlainObject(body) ? body : {};
  const policy = q.get("propagationPolicy") ?? fromBody.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (policy !== "Background" && policy !== "Foreground" && policy !== "Orphan") throw errors.badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Background", "Foreground", "Orphan"`);
    options.propagationPolicy = policy;
  } else if (fromBody.orphanDependents === true || q.get("orphanDependents") === "true") options.propagationPolicy = "Orphan";
  if (isPlainObject(fromBody.preconditions)) options.preconditions = fromBody.preconditions as DeleteOptions["preconditions"] & object;
  const dryRun = [...q.getAll("dryRun"), ...(Array.isArray(fromBody.dryRun) ? (fromBody.dryRun as string[]) : [])];
  if (dryRun.includes("All")) options.dryRun = true;
  return options;
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

const YAML_TYPES = new Set(["application/yaml", "application/x-yaml", "text/yaml"]);

/**
 * Reads and decodes a request body: JSON or YAML by content type, with kube-apiserver's size limit.
 * A body without a JSON, YAML or protobuf content type is 415: a browser can send text/plain or no
 * type at all cross-site without a preflight, and such a write must not be taken as JSON.
 */
async function readBody(req: IncomingMessage, target: Target, as?: "json" | "yaml", allowEmpty = false): Promise<unknown> {
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  const media = contentType.split(";")[0]!.trim();
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  if (tooLarge) throw errors.tooLarge(`Request entity too large: limit is ${MAX_REQUEST_BYTES}`);
  if (media === PROTOBUF && as === undefined) return decodeProtobuf(Buffer.concat(chunks));
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    if (allowEmpty) return undefined;
    throw errors.badRequest("the request body is empty: an object is required");
  }
  const format = as ?? (YAML_TYPES.has(media) ? "yaml" : media === "application/json" ? "json" : undefined);
  if (format === undefined) throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType || "no Content-Type"})`, {});
  return decodeDocument(text, format, target.type.plural);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * JSON or YAML text to a value, refusing what would hurt the layers after it: nesting deeper than
 * MAX_BODY_DEPTH (checked on the JSON text before parsing, and on the parsed YAML) and the key
 * "__proto__", which every JavaScript reader of the object would take for its prototype.
 */
export function decodeDocument(text: string, format: "json" | "yaml", plural: string): unknown {
  let value: unknown;
  if (format === "json") {
    if (jsonTextDepthExceeds(text, MAX_BODY_DEPTH)) throw errors.badRequest(`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
    try {
      value = JSON.parse(text) as unknown;
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  } else if (/^\s*[[{]/.test(text) && !jsonTextDepthExceeds(text, MAX_BODY_DEPTH) && (value = parseJsonOrUndefined(text)) !== undefined) {
    // JSON is YAML 1.2, and what kubectl apply --server-side sends: parsed as JSON, in linear time.
  } else {
    if (yamlFlowDepthExceeds(text, MAX_BODY_DEPTH)) throw errors.badRequest(`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
    try {
      // uniqueKeys off: the yaml library checks duplicates pairwise (quadratic: 10,000 keys take
      // seconds); a repeated key takes the last value, as JSON.parse does.
      value = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false }) as unknown;
    } catch (err) {
      const why = err instanceof RangeError ? `nested too deeply (limit ${MAX_BODY_DEPTH} levels)` : (err as Error).message;
      throw errors.badRequest(`the body of the request for ${plural} could not be decoded as YAML: ${why}`);
    }
  }
  const problem = checkParsedBody(value, MAX_BODY_DEPTH);
  if (problem?.kind === "depth") throw errors.badRequest(`the request body is nested more than ${problem.limit} levels deep`);
  if (problem?.kind === "key") throw errors.badRequest(`the request body has the field name "__proto__" (at ${problem.path.slice(0, 200)}): it is not accepted, as JavaScript clients would read it as an object's prototype`);
  return value;
}
