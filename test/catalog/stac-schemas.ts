// The official STAC 1.0.0 and datacube 2.2.0 JSON Schemas (copies in ../shared/schemas, see
// its README) and the GeoJSON schemas from the npm package geojson-schema, registered with Ajv
// under their $ids so nothing is fetched from the network.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** ../shared/schemas beside the checkout; $DMAC_SHARED_SCHEMAS or /work/shared/schemas for clones elsewhere. */
export const SHARED_SCHEMAS = [process.env.DMAC_SHARED_SCHEMAS, resolve(repoRoot, "../shared/schemas"), "/work/shared/schemas"]
  .filter((d): d is string => typeof d === "string" && d !== "")
  .find((d) => existsSync(join(d, "stac-1.0.0"))) ?? resolve(repoRoot, "../shared/schemas");
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface StacValidators {
  item: ValidateFunction;
  collection: ValidateFunction;
  catalog: ValidateFunction;
  datacube: ValidateFunction;
}

export function loadStacValidators(): StacValidators {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // ajv-formats has no IRI formats; our links are URLs, so URL syntax is the stricter check.
  ajv.addFormat("iri", (s: string) => URL.canParse(s));
  ajv.addFormat("iri-reference", (s: string) => URL.canParse(s, "http://base.invalid/"));
  // The datacube schema refers to PROJJSON, which is not among the copies; PROJJSON documents
  // are JSON objects, so this stand-in keeps the schema's oneOf (string | integer | object) exact.
  ajv.addSchema({ $id: "https://proj.org/schemas/v0.4/projjson.schema.json", type: "object" });
  const geojsonDir = dirname(createRequire(import.meta.url).resolve("geojson-schema/Feature.json"));
  const files = [
    ...readdirSync(geojsonDir).filter((f) => f.endsWith(".json") && f !== "package.json").map((f) => join(geojsonDir, f)),
    ...["catalog-spec/json-schema/catalog.json", "collection-spec/json-schema/collection.json"].map((f) => join(SHARED_SCHEMAS, "stac-1.0.0", f)),
    ...readdirSync(join(SHARED_SCHEMAS, "stac-1.0.0/item-spec/json-schema")).map((f) => join(SHARED_SCHEMAS, "stac-1.0.0/item-spec/json-schema", f)),
    join(SHARED_SCHEMAS, "stac-datacube-2.2.0/schema.json"),
  ];
  for (const file of files) ajv.addSchema(JSON.parse(readFileSync(file, "utf8")) as object);
  const get = (id: string): ValidateFunction => {
    const v = ajv.getSchema(id);
    if (!v) throw new Error(`schema ${id} not registered`);
    return v;
  };
  return {
    item: get("https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json#"),
    collection: get("https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json#"),
    catalog: get("https://schemas.stacspec.org/v1.0.0/catalog-spec/json-schema/catalog.json#"),
    datacube: get("https://stac-extensions.github.io/datacube/v2.2.0/schema.json"),
  };
}

/** Validates and returns the errors as readable text (empty when valid). */
export function schemaErrors(validate: ValidateFunction, doc: unknown): string {
  return validate(doc) ? "" : JSON.stringify(validate.errors?.slice(0, 5), null, 1);
}
