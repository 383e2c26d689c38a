// The embedded backend: PostgreSQL compiled to WASM, persisted in a directory (or in memory).
import { PGlite } from "@electric-sql/pglite";
import { cpSync, existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlClient, SqlQuery } from "./sql-client.js";

// PostgreSQL's default 128 MB of shared buffers become resident WASM memory as the catalog is
// used; a local catalog of a few collections needs a fraction of it (about 100 MB less RSS).
const OPTIONS = { postgresqlconf: ["shared_buffers = 16MB"] };

/**
 * An initialised, cleanly shut down data directory that bin/build.mjs makes beside the compiled
 * module (dist/catalog/store/pglite-template/) with the installed PGlite. A new catalog starts as a
 * copy of it instead of running initdb in the process: initdb's own WASM module and its buffers
 * take about 450 MiB for several seconds, the largest item of `dmac up`'s first start
 * (bench/platform/README.md). Run from source there is no template, and initdb runs as before.
 */
export const PGLITE_TEMPLATE = fileURLToPath(new URL("./pglite-template", import.meta.url));

/** Makes the template in `dir` (bin/build.mjs). */
export async function makePgliteTemplate(dir: string): Promise<void> {
  const db = await PGlite.create(dir, OPTIONS);
  await db.close();
}

/** Copies the template into a missing or empty `dataDir`, whole or not at all. */
function fromTemplate(dataDir: string, template: string): void {
  if (!existsSync(join(template, "PG_VERSION"))) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  const partial = `${dataDir}.from-template`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(template, partial, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(partial, dataDir);
}

/** `dataDir` undefined keeps the catalog in memory (tests, throwaway runs); a new one starts from `template`. */
export async function openPgliteClient(dataDir?: string, template = PGLITE_TEMPLATE): Promise<SqlClient> {
  if (dataDir !== undefined) fromTemplate(dataDir, template);
  const db = dataDir === undefined ? await PGlite.create(OPTIONS) : await PGlite.create(dataDir, OPTIONS);
  const wrap = (q: { query: PGlite["query"] }): SqlQuery => ({
    async query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      return (await q.query<Row>(sql, params)).rows;
    },
  });
  const client = wrap(db);
  return {
    query: client.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}
