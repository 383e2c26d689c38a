// The embedded backend: PostgreSQL compiled to WASM, persisted in a directory (or in memory).
import { PGlite } from "@electric-sql/pglite";
import type { SqlClient, SqlQuery } from "./sql-client.js";

/** `dataDir` undefined keeps the catalog in memory (tests, throwaway runs). */
export async function openPgliteClient(dataDir?: string): Promise<SqlClient> {
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
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
