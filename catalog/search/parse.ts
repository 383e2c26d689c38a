// Turns untrusted STAC API search parameters (GET query strings or a POST body) into a
// checked ItemSearch. Every failure is a CatalogInputError naming the parameter.
import { Cql2Error } from "../cql2/ast.js";
import { cql2ToSql } from "../cql2/sql.js";
import { SqlParams } from "../store/params.js";
import { parseCql2Json } from "../cql2/json.js";
import { parseCql2Text } from "../cql2/text.js";
import { parseGeometry } from "../geometry/geojson.js";
import { checkBbox, checkId, parseInstant } from "../stac/checks.js";
import { CatalogInputError } from "../stac/errors.js";
import type { Cql2Expr } from "../cql2/ast.js";
import type { FieldsSpec, ItemSearch, SortKey } from "./types.js";
import type { Bbox } from "../stac/types.js";

export interface SearchLimits {
  defaultLimit: number;
  maxLimit: number;
}

export const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const MAX_LIST = 500;

/** Raw parameters: strings from a query string, or JSON values from a POST body. */
export type RawSearch = Record<string, unknown>;

export interface ParsedSearch {
  search: ItemSearch;
  fields?: FieldsSpec;
}

export function parseItemSearch(raw: RawSearch, from: "query" | "body", limits: SearchLimits): ParsedSearch {
  for (const [key, value] of Object.entries(raw)) rejectNul(value, key);
  const search: ItemSearch = { limit: parseLimit(raw.limit, limits), offset: parseToken(raw.token) };
  const collections = parseList(raw.collections, "collections", from);
  if (collections) search.collections = collections;
  const ids = parseList(raw.ids, "ids", from);
  if (ids) search.ids = ids;
  if (raw.bbox !== undefined && raw.intersects !== undefined) {
    throw new CatalogInputError("bbox", "bbox and intersects cannot be used together");
  }
  if (raw.bbox !== undefined) search.bbox = parseBbox(raw.bbox, from);
  if (raw.intersects !== undefined) search.intersects = parseGeometry(from === "query" ? parseJsonParam(raw.intersects, "intersects") : raw.intersects, "intersects");
  if (raw.datetime !== undefined) search.datetime = parseDatetime(raw.datetime);
  const filter = parseFilter(raw, from);
  if (filter !== undefined) search.filter = filter;
  const sortby = parseSortby(raw.sortby, from);
  if (sortby) search.sortby = sortby;
  const fields = parseFields(raw.fields, from);
  return fields ? { search, fields } : { search };
}

export function parseLimit(value: unknown, limits: SearchLimits): number {
  if (value === undefined) return limits.defaultLimit;
  const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new CatalogInputError("limit", "must be a positive integer");
  return Math.min(n, limits.maxLimit);
}

/** Paging tokens are opaque to clients: base64url of {"o": offset}. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

export function parseToken(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "string" || value.length > 100 || !/^[A-Za-z0-9_-]+$/.test(value)) throw new CatalogInputError("token", "is not a token this API issued");
  try {
    const o = (JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as { o?: unknown }).o;
    if (typeof o === "number" && Number.isInteger(o) && o >= 0 && o <= 10_000_000) return o;
  } catch {
    // fall through to the error below
  }
  throw new CatalogInputError("token", "is not a token this API issued");
}

function parseList(value: unknown, field: string, from: "query" | "body"): string[] | undefined {
  if (value === undefined) return undefined;
  let list: unknown;
  if (from === "query") list = typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : value;
  else list = value;
  if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) throw new CatalogInputError(field, "must be a list of strings");
  if (list.length > MAX_LIST) throw new CatalogInputError(field, `more than ${MAX_LIST} entries`);
  list.forEach((s, i) => checkId(s, `${field}[${i}]`));
  return list as string[];
}

export function parseBbox(value: unknown, from: "query" | "body"): Bbox {
  let nums: unknown = value;
  if (from === "query" || typeof value === "string") {
    if (typeof value !== "string") throw new CatalogInputError("bbox", "must be 4 or 6 comma-separated numbers");
    const parts = value.split(",");
    if (!parts.every((p) => /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(p))) throw new CatalogInputError("bbox", "must be 4 or 6 comma-separated numbers");
    nums = parts.map(Number);
  }
  checkBbox(nums, "bbox");
  return nums;
}

/** STAC datetime: an instant, or an interval "start/end" where either end may be ".." or empty. */
export function parseDatetime(value: unknown): { start: string | null; end: string | null } {
  if (typeof value !== "string" || value.length > 100) throw new CatalogInputError("datetime", "must be an RFC 3339 date-time or interval");
  const iso = (s: string) => new Date(parseInstant(s, "datetime")).toISOString();
  const parts = value.split("/");
  if (parts.length === 1) {
    const t = iso(value);
    return { start: t, end: t };
  }
  if (parts.length !== 2) throw new CatalogInputError("datetime", "an interval has exactly one '/'");
  const open = (s: string) => s === ".." || s === "";
  const [a, b] = parts as [string, string];
  if (open(a) && open(b)) throw new CatalogInputError("datetime", "an interval needs at least one closed end");
  const start = open(a) ? null : iso(a);
  const end = open(b) ? null : iso(b);
  if (start !== null && end !== null && start > end) throw new CatalogInputError("datetime", "interval start is after its end");
  return { start, end };
}

function parseJsonParam(value: unknown, field: string): unknown {
  if (typeof value !== "string") throw new CatalogInputError(field, "must be JSON");
  try {
    return JSON.parse(value);
  } catch {
    throw new CatalogInputError(field, "is not valid JSON");
  }
}

function parseFilter(raw: RawSearch, from: "query" | "body"): Cql2Expr | undefined {
  const lang = raw["filter-lang"];
  if (lang !== undefined && lang !== "cql2-text" && lang !== "cql2-json") throw new CatalogInputError("filter-lang", "must be cql2-text or cql2-json");
  const crs = raw["filter-crs"];
  if (crs !== undefined && crs !== CRS84) throw new CatalogInputError("filter-crs", `only ${CRS84} is supported`);
  const filter = raw.filter;
  if (filter === undefined) return undefined;
  const effective = lang ?? (from === "query" ? "cql2-text" : "cql2-json");
  try {
    let expr: Cql2Expr;
    if (effective === "cql2-text") {
      if (typeof filter !== "string") throw new CatalogInputError("filter", "cql2-text must be a string");
      expr = parseCql2Text(filter);
    } else {
      expr = parseCql2Json(typeof filter === "string" ? parseJsonParam(filter, "filter") : filter);
    }
    // Translating once here surfaces type errors (id = 3, bad timestamps) as a 400 on `filter`.
    cql2ToSql(expr, new SqlParams());
    return expr;
  } catch (err) {
    if (err instanceof Cql2Error) throw new CatalogInputError("filter", err.message);
    throw err;
  }
}

const SORT_FIELD = /^[A-Za-z_][A-Za-z0-9_:.\-]{0,127}$/;

function parseSortby(value: unknown, from: "query" | "body"): SortKey[] | undefined {
  if (value === undefined) return undefined;
  let keys: SortKey[];
  if (typeof value === "string") {
    keys = value.split(",").filter((s) => s.trim() !== "").map((s) => {
      const t = s.trim();
      const sign = t[0] === "-" ? "desc" : "asc";
      return { field: t.replace(/^[+-]/, ""), direction: sign };
    });
  } else if (from === "body" && Array.isArray(value)) {
    keys = value.map((k, i) => {
      const o = (typeof k === "object" && k !== null ? k : {}) as Record<string, unknown>;
      if (typeof o.field !== "string") throw new CatalogInputError(`sortby[${i}].field`, "must be a string");
      const direction = o.direction ?? "asc";
      if (direction !== "asc" && direction !== "desc") throw new CatalogInputError(`sortby[${i}].direction`, "must be asc or desc");
      return { field: o.field, direction };
    });
  } else {
    throw new CatalogInputError("sortby", "must be a list of fields");
  }
  if (keys.length > 10) throw new CatalogInputError("sortby", "more than 10 keys");
  keys.forEach((k, i) => {
    if (!SORT_FIELD.test(k.field)) throw new CatalogInputError(`sortby[${i}]`, `"${k.field.slice(0, 64)}" is not a sortable field`);
    if (k.field === "geometry") throw new CatalogInputError(`sortby[${i}]`, "cannot sort by geometry");
  });
  return keys.length ? keys : undefined;
}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_:.\-]{0,127}$/;

function parseFields(value: unknown, from: "query" | "body"): FieldsSpec | undefined {
  if (value === undefined) return undefined;
  const spec: FieldsSpec = { include: [], exclude: [] };
  if (typeof value === "string") {
    for (const s of value.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
      if (s.startsWith("-")) spec.exclude.push(s.slice(1));
      else spec.include.push(s.replace(/^\+/, ""));
    }
  } else if (from === "body" && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const key of ["include", "exclude"] as const) {
      const list = o[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) throw new CatalogInputError(`fields.${key}`, "must be a list of strings");
      spec[key].push(...(list as string[]));
    }
  } else {
    throw new CatalogInputError("fields", "must be a list of field names or {include, exclude}");
  }
  for (const f of [...spec.include, ...spec.exclude]) {
    if (!FIELD_PATH.test(f)) throw new CatalogInputError("fields", `"${f.slice(0, 64)}" is not a field path`);
  }
  if (spec.include.length + spec.exclude.length > 100) throw new CatalogInputError("fields", "more than 100 entries");
  return spec;
}

/** Free-text `q`: comma or space separated terms, "quoted phrases" kept whole. */
export function parseFreeText(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > 500) throw new CatalogInputError("q", "must be a string of at most 500 characters");
  rejectNul(value, "q");
  const terms: string[] = [];
  for (const m of value.matchAll(/"([^"]*)"|([^\s,"]+)/g)) {
    const term = (m[1] ?? m[2] ?? "").trim();
    if (term) terms.push(term);
  }
  if (terms.length > 20) throw new CatalogInputError("q", "more than 20 terms");
  return terms.length ? terms : undefined;
}

/** PostgreSQL text cannot hold NUL; reject it up front rather than fail in the database. */
function rejectNul(value: unknown, field: string, depth = 0): void {
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw new CatalogInputError(field, "must not contain NUL characters");
  } else if (typeof value === "object" && value !== null && depth < 64) {
    for (const v of Object.values(value)) rejectNul(v, field, depth + 1);
  }
}
