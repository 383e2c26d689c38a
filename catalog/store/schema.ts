// The catalog tables. Plain PostgreSQL (built-in polygon type, jsonb, plpgsql) so the same DDL
// and queries run on PGlite (embedded) and on a PostgreSQL server; see geometry/geojson.ts for
// why there is no PostGIS.
export const SCHEMA_VERSION = 1;

/** Run in order, in one transaction holding an advisory lock, so replicas starting together do not race. */
export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS dmac_catalog_meta (key text PRIMARY KEY, value text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS dmac_collections (
  id text PRIMARY KEY,
  doc text NOT NULL,
  search_text text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `-- Collection extents for collection search: the first (overall) bbox and temporal interval; NULL ends are open.
ALTER TABLE dmac_collections ADD COLUMN IF NOT EXISTS footprint polygon`,
  `ALTER TABLE dmac_collections ADD COLUMN IF NOT EXISTS t_start timestamptz`,
  `ALTER TABLE dmac_collections ADD COLUMN IF NOT EXISTS t_end timestamptz`,
  `CREATE TABLE IF NOT EXISTS dmac_items (
  collection text NOT NULL REFERENCES dmac_collections (id) ON DELETE CASCADE,
  id text NOT NULL,
  doc text NOT NULL,
  properties jsonb NOT NULL,
  datetime timestamptz,
  t_start timestamptz NOT NULL,
  t_end timestamptz NOT NULL,
  footprint polygon,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
)`,
  `CREATE INDEX IF NOT EXISTS dmac_items_footprint ON dmac_items USING gist (footprint)`,
  `CREATE INDEX IF NOT EXISTS dmac_items_t_start ON dmac_items (t_start DESC, collection, id)`,
  `CREATE INDEX IF NOT EXISTS dmac_items_t_end ON dmac_items (t_end)`,
  `CREATE INDEX IF NOT EXISTS dmac_items_id ON dmac_items (id)`,
  `-- Casts a JSON string property to a timestamp for CQL2; NULL instead of an error on bad text.
CREATE OR REPLACE FUNCTION dmac_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$fn$`,
  `INSERT INTO dmac_catalog_meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}')
  ON CONFLICT (key) DO NOTHING`,
];

/** Any constant: serialises schema setup across processes sharing one PostgreSQL database. */
export const SCHEMA_LOCK_KEY = 74_021_110;
