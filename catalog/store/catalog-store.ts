// The catalog store: what the CatalogEntry reconciler writes and the STAC API reads. One
// implementation over any SqlClient, so the embedded and the server backend run the same SQL.
import { collectionRow, itemRow } from "./records.js";
import { SCHEMA_LOCK_KEY, SCHEMA_STATEMENTS } from "./schema.js";
import { buildCollectionSearch, buildItemSearch } from "./search-sql.js";
import { checkId, isValidId } from "../stac/checks.js";
import { CatalogInputError } from "../stac/errors.js";
import { Cql2Error } from "../cql2/ast.js";
import type { ItemRow } from "./records.js";
import type { SqlClient, SqlQuery } from "./sql-client.js";
import type { CollectionSearch, ItemSearch } from "../search/types.js";
import type { StacCollection, StacItem } from "../stac/types.js";

export interface Page<T> {
  records: T[];
  /** True when another page follows (the store fetched one record past the limit). */
  hasMore: boolean;
}

export interface CatalogStore {
  /** Inserts or replaces a Collection; its Items are kept. */
  upsertCollection(collection: StacCollection): Promise<void>;
  /** Removes a Collection and all its Items. False when it did not exist. */
  deleteCollection(id: string): Promise<boolean>;
  /** Inserts or replaces Items of one existing Collection, all in one transaction. */
  upsertItems(collectionId: string, items: StacItem[]): Promise<void>;
  /** Removes the given Items (all of the Collection's when `ids` is omitted); returns how many. */
  deleteItems(collectionId: string, ids?: string[]): Promise<number>;
  getCollection(id: string): Promise<StacCollection | undefined>;
  listCollections(search: CollectionSearch): Promise<Page<StacCollection>>;
  getItem(collectionId: string, id: string): Promise<StacItem | undefined>;
  searchItems(search: ItemSearch): Promise<Page<StacItem>>;
  close(): Promise<void>;
}

const INSERT_BATCH = 500;

export async function createCatalogStore(db: SqlClient): Promise<CatalogStore> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
    for (const statement of SCHEMA_STATEMENTS) await tx.query(statement);
  });
  const page = <T>(rows: Array<{ doc: string }>, limit: number): Page<T> => ({
    records: rows.slice(0, limit).map((r) => JSON.parse(r.doc) as T),
    hasMore: rows.length > limit,
  });
  return {
    async upsertCollection(collection) {
      const row = collectionRow(collection);
      await db.query(
        `INSERT INTO dmac_collections (id, doc, search_text, footprint, t_start, t_end) VALUES ($1, $2, $3, $4::polygon, $5::timestamptz, $6::timestamptz)
         ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, search_text = EXCLUDED.search_text, footprint = EXCLUDED.footprint,
           t_start = EXCLUDED.t_start, t_end = EXCLUDED.t_end, updated_at = now()`,
        [row.id, row.doc, row.searchText, row.footprint, row.tStart, row.tEnd],
      );
    },
    async deleteCollection(id) {
      checkId(id, "collectionId");
      const rows = await db.query(`DELETE FROM dmac_collections WHERE id = $1 RETURNING id`, [id]);
      return rows.length > 0;
    },
    async upsertItems(collectionId, items) {
      checkId(collectionId, "collectionId");
      // Check everything before writing anything: a bad item never leaves half a cycle behind.
      const rows = items.map((item, i) => itemRow(collectionId, item, `items[${i}]`));
      await db.transaction(async (tx) => {
        const exists = await tx.query(`SELECT 1 FROM dmac_collections WHERE id = $1`, [collectionId]);
        if (exists.length === 0) throw new CatalogInputError("collectionId", `collection "${collectionId}" does not exist`);
        for (let i = 0; i < rows.length; i += INSERT_BATCH) await insertItems(tx, rows.slice(i, i + INSERT_BATCH));
      });
    },
    async deleteItems(collectionId, ids) {
      checkId(collectionId, "collectionId");
      ids?.forEach((id, i) => checkId(id, `ids[${i}]`));
      const rows = ids
        ? await db.query(`DELETE FROM dmac_items WHERE collection = $1 AND id = ANY($2::text[]) RETURNING id`, [collectionId, ids])
        : await db.query(`DELETE FROM dmac_items WHERE collection = $1 RETURNING id`, [collectionId]);
      return rows.length;
    },
    async getCollection(id) {
      if (!isValidId(id)) return undefined;
      const rows = await db.query<{ doc: string }>(`SELECT doc FROM dmac_collections WHERE id = $1`, [id]);
      return rows[0] ? (JSON.parse(rows[0].doc) as StacCollection) : undefined;
    },
    async listCollections(search) {
      const q = buildCollectionSearch(search);
      return page<StacCollection>(await db.query<{ doc: string }>(q.sql, q.params), search.limit);
    },
    async getItem(collectionId, id) {
      if (!isValidId(collectionId) || !isValidId(id)) return undefined;
      const rows = await db.query<{ doc: string }>(`SELECT doc FROM dmac_items WHERE collection = $1 AND id = $2`, [collectionId, id]);
      return rows[0] ? (JSON.parse(rows[0].doc) as StacItem) : undefined;
    },
    async searchItems(search) {
      let q: ReturnType<typeof buildItemSearch>;
      try {
        q = buildItemSearch(search);
      } catch (err) {
        if (err instanceof Cql2Error) throw new CatalogInputError("filter", err.message);
        throw err;
      }
      return page<StacItem>(await db.query<{ doc: string }>(q.sql, q.params), search.limit);
    },
    close: () => db.close(),
  };
}

async function insertItems(tx: SqlQuery, rows: ItemRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const values = rows.map((r) => {
    const base = params.length;
    params.push(r.collection, r.id, r.doc, r.properties, r.datetime, r.tStart, r.tEnd, r.footprint);
    const p = (k: number) => `$${base + k}`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}::jsonb, ${p(5)}::timestamptz, ${p(6)}::timestamptz, ${p(7)}::timestamptz, ${p(8)}::polygon)`;
  });
  await tx.query(
    `INSERT INTO dmac_items (collection, id, doc, properties, datetime, t_start, t_end, footprint) VALUES ${values.join(", ")}
     ON CONFLICT (collection, id) DO UPDATE SET doc = EXCLUDED.doc, properties = EXCLUDED.properties, datetime = EXCLUDED.datetime,
       t_start = EXCLUDED.t_start, t_end = EXCLUDED.t_end, footprint = EXCLUDED.footprint, updated_at = now()`,
    params,
  );
}
