/** The little a catalog store needs from a database connection; PGlite and `pg` both fit behind it. */
export interface SqlQuery {
  query<Row extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface SqlClient extends SqlQuery {
  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
