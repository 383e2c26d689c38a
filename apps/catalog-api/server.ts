// Starts the catalog API on a port: opens the catalog store, listens, and closes both on stop.
import { openCatalog, type CredentialSource } from "../../catalog/index.js";
import { buildCatalogApi } from "./app.js";
import type { CatalogApiOptions } from "./app.js";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface CatalogApiServerOptions extends Omit<CatalogApiOptions, "store"> {
  /** A PGlite data directory, "memory://", or a postgres:// URL. */
  catalog: string;
  /** The PostgreSQL login's source (RDS secret); without it PGUSER/PGPASSWORD. */
  credentials?: CredentialSource;
  port: number;
  host?: string;
}

export async function startCatalogApi(options: CatalogApiServerOptions): Promise<RunningServer> {
  const { catalog, port, host, credentials, ...apiOptions } = options;
  const store = await openCatalog(catalog, credentials ? { credentials } : {});
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
