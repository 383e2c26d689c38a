// Kubernetes Events (core/v1) for each significant step, so `kubectl describe` and
// `kubectl get events` tell the story. Repeats of the same reason and message within a window are
// folded into one Event with a count, as kube's event recorder does, to keep etcd small.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig } from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import type { Logger } from "./log.js";
import type { KubeObject } from "../../kube/types.js";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  readonly component: string;
  readonly instance: string;
  readonly log: Logger;
  /** Repeats within this window update the existing Event. */
  readonly foldWindowMs?: number;
  /** Sees every Event recorded (the operator publishes Warnings as platform log events). */
  readonly onRecord?: (object: KubeObject, type: EventType, reason: string, message: string) => void;
}

export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(kubeConfig: KubeConfig, private readonly options: EventRecorderOptions) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Records an Event; never throws (an unrecordable Event must not fail a reconcile). */
  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    this.options.onRecord?.(object, type, reason, message);
    const namespace = object.metadata.namespace ?? "default";
    const key = [object.metadata.uid, type, reason, message].join("\u0000");
    const now = new Date();
    const previous = this.recent.get(key);
    try {
      if (previous && now.getTime() - previous.at < (this.options.foldWindowMs ?? 10 * 60_000)) {
        previous.count += 1;
        previous.at = now.getTime();
        await this.api.patchNamespacedEvent(
          { name: previous.name, namespace: previous.namespace, body: { count: previous.count, lastTimestamp: now } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ).catch(async () => {
          // Folding is an optimisation; if the Event vanished (TTL), write a fresh one.
          this.recent.delete(key);
          await this.create(object, namespace, type, reason, message, now, key);
        });
        return;
      }
      await this.create(object, namespace, type, reason, message, now, key);
    } catch (error) {
      this.options.log.warn({ reason, err: String(error) }, "could not record event");
    }
    if (this.recent.size > 5000) this.recent.clear();
  }

  private async create(object: KubeObject, namespace: string, type: EventType, reason: string, message: string, now: Date, key: string): Promise<void> {
    const name = `${object.metadata.name}.${randomBytes(8).toString("hex")}`;
    const event: CoreV1Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message: message.length > 1024 ? `${message.slice(0, 1000)}… (truncated)` : message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.options.component },
      reportingComponent: this.options.component,
      reportingInstance: this.options.instance,
    };
    await this.api.createNamespacedEvent({ namespace, body: event });
    this.recent.set(key, { name, namespace, count: 1, at: now.getTime() });
  }
}
