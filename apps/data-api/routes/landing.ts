// Landing page, conformance and the OpenAPI document (OGC API - EDR 1.1, 7.2-7.4).
import type { FastifyInstance } from "fastify";
import type { OpenApiCollector } from "../../shared/openapi.js";
import { errorResponseSchema } from "../errors.js";
import { baseUrl, type DataApiContext } from "../context.js";
import { conformanceResponse, landingResponse, openApiResponse } from "../schemas.js";

// The EDR GeoJSON class also requires /locations resources, which only station collections
// serve (routes/locations.ts), so it is not claimed even though f=GeoJSON answers are.
export const CONFORMANCE = [
  "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
  "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/core",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/collections",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/json",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/covjson",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/oas30",
  "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/queries",
];

const DESCRIPTION = "OGC API - Environmental Data Retrieval 1.1 (core, collections, position, area, cube) over Zarr stores, with an XREDS-style dataset listing and a read-only Zarr passthrough.";

export async function landingRoutes(app: FastifyInstance, opts: { ctx: DataApiContext; openapi: OpenApiCollector }): Promise<void> {
  const { ctx } = opts;
  app.get("/", { schema: { summary: "landing page", response: { 200: landingResponse } } }, async (request) => {
    const base = baseUrl(ctx, request);
    return {
      title: ctx.title,
      description: ctx.description,
      links: [
        { href: `${base}/`, rel: "self", type: "application/json", title: "this document" },
        { href: `${base}/api`, rel: "service-desc", type: "application/vnd.oai.openapi+json;version=3.0", title: "OpenAPI definition" },
        { href: `${base}/conformance`, rel: "conformance", type: "application/json", title: "conformance classes" },
        { href: `${base}/collections`, rel: "data", type: "application/json", title: "collections" },
        { href: `${base}/datasets`, rel: "alternate", type: "application/json", title: "dataset listing (XREDS style)" },
      ],
    };
  });
  app.get("/conformance", { schema: { summary: "conformance classes", response: { 200: conformanceResponse } } }, async () => ({ conformsTo: CONFORMANCE }));
  app.get("/api", { schema: { summary: "this OpenAPI document", response: { 200: openApiResponse } } }, async (request, reply) => {
    reply.type("application/vnd.oai.openapi+json;version=3.0");
    return { ...opts.openapi.document(ctx.title, baseUrl(ctx, request), DESCRIPTION), components: { schemas: { Error: errorResponseSchema } } };
  });
}
