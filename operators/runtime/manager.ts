// The manager runs every part of an operator with one lifecycle: informers always (a standby replica
// keeps a warm cache), controllers only while this replica leads, and an HTTP server for /metrics,
// /healthz and /readyz. SIGTERM stops new work, lets in-flight reconciles finish within the grace
// period, releases the lease, and exits.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Controller } from "./controller.js";
import type { Informer } from "../../kube/informer.js";
import { LeaderElector } from "./leader.js";
import type { Logger } from "./log.js";
import { OperatorMetrics } from "./metrics.js";
import type { KubeObject, Runnable } from "../../kube/types.js";

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  readonly identity: string;
  /** Leader election; omit to always lead (a single replica, or tests). */
  readonly leaderElection?: { namespace: string; leaseName: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  /** Port for /metrics, /healthz, /readyz (0 = any free port; undefined = no server). */
  readonly probePort?: number;
  readonly probeHost?: string;
}

export class Manager {
  readonly metrics = new OperatorMetrics();
  private readonly informers: Informer<KubeObject>[] = [];
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly leaderRunnables: Runnable[] = [];
  private leading = false;
  private controllersAbort: AbortController | undefined;
  private controllersDone: Promise<unknown> = Promise.resolve();
  private server: Server | undefined;
  private elector: LeaderElector | undefined;
  private startedLoops = 0;
  private stoppedLoops = 0;

  constructor(private readonly options: ManagerOptions) {}

  addInformer<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    this.informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  addController(controller: Controller): Controller {
    this.controllers.push(controller);
    return controller;
  }

  /** Other long-running parts (executors, servers) that run on every replica. */
  addRunnable(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** A part that, like the controllers, runs only on the leader (a consumer whose work the controllers own). */
  addLeaderRunnable(runnable: Runnable): void {
    this.leaderRunnables.push(runnable);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get probeAddress(): AddressInfo | undefined {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address : undefined;
  }

  get ready(): boolean {
    return this.informers.every((i) => i.hasSynced);
  }

  private startControllers(): void {
    if (this.controllersAbort) return;
    const abort = new AbortController();
    this.controllersAbort = abort;
    this.leading = true;
    this.metrics.leader.set(1);
    const leaderParts = this.leaderRunnables.map((r) => r.start(abort.signal).catch((error: unknown) => this.options.log.error({ runnable: r.name, err: String(error) }, "runnable failed")));
    this.controllersDone = Promise.all([...this.controllers.map((c) => c.start(abort.signal)), ...leaderParts]);
  }

  private async stopControllers(): Promise<void> {
    const abort = this.controllersAbort;
    this.leading = false;
    this.metrics.leader.set(0);
    if (!abort) return;
    abort.abort();
    await this.controllersDone;
    this.controllersAbort = undefined;
  }

  private async listen(): Promise<void> {
    if (this.options.probePort === undefined) return;
    this.server = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0];
      const send = (status: number, body: string, type = "text/plain; charset=utf-8") => {
        response.writeHead(status, { "content-type": type });
        response.end(body);
      };
      if (path === "/metrics") {
        this.metrics.text().then((text) => send(200, text, this.metrics.registry.contentType), (error: unknown) => send(500, String(error)));
      } else if (path === "/healthz") {
        // Alive while every loop we started is still running.
        send(this.stoppedLoops === 0 ? 200 : 500, this.stoppedLoops === 0 ? "ok" : `${this.stoppedLoops} of ${this.startedLoops} loops stopped`);
      } else if (path === "/readyz") {
        const unsynced = this.informers.filter((i) => !i.hasSynced).map((i) => i.name);
        send(unsynced.length === 0 ? 200 : 503, unsynced.length === 0 ? "ok" : `waiting for caches: ${unsynced.join(", ")}`);
      } else {
        send(404, "not found");
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(this.options.probePort, this.options.probeHost ?? "127.0.0.1", () => resolve());
    });
  }

  /** Runs until the signal aborts, then shuts down gracefully. */
  async start(signal: AbortSignal): Promise<void> {
    const { log } = this.options;
    await this.listen();
    const loops: Promise<void>[] = [];
    const track = (runnable: Runnable) => {
      this.startedLoops += 1;
      loops.push(runnable.start(signal).catch((error: unknown) => log.error({ runnable: runnable.name, err: String(error) }, "runnable failed")).finally(() => {
        if (!signal.aborted) this.stoppedLoops += 1;
      }));
    };
    for (const informer of this.informers) track(informer);
    for (const runnable of this.runnables) track(runnable);
    if (this.options.leaderElection) {
      this.elector = new LeaderElector(this.options.kubeConfig, {
        ...this.options.leaderElection,
        identity: this.options.identity,
        onStartedLeading: () => this.startControllers(),
        onStoppedLeading: () => void this.stopControllers(),
        log: (level, message, fields) => log[level](fields ?? {}, message),
      });
      // Controllers stop before the elector releases the lease, so the successor starts clean.
      signal.addEventListener("abort", () => void this.stopControllers(), { once: true });
      track(this.elector);
    } else {
      this.startControllers();
    }
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    log.info({}, "shutting down");
    await this.stopControllers();
    await Promise.all(loops);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    log.info({}, "stopped");
  }
}

/** Aborts on SIGTERM or SIGINT: the operator's process-level shutdown hook. */
export function shutdownSignal(): AbortSignal {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return abort.signal;
}
