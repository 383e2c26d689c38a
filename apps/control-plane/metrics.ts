// /metrics in Prometheus format, with kube-apiserver's metric names where one exists.
// One prom-client Registry per server, so several control planes can share a process (tests).
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DurableLog } from "./durable-log.js";
import type { Store } from "./store.js";

export interface Metrics {
  registry: Registry;
  observe(verb: string, resource: string, code: number, seconds: number): void;
  watchOpened(resource: string): () => void;
}

export function createMetrics(store: Store, log: DurableLog): Metrics {
  const registry = new Registry();
  const requests = new Counter({ name: "apiserver_request_total", help: "Requests by verb, resource and HTTP code.", labelNames: ["verb", "resource", "code"], registers: [registry] });
  const duration = new Histogram({ name: "apiserver_request_duration_seconds", help: "Request latency (watches excluded).", labelNames: ["verb", "resource"], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const watchers = new Gauge({ name: "apiserver_registered_watchers", help: "Open watch streams by resource.", labelNames: ["resource"], registers: [registry] });
  new Gauge({ name: "dmac_control_plane_resource_version", help: "Current global resourceVersion.", registers: [registry], collect() { this.set(store.resourceVersion); } });
  new Gauge({ name: "dmac_control_plane_log_records_total", help: "Records made durable since start.", registers: [registry], collect() { this.set(log.stats().records); } });
  new Gauge({ name: "dmac_control_plane_log_flushes_total", help: "fdatasync batches since start (records / flushes = group-commit batch size).", registers: [registry], collect() { this.set(log.stats().flushes); } });
  new Gauge({ name: "dmac_control_plane_log_compactions_total", help: "Snapshots written since start.", registers: [registry], collect() { this.set(log.stats().compactions); } });
  new Gauge({ name: "dmac_control_plane_log_healthy", help: "1 while the durable log accepts writes.", registers: [registry], collect() { this.set(log.healthy() ? 1 : 0); } });
  return {
    registry,
    observe(verb, resource, code, seconds) {
      requests.inc({ verb, resource, code: String(code) });
      if (verb !== "WATCH") duration.observe({ verb, resource }, seconds);
    },
    watchOpened(resource) {
      watchers.inc({ resource });
      return () => watchers.dec({ resource });
    },
  };
}
