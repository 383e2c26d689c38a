// The embedded backend: PostgreSQL compiled to WASM, persisted in a directory (or in memory).
import { PGlite } from "@electric-sql/pglite";
import type { SqlClient, SqlQuery } from "./sql-client.js";

/** `dataDir` undefined keeps the catalog in memory (tests, throwaway runs). */
export async function openPgliteClient(dataDir?: string): Promise<SqlClient> {
  // PostgreSQL's default 128 MB of shared buffers become resident WASM memory as the catalog is
  // used; a local catalog of a few collections needs a fraction of it (about 100 MB less RSS).
  const options = { postgresqlconf: ["shared_buffers = 16MB"] };
  const db = dataDir === undefined ? await PGlite.create(options) : await PGlite.create(dataDir, options);
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
