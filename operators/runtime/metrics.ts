// Prometheus metrics of the operators, one registry per manager (tests run several in one process).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: "dmac_reconcile_total", help: "Reconciles by controller and result (success, error, requeue, terminal).", labelNames: ["controller", "result"], registers: [this.registry] });
  readonly errors = new Counter({ name: "dmac_reconcile_errors_total", help: "Reconciles that ended in an error.", labelNames: ["controller"], registers: [this.registry] });
  readonly duration = new Histogram({ name: "dmac_reconcile_duration_seconds", help: "Time spent in one reconcile.", labelNames: ["controller"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: "dmac_workqueue_depth", help: "Keys waiting in a controller's work queue.", labelNames: ["controller"], registers: [this.registry] });
  readonly inFlight = new Gauge({ name: "dmac_reconcile_in_flight", help: "Reconciles running now.", labelNames: ["controller"], registers: [this.registry] });
  readonly workItems = new Gauge({ name: "dmac_work_items", help: "Ingest work items by state.", labelNames: ["namespace", "ingestjob", "state"], registers: [this.registry] });
  readonly leader = new Gauge({ name: "dmac_leader", help: "1 when this replica holds the leader lease.", registers: [this.registry] });

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
