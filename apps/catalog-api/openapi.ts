// The catalog API's OpenAPI 3.1 document is built from its routes' schemas (apps/shared/openapi.ts).
export { createOpenApiCollector, type OpenApiCollector } from "../shared/openapi.js";
