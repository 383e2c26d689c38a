// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package.
// Expiry is judged by the local clock from when this replica last saw the record change (client-go's
// "observed time"), so clock skew between replicas cannot make two leaders.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import { isConflict, isNotFound } from "./errors.js";
import type { Runnable } from "../../kube/types.js";

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly leaseName: string;
  /** This replica's identity (pod name + random suffix). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  /** A leader that cannot renew for this long steps down. Must be < leaseDurationMs. */
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export class LeaderElector implements Runnable {
  readonly name = "leader-election";
  private readonly api: CoordinationV1Api;
  private observedRecord = "";
  private observedAt = 0;
  private leading = false;
  private lastRenew = 0;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(kubeConfig: KubeConfig, private readonly options: LeaderElectionOptions) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error("leader election: renewDeadlineMs must be less than leaseDurationMs");
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private record(lease: V1Lease): string {
    const spec = lease.spec ?? {};
    return JSON.stringify([spec.holderIdentity ?? "", spec.renewTime ? new Date(spec.renewTime).getTime() : 0, spec.leaseTransitions ?? 0]);
  }

  /** One attempt to acquire or renew; true when this replica holds the lease afterwards. */
  async tryAcquireOrRenew(now = Date.now()): Promise<boolean> {
    const { namespace, leaseName: name, identity } = this.options;
    const desiredSpec = (transitions: number, acquireTime: Date) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime,
      renewTime: new Date(now),
      leaseTransitions: transitions,
    });
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        const created = await this.api.createNamespacedLease({ namespace, body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec: desiredSpec(0, new Date(now)) } });
        this.observe(created, now);
        return true;
      } catch (createError) {
        if (isConflict(createError)) return false;
        throw createError;
      }
    }
    const record = this.record(lease);
    if (record !== this.observedRecord) this.observe(lease, now);
    const holder = lease.spec?.holderIdentity ?? "";
    const heldByOther = holder !== "" && holder !== identity;
    if (heldByOther && this.observedAt + this.leaseDurationMs > now) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const acquireTime = holder === identity && lease.spec?.acquireTime ? new Date(lease.spec.acquireTime) : new Date(now);
    try {
      const updated = await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: desiredSpec(transitions, acquireTime) } });
      this.observe(updated, now);
      return true;
    } catch (error) {
      // Another replica wrote first: the optimistic-concurrency check decides, never both.
      if (isConflict(error)) return false;
      throw error;
    }
  }

  private observe(lease: V1Lease, now: number): void {
    this.observedRecord = this.record(lease);
    this.observedAt = now;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.log?.("info", leading ? "became leader" : "stopped leading", { lease: `${this.options.namespace}/${this.options.leaseName}`, identity: this.options.identity });
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = Date.now();
      let outcome: "held" | "lost" | "error";
      try {
        outcome = (await this.tryAcquireOrRenew(now)) ? "held" : "lost";
      } catch (error) {
        outcome = "error";
        this.options.log?.("warn", "lease acquire/renew failed", { error: String(error) });
      }
      if (outcome === "held") {
        this.lastRenew = now;
        this.setLeading(true);
      } else if (this.leading && (outcome === "lost" || Date.now() - this.lastRenew > this.renewDeadlineMs)) {
        // Someone else holds it now, or the API server has been unreachable past the deadline:
        // stop before the lease can expire and another replica start, so two never reconcile at once.
        this.setLeading(false);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.retryPeriodMs);
        signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    }
    if (this.leading) await this.release();
  }

  /** Gives the lease up on clean shutdown so a successor need not wait for it to expire. */
  private async release(): Promise<void> {
    const { namespace, leaseName: name, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity === identity) {
        await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: new Date() } } });
      }
    } catch (error) {
      this.options.log?.("warn", "could not release lease", { error: String(error) });
    }
    this.setLeading(false);
  }
}
