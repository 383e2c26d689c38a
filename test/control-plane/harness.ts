// Where the conformance suites run: against a real cluster when DMAC_CONFORMANCE_KUBECONFIG
// names a kubeconfig (its current context), otherwise against a fresh embedded control plane.
// Suites use only this, kubectl and client-node, so the same assertions hold for both targets.
import { execFile } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startControlPlane, type ControlPlaneOptions } from "../../apps/control-plane/index.js";

export interface Target {
  kubeconfigPath: string;
  kubeconfig: KubeConfig;
  /** The cluster URL (for raw HTTP checks). */
  server: string;
  embedded: boolean;
  workDir: string;
  kubectl(args: string[], options?: { input?: string; allowFail?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A raw HTTP request with the kubeconfig's TLS settings and credentials. */
  request(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<RawResponse>;
  /** A raw HTTP request trusting the cluster's CA but sending no credential of its own (give one in `headers`). */
  requestWithout(method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<RawResponse>;
  stop(): Promise<void>;
}

export const EXTERNAL_KUBECONFIG = process.env.DMAC_CONFORMANCE_KUBECONFIG;

/** `existing`: use an already running server instead (suites that must stay embedded). */
export async function startTarget(options: ControlPlaneOptions = {}, existing?: { kubeconfigPath: string; stop: () => Promise<void> }): Promise<Target> {
  const workDir = mkdtempSync(join(tmpdir(), "dmac-cp-test-"));
  let kubeconfigPath: string;
  let stopServer = async (): Promise<void> => {};
  if (existing) {
    kubeconfigPath = existing.kubeconfigPath;
    stopServer = existing.stop;
  } else if (EXTERNAL_KUBECONFIG) kubeconfigPath = EXTERNAL_KUBECONFIG;
  else {
    kubeconfigPath = join(workDir, "kubeconfig");
    const cp = await startControlPlane({ inMemory: true, ...options, kubeconfigPath, watch: { bookmarkIntervalMs: 1000, ...options.watch } });
    stopServer = cp.stop;
  }
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(kubeconfigPath);
  const server = kubeconfig.getCurrentCluster()!.server;
  const cacheDir = join(workDir, "kube-cache");
  return {
    kubeconfigPath,
    kubeconfig,
    server,
    embedded: existing !== undefined || !EXTERNAL_KUBECONFIG,
    workDir,
    kubectl: (args, opts = {}) => runKubectl(kubeconfigPath, cacheDir, args, opts),
    request: (method, path, body, headers) => rawRequest(kubeconfig, server, method, path, body, headers),
    requestWithout: (method, path, body, headers) => rawRequest(kubeconfig, server, method, path, body, headers, false),
    async stop() {
      await stopServer();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

async function rawRequest(kubeconfig: KubeConfig, server: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, withCredential = true): Promise<RawResponse> {
  const options: https.RequestOptions = { method, headers: { Accept: "application/json" } };
  await kubeconfig.applyToHTTPSOptions(options);
  const applied = options.headers as Record<string, string>;
  if (!withCredential) delete applied.Authorization;
  options.headers = { ...applied, ...headers };
  const url = new URL(path, server);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function runKubectl(kubeconfigPath: string, cacheDir: string, args: string[], opts: { input?: string; allowFail?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/kubectl", ["--kubeconfig", kubeconfigPath, "--cache-dir", cacheDir, ...args], { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : 1) : 0;
      if (code !== 0 && !opts.allowFail) reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${stderr || stdout}`));
      else resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** A unique namespace per suite so runs against a shared cluster do not collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function writeTemp(target: Target, name: string, text: string): string {
  const path = join(target.workDir, name);
  writeFileSync(path, text);
  return path;
}

export const FIXTURES = join(import.meta.dirname, "fixtures");

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
