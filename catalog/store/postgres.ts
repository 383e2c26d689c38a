// The server backend: a PostgreSQL connection pool through `pg`.
import pg from "pg";
import { isLoginRefused, type CredentialSource } from "./credentials.js";
import type { SqlClient, SqlQuery } from "./sql-client.js";

export interface PostgresClientOptions {
  maxConnections?: number;
  statementTimeoutMs?: number;
  /** Where the login comes from when the URL has none; without it node-postgres reads PGUSER/PGPASSWORD. */
  credentials?: CredentialSource;
}

/**
 * Pool settings for a URL and a credential source. With a source, the URL gives only host, port and
 * database (node-postgres lets a connection string's empty user and password win over the config's),
 * and each new connection asks the source for the password: a rotated one is picked up by the next.
 */
export async function poolConfig(connectionString: string, credentials: CredentialSource | undefined): Promise<pg.PoolConfig> {
  if (!credentials) return { connectionString };
  const url = new URL(connectionString);
  if (url.username || url.password) throw new Error(`catalog URL ${url.host}: names a user or password; with ${credentials.describe} the login comes from there`);
  const { user } = await credentials.login();
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")),
    user,
    password: async () => (await credentials.login()).password,
    ...(credentials.ssl ? { ssl: credentials.ssl } : {}),
  };
}

export async function openPostgresClient(connectionString: string, options: PostgresClientOptions = {}): Promise<SqlClient> {
  const { credentials } = options;
  // A runaway query (a huge CQL2 geometry over a large catalog) is cancelled, not left to pile up.
  const pool = new pg.Pool({ ...(await poolConfig(connectionString, credentials)), max: options.maxConnections ?? 10, statement_timeout: options.statementTimeoutMs ?? 30_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  /** A new connection refused for its password (rotation) reads the login again and tries once more. */
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      if (!credentials || !isLoginRefused(error)) throw error;
      credentials.invalidate();
      return pool.connect();
    }
  };
  // Fail at open, not at the first request, when the server is unreachable.
  (await connect()).release();
  const run = async <Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> => {
    const conn = await connect();
    try {
      const { rows } = await conn.query<Row>(sql, params);
      conn.release();
      return rows;
    } catch (error) {
      // As pool.query does: a connection that failed a query is closed, not reused.
      conn.release(error as Error);
      throw error;
    }
  };
  return {
    query: run,
    async transaction(fn) {
      const conn = await connect();
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
