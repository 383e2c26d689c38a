// Opens a catalog from one string, as the CLI and operators take it: a postgres:// URL selects
// the server backend; anything else is a PGlite data directory ("memory://" for none).
import { createCatalogStore } from "./catalog-store.js";
import { openPgliteClient } from "./pglite.js";
import { openPostgresClient } from "./postgres.js";
import type { CatalogStore } from "./catalog-store.js";

export type CatalogLocation = { kind: "postgres"; url: string } | { kind: "pglite"; dir?: string };

export function parseCatalogLocation(spec: string): CatalogLocation {
  if (/^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec };
  if (spec === "memory://") return { kind: "pglite" };
  return { kind: "pglite", dir: spec.replace(/^file:\/\//, "") };
}

export async function openCatalog(spec: string): Promise<CatalogStore> {
  const location = parseCatalogLocation(spec);
  const client = location.kind === "postgres" ? await openPostgresClient(location.url) : await openPgliteClient(location.dir);
  try {
    return await createCatalogStore(client);
  } catch (err) {
    await client.close();
    throw err;
  }
}
