// Checks STAC documents on their way into the store and turns them into table rows.
import { geometryBbox, geometryToPolygons, parseGeometry } from "../geometry/geojson.js";
import { checkBbox, checkId, parseInstant } from "../stac/checks.js";
import { CatalogInputError } from "../stac/errors.js";
import type { Bbox, Link, StacCollection, StacItem } from "../stac/types.js";

function bboxCorners(b: Bbox): [number, number, number, number] {
  const half = b.length / 2;
  return [b[0], b[1], b[half] as number, b[half + 1] as number];
}

export interface ItemRow {
  collection: string;
  id: string;
  doc: string;
  properties: string;
  datetime: string | null;
  tStart: string;
  tEnd: string;
  footprint: string | null;
}

export interface CollectionRow {
  id: string;
  doc: string;
  searchText: string;
  footprint: string | null;
  tStart: string | null;
  tEnd: string | null;
}

/** Navigation links depend on where the catalog is served, so the API adds them; others (license, about, via) are kept. */
const NAVIGATION_RELS = new Set(["self", "root", "parent", "child", "collection", "items", "next", "prev"]);

function portableLinks(links: Link[] | undefined): Link[] {
  return (Array.isArray(links) ? links : []).filter((l) => typeof l?.rel === "string" && !NAVIGATION_RELS.has(l.rel));
}

export function collectionRow(c: StacCollection): CollectionRow {
  if (c?.type !== "Collection") throw new CatalogInputError("collection.type", 'must be "Collection"');
  checkId(c.id, "collection.id");
  if (typeof c.description !== "string") throw new CatalogInputError("collection.description", "must be a string");
  if (typeof c.license !== "string") throw new CatalogInputError("collection.license", "must be a string");
  const bboxes = c.extent?.spatial?.bbox;
  if (!Array.isArray(bboxes) || bboxes.length === 0) throw new CatalogInputError("collection.extent.spatial.bbox", "must have at least one bbox");
  bboxes.forEach((b, i) => checkBbox(b, `collection.extent.spatial.bbox[${i}]`));
  const interval = c.extent?.temporal?.interval?.[0];
  if (!Array.isArray(interval) || interval.length !== 2) throw new CatalogInputError("collection.extent.temporal.interval", "must have at least one [start, end] interval");
  const end = (v: unknown, i: number) => {
    if (v === null) return null;
    if (typeof v !== "string") throw new CatalogInputError(`collection.extent.temporal.interval[0][${i}]`, "must be an RFC 3339 string or null");
    return new Date(parseInstant(v, `collection.extent.temporal.interval[0][${i}]`)).toISOString();
  };
  const searchText = [c.id, c.title ?? "", c.description, ...(c.keywords ?? [])].join("\n");
  const stored = { ...c, links: portableLinks(c.links) };
  // The first bbox is the overall extent (STAC); one across the antimeridian matches as the whole longitude band.
  const [w, s, e, n] = bboxCorners(bboxes[0] as Bbox);
  const footprint = w <= e ? `((${w},${s}),(${e},${s}),(${e},${n}),(${w},${n}))` : `((-180,${s}),(180,${s}),(180,${n}),(-180,${n}))`;
  return { id: c.id, doc: JSON.stringify(stored), searchText, footprint, tStart: end(interval[0], 0), tEnd: end(interval[1], 1) };
}

export function itemRow(collectionId: string, item: StacItem, field = "item"): ItemRow {
  if (item?.type !== "Feature") throw new CatalogInputError(`${field}.type`, 'must be "Feature"');
  checkId(item.id, `${field}.id`);
  if (item.collection !== undefined && item.collection !== collectionId) {
    throw new CatalogInputError(`${field}.collection`, `"${item.collection}" does not match collection "${collectionId}"`);
  }
  const props = item.properties;
  if (typeof props !== "object" || props === null || Array.isArray(props)) throw new CatalogInputError(`${field}.properties`, "must be an object");
  const iso = (v: unknown, f: string) => {
    if (typeof v !== "string") throw new CatalogInputError(`${field}.properties.${f}`, "must be an RFC 3339 string");
    return new Date(parseInstant(v, `${field}.properties.${f}`)).toISOString();
  };
  const datetime = props.datetime === null ? null : iso(props.datetime, "datetime");
  const start = props.start_datetime !== undefined ? iso(props.start_datetime, "start_datetime") : datetime;
  const end = props.end_datetime !== undefined ? iso(props.end_datetime, "end_datetime") : datetime;
  if (start === null || end === null) throw new CatalogInputError(`${field}.properties`, "needs datetime, or start_datetime and end_datetime");
  if (start > end) throw new CatalogInputError(`${field}.properties.start_datetime`, "is after end_datetime");
  let footprint: string | null = null;
  let bbox = item.bbox;
  if (item.geometry !== null) {
    const geometry = parseGeometry(item.geometry, `${field}.geometry`);
    const [minx, miny, maxx, maxy] = geometryBbox(geometry);
    bbox ??= [minx, miny, maxx, maxy];
    // One polygon per item: a Polygon's outer ring or a Point as is; anything else its bbox.
    footprint = geometry.type === "Polygon" || geometry.type === "Point"
      ? (geometryToPolygons(geometry)[0] ?? null)
      : `((${minx},${miny}),(${maxx},${miny}),(${maxx},${maxy}),(${minx},${maxy}))`;
  }
  if (bbox !== undefined) checkBbox(bbox, `${field}.bbox`);
  const doc = { ...item, links: portableLinks(item.links), collection: collectionId, ...(bbox ? { bbox } : {}) };
  return { collection: collectionId, id: item.id, doc: JSON.stringify(doc), properties: JSON.stringify(props), datetime, tStart: start, tEnd: end, footprint };
}
