// Item search: GET and POST /search, and the per-collection /collections/{id}/items.
import { GEOJSON, baseUrlOf } from "../context.js";
import { sendError } from "../../shared/http-errors.js";
import { errorResponseSchema, notFound } from "../errors.js";
import { runItemSearch } from "../item-search.js";
import { withItemLinks } from "../links.js";
import { collectionIdParams, itemCollectionResponse, itemIdParams, searchBody, searchQuerystring, stacObject } from "../schemas.js";
import type { FastifyInstance } from "fastify";
import type { CatalogApiContext } from "../context.js";

type Raw = Record<string, unknown>;

export async function searchRoutes(app: FastifyInstance, opts: { ctx: CatalogApiContext }): Promise<void> {
  const { ctx } = opts;
  const response = { 200: itemCollectionResponse, "4xx": errorResponseSchema };
  app.get<{ Querystring: Raw }>("/search", { schema: { summary: "Search items across collections", querystring: searchQuerystring, response } }, async (request, reply) => {
    reply.type(GEOJSON);
    return runItemSearch(ctx, request, { raw: request.query, from: "query", path: "/search" });
  });
  app.post<{ Body: Raw }>("/search", { schema: { summary: "Search items across collections (JSON body)", body: searchBody, response } }, async (request, reply) => {
    reply.type(GEOJSON);
    return runItemSearch(ctx, request, { raw: request.body, from: "body", path: "/search" });
  });
  app.get<{ Params: { collectionId: string }; Querystring: Raw }>(
    "/collections/:collectionId/items",
    { schema: { summary: "Items of one collection", params: collectionIdParams, querystring: searchQuerystring, response } },
    async (request, reply) => {
      const id = request.params.collectionId;
      if (!(await ctx.store.getCollection(id))) return sendError(request, reply, 404, notFound(`collection "${id.slice(0, 200)}"`));
      reply.type(GEOJSON);
      return runItemSearch(ctx, request, { raw: request.query, from: "query", path: `/collections/${encodeURIComponent(id)}/items`, collectionId: id });
    },
  );
  app.get<{ Params: { collectionId: string; itemId: string } }>(
    "/collections/:collectionId/items/:itemId",
    { schema: { summary: "One item", params: itemIdParams, response: { 200: stacObject(["type", "id", "links"]), "4xx": errorResponseSchema } } },
    async (request, reply) => {
      const { collectionId, itemId } = request.params;
      const item = await ctx.store.getItem(collectionId, itemId);
      if (!item) return sendError(request, reply, 404, notFound(`item "${itemId.slice(0, 200)}" in collection "${collectionId.slice(0, 200)}"`));
      reply.type(GEOJSON);
      return withItemLinks(item, baseUrlOf(ctx, request));
    },
  );
}
