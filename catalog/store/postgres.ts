// The server backend: a PostgreSQL connection pool through `pg`.
import pg from "pg";
import type { SqlClient, SqlQuery } from "./sql-client.js";

export async function openPostgresClient(connectionString: string, options: { maxConnections?: number; statementTimeoutMs?: number } = {}): Promise<SqlClient> {
  // A runaway query (a huge CQL2 geometry over a large catalog) is cancelled, not left to pile up.
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, statement_timeout: options.statementTimeoutMs ?? 30_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  // Fail at open, not at the first request, when the server is unreachable.
  (await pool.connect()).release();
  const query = async <Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> =>
    (await pool.query<Row>(sql, params)).rows;
  return {
    query,
    async transaction(fn) {
      const conn = await pool.connect();
      const tx: SqlQuery = {
        query: async <Row extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await conn.query<Row>(sql, params)).rows,
      };
      try {
        await conn.query("BEGIN");
        const result = await fn(tx);
        await conn.query("COMMIT");
        return result;
      } catch (err) {
        await conn.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
