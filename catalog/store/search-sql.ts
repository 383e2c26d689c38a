// Builds the SQL for an item search and a collection listing. Pure: returns text and parameters.
import { ownValue } from "../../apps/shared/own.js";
import { cql2ToSql, intersectsPolygons, temporalOverlap } from "../cql2/sql.js";
import { bboxToPolygons, geometryToPolygons } from "../geometry/geojson.js";
import { SqlParams } from "./params.js";
import type { CollectionSearch, ItemSearch, SortKey } from "../search/types.js";

const SORT_COLUMNS: Record<string, string> = {
  id: "i.id",
  collection: "i.collection",
  datetime: "i.datetime",
  "properties.datetime": "i.datetime",
  start_datetime: "i.t_start",
  "properties.start_datetime": "i.t_start",
  end_datetime: "i.t_end",
  "properties.end_datetime": "i.t_end",
};

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

/** Fetches one row more than the limit so the caller knows whether a next page exists. */
export function buildItemSearch(search: ItemSearch): BuiltQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (search.collections) where.push(`i.collection = ANY(${params.add(search.collections)}::text[])`);
  if (search.ids) where.push(`i.id = ANY(${params.add(search.ids)}::text[])`);
  if (search.bbox) where.push(intersectsPolygons(bboxToPolygons(search.bbox, true), params));
  if (search.intersects) where.push(intersectsPolygons(geometryToPolygons(search.intersects, true), params));
  if (search.datetime) where.push(temporalOverlap(["i.t_start", "i.t_end"], search.datetime.start, search.datetime.end, params));
  if (search.filter !== undefined) where.push(`COALESCE(${cql2ToSql(search.filter, params)}, FALSE)`);
  const order = orderBy(search.sortby, params);
  const sql = `SELECT i.doc FROM dmac_items i${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ${params.add(search.limit + 1)} OFFSET ${params.add(search.offset)}`;
  return { sql, params: params.values };
}

function orderBy(sortby: SortKey[] | undefined, params: SqlParams): string {
  if (!sortby?.length) return "i.t_start DESC, i.collection, i.id";
  const keys = sortby.map((k) => {
    const column = ownValue(SORT_COLUMNS, k.field) ?? `(i.properties -> ${params.add(k.field.replace(/^properties\./, ""))}::text)`;
    // Items without the property come last in either direction.
    return `${column} ${k.direction === "desc" ? "DESC" : "ASC"} NULLS LAST`;
  });
  // Ties broken by the primary key so paging never repeats or skips an item.
  return [...keys, "i.collection", "i.id"].join(", ");
}

export function buildCollectionSearch(search: CollectionSearch): BuiltQuery {
  const params = new SqlParams();
  const where: string[] = [];
  if (search.q?.length) {
    const like = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(${search.q.map((t) => `c.search_text ILIKE ${params.add(like(t))}`).join(" OR ")})`);
  }
  if (search.bbox) where.push(`(${bboxToPolygons(search.bbox, true).map((p) => `c.footprint && ${params.add(p)}::polygon`).join(" OR ")})`);
  if (search.datetime) {
    const { start, end } = search.datetime;
    if (end !== null) where.push(`(c.t_start IS NULL OR c.t_start <= ${params.add(end)}::timestamptz)`);
    if (start !== null) where.push(`(c.t_end IS NULL OR c.t_end >= ${params.add(start)}::timestamptz)`);
  }
  const filter = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  return { sql: `SELECT c.doc FROM dmac_collections c${filter} ORDER BY c.id LIMIT ${params.add(search.limit + 1)} OFFSET ${params.add(search.offset)}`, params: params.values };
}
