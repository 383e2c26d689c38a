// Starts the catalog API on a port: opens the catalog store, listens, and closes both on stop.
import { openCatalog } from "../../catalog/index.js";
import { buildCatalogApi } from "./app.js";
import type { CatalogApiOptions } from "./app.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface CatalogApiServerOptions extends Omit<CatalogApiOptions, "store"> {
  /** A PGlite data directory, "memory://", or a postgres:// URL. */
  catalog: string;
  port: number;
  host?: string;
}

export async function startCatalogApi(options: CatalogApiServerOptions): Promise<RunningServer> {
  const { catalog, port, host, ...apiOptions } = options;
  const store = await openCatalog(catalog);
  try {
    const app = await buildCatalogApi({ ...apiOptions, store });
    app.addHook("onClose", async () => store.close());
    const address = await app.listen({ port, host: host ?? "127.0.0.1" });
    return { url: address, close: () => app.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}
