// /collections (with free-text q), /collections/{id} and the queryables documents.
import { encodeToken, parseBbox, parseDatetime, parseFreeText, parseLimit, parseToken } from "../../../catalog/search/parse.js";
import { JSON_TYPE, baseUrlOf } from "../context.js";
import { sendError } from "../../shared/http-errors.js";
import { errorResponseSchema, notFound } from "../errors.js";
import { nextGetLink, withCollectionLinks } from "../links.js";
import { collectionIdParams, linkList, stacObject } from "../schemas.js";
import type { FastifyInstance } from "fastify";
import type { CatalogApiContext } from "../context.js";
import type { Link } from "../../../catalog/index.js";

interface CollectionsQuery { q?: string; bbox?: string; datetime?: string; limit?: string; token?: string }

const text = { type: "string", maxLength: 1000 } as const;

export async function collectionRoutes(app: FastifyInstance, opts: { ctx: CatalogApiContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Querystring: CollectionsQuery }>(
    "/collections",
    {
      schema: {
        summary: "List collections; q matches any term in title, description or keywords; bbox and datetime overlap the extent",
        querystring: { type: "object", properties: { q: text, bbox: text, datetime: text, limit: text, token: text } },
        response: { 200: { type: "object", required: ["collections", "links"], properties: { collections: { type: "array", items: { type: "object", additionalProperties: true } }, links: linkList, numberReturned: { type: "integer" } } }, "4xx": errorResponseSchema },
      },
    },
    async (request) => {
      const base = baseUrlOf(ctx, request);
      const limit = parseLimit(request.query.limit, ctx.limits);
      const offset = parseToken(request.query.token);
      const q = parseFreeText(request.query.q);
      const bbox = request.query.bbox === undefined ? undefined : parseBbox(request.query.bbox, "query");
      const datetime = request.query.datetime === undefined ? undefined : parseDatetime(request.query.datetime);
      const page = await ctx.store.listCollections({ limit, offset, ...(q ? { q } : {}), ...(bbox ? { bbox } : {}), ...(datetime ? { datetime } : {}) });
      const links: Link[] = [
        { rel: "self", type: JSON_TYPE, href: `${base}/collections` },
        { rel: "root", type: JSON_TYPE, href: `${base}/` },
        { rel: "parent", type: JSON_TYPE, href: `${base}/` },
      ];
      if (page.hasMore) links.push(nextGetLink(base, "/collections", request.query as Record<string, unknown>, encodeToken(offset + limit), JSON_TYPE));
      return { collections: page.records.map((c) => withCollectionLinks(c, base)), links, numberReturned: page.records.length };
    },
  );
  app.get<{ Params: { collectionId: string } }>(
    "/collections/:collectionId",
    { schema: { summary: "One collection", params: collectionIdParams, response: { 200: stacObject(["type", "id", "links"]), "4xx": errorResponseSchema } } },
    async (request, reply) => {
      const c = await ctx.store.getCollection(request.params.collectionId);
      if (!c) return sendError(request, reply, 404, notFound(`collection "${request.params.collectionId.slice(0, 200)}"`));
      return withCollectionLinks(c, baseUrlOf(ctx, request));
    },
  );
  const queryablesSchema = { type: "object", required: ["$schema", "type", "properties"], additionalProperties: true } as const;
  app.get("/queryables", { schema: { summary: "Properties usable in filter", response: { 200: queryablesSchema } } }, async (request, reply) => {
    reply.type("application/schema+json");
    return queryables(`${baseUrlOf(ctx, request)}/queryables`, "Items of all collections");
  });
  app.get<{ Params: { collectionId: string } }>(
    "/collections/:collectionId/queryables",
    { schema: { summary: "Properties usable in filter on one collection", params: collectionIdParams, response: { 200: queryablesSchema, "4xx": errorResponseSchema } } },
    async (request, reply) => {
      const c = await ctx.store.getCollection(request.params.collectionId);
      if (!c) return sendError(request, reply, 404, notFound(`collection "${request.params.collectionId.slice(0, 200)}"`));
      reply.type("application/schema+json");
      return queryables(`${baseUrlOf(ctx, request)}/collections/${encodeURIComponent(c.id)}/queryables`, `Items of ${c.id}`);
    },
  );
}

function queryables(id: string, title: string): Record<string, unknown> {
  const dateTime = { type: "string", format: "date-time" };
  const properties: Record<string, unknown> = {
    id: { title: "Item ID", type: "string" },
    collection: { title: "Collection ID", type: "string" },
    datetime: { title: "Date and time (the model cycle)", ...dateTime },
    start_datetime: { title: "First valid time", ...dateTime },
    end_datetime: { title: "Last valid time", ...dateTime },
    geometry: { title: "Footprint", $ref: "https://geojson.org/schema/Geometry.json" },
    "dmac:cycle_time": { title: "Model cycle (reference) time", ...dateTime },
  };
  return { $schema: "https://json-schema.org/draft/2019-09/schema", $id: id, type: "object", title, properties, additionalProperties: true };
}
