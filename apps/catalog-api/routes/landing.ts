// The landing page (a STAC Catalog), /conformance and the OpenAPI document at /api.
import { CONFORMANCE_CLASSES } from "../conformance.js";
import { GEOJSON, JSON_TYPE, baseUrlOf } from "../context.js";
import { errorResponseSchema } from "../errors.js";
import { stacObject } from "../schemas.js";
import type { FastifyInstance } from "fastify";
import type { CatalogApiContext } from "../context.js";
import type { OpenApiCollector } from "../openapi.js";

export async function landingRoutes(app: FastifyInstance, opts: { ctx: CatalogApiContext; openapi: OpenApiCollector }): Promise<void> {
  const { ctx } = opts;
  app.get("/", { schema: { summary: "Landing page (STAC Catalog)", response: { 200: stacObject(["type", "id", "links", "conformsTo"]), "4xx": errorResponseSchema } } }, async (request) => {
    const base = baseUrlOf(ctx, request);
    const collections = await ctx.store.listCollections({ limit: ctx.limits.maxLimit, offset: 0 });
    return {
      type: "Catalog",
      stac_version: "1.0.0",
      id: "dmac",
      title: ctx.title,
      description: ctx.description,
      conformsTo: [...CONFORMANCE_CLASSES],
      links: [
        { rel: "self", type: JSON_TYPE, href: `${base}/` },
        { rel: "root", type: JSON_TYPE, href: `${base}/` },
        { rel: "conformance", type: JSON_TYPE, href: `${base}/conformance` },
        { rel: "data", type: JSON_TYPE, href: `${base}/collections` },
        { rel: "search", type: GEOJSON, href: `${base}/search`, method: "GET" },
        { rel: "search", type: GEOJSON, href: `${base}/search`, method: "POST" },
        { rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", type: "application/schema+json", href: `${base}/queryables` },
        { rel: "service-desc", type: "application/vnd.oai.openapi+json;version=3.1", href: `${base}/api` },
        ...collections.records.map((c) => ({ rel: "child", type: JSON_TYPE, href: `${base}/collections/${encodeURIComponent(c.id)}`, ...(c.title ? { title: c.title } : {}) })),
      ],
    };
  });
  app.get("/conformance", { schema: { summary: "Conformance classes", response: { 200: { type: "object", required: ["conformsTo"], properties: { conformsTo: { type: "array", items: { type: "string" } } } } } } }, async () => ({
    conformsTo: [...CONFORMANCE_CLASSES],
  }));
  app.get("/api", { schema: { summary: "OpenAPI 3.1 description of this API", response: { 200: { type: "object", additionalProperties: true } } } }, async (request, reply) => {
    reply.type("application/vnd.oai.openapi+json;version=3.1");
    return opts.openapi.document(ctx.title, baseUrlOf(ctx, request));
  });
}
