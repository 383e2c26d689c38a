// Keeps the data API's caches in step with the Dataset operator: when it publishes a
// "dataset updated" CloudEvent (the aggregation committed new time steps; for a best forecast,
// every cycle), every dataset served from that store is invalidated at once instead of waiting
// for the .zmetadata freshness check. Works with any EventBus: in-process on the local
// platform, RabbitMQ between pods.
import { eventTypes, type CloudEvent, type EventBus } from "../../events/platform-events.js";
import type { DatasetRegistry } from "./registry.js";

/** Subscribes; returns the unsubscribe function. */
export function invalidateOnDatasetEvents(bus: EventBus, registry: DatasetRegistry, onInvalidate?: (ids: string[], event: CloudEvent) => void): () => void {
  return bus.subscribe(
    (event) => {
      const storeUrl = event.data["storeUrl"];
      const ids = new Set(typeof storeUrl === "string" && storeUrl !== "" ? registry.idsForUrl(storeUrl) : []);
      // The subject is "<namespace>/<name>": a dataset served under its resource name, or under
      // "<namespace>-<name>" (the id discovery and `dmac up` give it), matches too.
      const [namespace, name] = event.subject?.includes("/") ? event.subject.split("/") : [undefined, event.subject];
      for (const id of [name, namespace && name ? `${namespace}-${name}` : undefined]) if (id !== undefined && registry.has(id)) ids.add(id);
      for (const id of ids) registry.invalidate(id);
      if (ids.size > 0) onInvalidate?.([...ids], event);
    },
    [eventTypes.datasetUpdated],
    // Events missed while the broker was away (this replica's queue went with it): drop everything.
    { onGap: () => { for (const id of registry.ids()) registry.invalidate(id); } },
  );
}
