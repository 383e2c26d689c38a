// Adds the navigation links to stored documents (the store keeps documents without links,
// so they are right for whatever host and path prefix serves them).
import { GEOJSON, JSON_TYPE } from "./context.js";
import type { Link, StacCollection, StacItem } from "../../catalog/index.js";

const enc = encodeURIComponent;

export function withCollectionLinks(c: StacCollection, base: string): StacCollection {
  const self = `${base}/collections/${enc(c.id)}`;
  const own: Link[] = [
    { rel: "self", type: JSON_TYPE, href: self },
    { rel: "root", type: JSON_TYPE, href: `${base}/` },
    { rel: "parent", type: JSON_TYPE, href: `${base}/` },
    { rel: "items", type: GEOJSON, href: `${self}/items` },
    { rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", type: "application/schema+json", href: `${self}/queryables` },
  ];
  return { ...c, links: [...own, ...(c.links ?? [])] };
}

export function withItemLinks(item: StacItem, base: string): StacItem {
  const collection = item.collection ?? "";
  const collectionUrl = `${base}/collections/${enc(collection)}`;
  return {
    ...item,
    links: [
      { rel: "self", type: GEOJSON, href: `${collectionUrl}/items/${enc(item.id)}` },
      { rel: "parent", type: JSON_TYPE, href: collectionUrl },
      { rel: "collection", type: JSON_TYPE, href: collectionUrl },
      { rel: "root", type: JSON_TYPE, href: `${base}/` },
      ...(item.links ?? []),
    ],
  };
}

/** The URL of the next page for a GET request: the same query with the token replaced. */
export function nextGetLink(base: string, path: string, query: Record<string, unknown>, token: string, type: string): Link {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (k !== "token" && typeof v === "string") params.set(k, v);
  params.set("token", token);
  return { rel: "next", type, method: "GET", href: `${base}${path}?${params.toString()}` };
}
