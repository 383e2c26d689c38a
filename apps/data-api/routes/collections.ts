// /collections and /collections/{collectionId} (OGC API - EDR 1.1, 8.2).
import type { FastifyInstance } from "fastify";
import { collectionDocument } from "../collection.js";
import { baseUrl, type DataApiContext } from "../context.js";
import { notFound } from "../errors.js";
import { collectionParams, collectionResponse, collectionsResponse } from "../schemas.js";

export async function collectionRoutes(app: FastifyInstance, opts: { ctx: DataApiContext }): Promise<void> {
  const { ctx } = opts;
  app.get("/collections", { schema: { summary: "the collections (one per Zarr dataset)", response: collectionsResponse } }, async (request) => {
    const base = baseUrl(ctx, request);
    const collections = [];
    for (const id of ctx.registry.ids()) {
      try {
        const ds = await ctx.registry.get(id);
        if (ds !== undefined) collections.push(collectionDocument(ds, base));
      } catch (err) {
        // One broken store must not hide the others; it is logged and left out.
        request.log.error({ err, collection: id }, "collection unavailable");
      }
    }
    return {
      links: [
        { href: `${base}/collections`, rel: "self", type: "application/json" },
        { href: `${base}/`, rel: "root", type: "application/json" },
      ],
      collections,
    };
  });
  app.get<{ Params: { collectionId: string } }>("/collections/:collectionId", { schema: { summary: "one collection's metadata", params: collectionParams, response: collectionResponse } }, async (request) => {
    const ds = await ctx.registry.get(request.params.collectionId);
    if (ds === undefined) throw notFound(`collection ${request.params.collectionId}`);
    return collectionDocument(ds, baseUrl(ctx, request));
  });
}
