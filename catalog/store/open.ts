// Opens a catalog from one string, as the CLI and operators take it: a postgres:// URL selects
// the server backend; anything else is a PGlite data directory ("memory://" for none). A PostgreSQL
// login comes from a credential source (./credentials.ts) or from PGUSER/PGPASSWORD, never the URL in Git.
import { createCatalogStore } from "./catalog-store.js";
import type { CredentialSource } from "./credentials.js";
import { openPgliteClient } from "./pglite.js";
import { openPostgresClient } from "./postgres.js";
import type { CatalogStore } from "./catalog-store.js";

export type CatalogLocation = { kind: "postgres"; url: string } | { kind: "pglite"; dir?: string };

export function parseCatalogLocation(spec: string): CatalogLocation {
  if (/^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec };
  if (spec === "memory://") return { kind: "pglite" };
  return { kind: "pglite", dir: spec.replace(/^file:\/\//, "") };
}

export interface OpenCatalogOptions {
  /** The PostgreSQL login's source; see catalogCredentialsFromEnv. Ignored for PGlite. */
  readonly credentials?: CredentialSource;
}

export async function openCatalog(spec: string, options: OpenCatalogOptions = {}): Promise<CatalogStore> {
  const location = parseCatalogLocation(spec);
  const client =
    location.kind === "postgres"
      ? await openPostgresClient(location.url, options.credentials ? { credentials: options.credentials } : {})
      : await openPgliteClient(location.dir);
  try {
    return await createCatalogStore(client);
  } catch (err) {
    await client.close();
    throw err;
  }
}
