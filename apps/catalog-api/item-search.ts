// Runs an item search for /search (GET and POST) and /collections/{id}/items and shapes the
// answer as a GeoJSON FeatureCollection with paging links.
import { applyFields, encodeToken, parseItemSearch } from "../../catalog/index.js";
import { GEOJSON, baseUrlOf } from "./context.js";
import { nextGetLink, withItemLinks } from "./links.js";
import type { FastifyRequest } from "fastify";
import type { Link } from "../../catalog/index.js";
import type { CatalogApiContext } from "./context.js";
import type { RawSearch } from "../../catalog/search/parse.js";

export interface SearchRequest {
  raw: RawSearch;
  from: "query" | "body";
  /** Path the paging links point at (/search or /collections/{id}/items). */
  path: string;
  /** Set for /collections/{id}/items: the search is confined to it. */
  collectionId?: string;
}

export async function runItemSearch(ctx: CatalogApiContext, request: FastifyRequest, req: SearchRequest): Promise<Record<string, unknown>> {
  const base = baseUrlOf(ctx, request);
  const { search, fields } = parseItemSearch(req.raw, req.from, ctx.limits);
  if (req.collectionId !== undefined) {
    search.collections = [req.collectionId];
    delete search.ids;
  }
  const page = await ctx.store.searchItems(search);
  const features = page.records.map((item) => {
    const linked = withItemLinks(item, base);
    return fields ? applyFields(linked as unknown as Record<string, unknown>, fields) : linked;
  });
  const links: Link[] = [{ rel: "root", type: "application/json", href: `${base}/` }];
  if (page.hasMore) {
    const token = encodeToken(search.offset + search.limit);
    links.push(
      req.from === "query"
        ? nextGetLink(base, req.path, req.raw, token, GEOJSON)
        : { rel: "next", type: GEOJSON, method: "POST", href: `${base}${req.path}`, body: { token }, merge: true },
    );
  }
  return { type: "FeatureCollection", features, links, numberReturned: features.length };
}
