// Starts the data API on a port (`dmac serve data-api`, the local platform). Its collections come
// either from a fixed list (`datasets`, standalone) or from the cluster's Dataset resources
// (`discovery`: watched, added and dropped as they come and go).
import { buildDataApi, type DataApiOptions } from "./app.js";
import { DatasetDiscovery, type DiscoveryOptions } from "./discovery.js";
import { invalidateOnDatasetEvents } from "./dataset-events.js";
import type { EventBus } from "../../events/platform-events.js";

export interface RunningDataApi {
  url: string;
  invalidate(datasetId: string): void;
  /** Present when the collections come from Dataset discovery. */
  discovery?: DatasetDiscovery;
  close(): Promise<void>;
}

export interface DataApiServerOptions extends Omit<DataApiOptions, "ready"> {
  port: number;
  host?: string;
  /** Discover Datasets in a cluster instead of (not beside) a fixed `datasets` list. */
  discovery?: Omit<DiscoveryOptions, "registry" | "log">;
  /** The platform bus: dataset.updated drops this replica's cached chunks of that store at once (every replica hears it). */
  bus?: EventBus;
}

export async function serveDataApi(options: DataApiServerOptions): Promise<RunningDataApi> {
  const { port, host, discovery: discoveryOptions, bus, ...apiOptions } = options;
  if (discoveryOptions !== undefined && apiOptions.datasets.length > 0) throw new Error("give either datasets (--store) or Dataset discovery (--kubeconfig), not both");
  let discovery: DatasetDiscovery | undefined;
  const app = await buildDataApi({ ...apiOptions, ready: () => discovery?.hasSynced ?? true });
  const abort = new AbortController();
  let watching: Promise<void> = Promise.resolve();
  if (discoveryOptions !== undefined) {
    discovery = new DatasetDiscovery({
      ...discoveryOptions,
      registry: app.dataApi.registry,
      log: (level, message, fields) => app.log[level]({ ...fields }, message),
    });
    watching = discovery.start(abort.signal);
  }
  const unsubscribe = bus ? invalidateOnDatasetEvents(bus, app.dataApi.registry, (ids, event) => app.log.info({ ids, event: event.id }, "dataset.updated: caches dropped")) : () => undefined;
  const close = async () => {
    unsubscribe();
    abort.abort();
    await watching;
    await app.close();
  };
  try {
    const url = await app.listen({ port, host: host ?? "127.0.0.1" });
    return { url, invalidate: (id) => app.dataApi.invalidate(id), ...(discovery ? { discovery } : {}), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Parses "id=url" store arguments; the error names the argument. */
export function parseStoreArgs(args: readonly string[]): Array<{ id: string; url: string }> {
  if (args.length === 0) throw new Error("--store: give at least one id=url (e.g. cbofs=file:///data/cbofs.zarr)");
  const seen = new Set<string>();
  return args.map((a) => {
    const at = a.indexOf("=");
    if (at <= 0 || at === a.length - 1) throw new Error(`--store ${JSON.stringify(a)}: expected id=url (e.g. cbofs=file:///data/cbofs.zarr)`);
    const id = a.slice(0, at);
    if (seen.has(id)) throw new Error(`--store ${JSON.stringify(a)}: dataset id ${id} given twice`);
    seen.add(id);
    return { id, url: a.slice(at + 1) };
  });
}
