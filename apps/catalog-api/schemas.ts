// Request and response schemas shared by the routes. Responses allow additional properties:
// STAC documents carry extension fields the serializer must not drop.
export const stacObject = (required: string[]) => ({ type: "object", required, additionalProperties: true }) as const;

export const linkList = { type: "array", items: { type: "object", required: ["href", "rel"], additionalProperties: true } } as const;

export const itemCollectionResponse = {
  type: "object",
  required: ["type", "features", "links"],
  additionalProperties: true,
  properties: {
    type: { type: "string" },
    features: { type: "array", items: { type: "object", additionalProperties: true } },
    links: linkList,
    numberReturned: { type: "integer" },
  },
} as const;

const text = { type: "string", maxLength: 20_000 } as const;

/** GET parameters arrive as strings and are checked by catalog/search/parse.ts, which names the parameter. */
export const searchQuerystring = {
  type: "object",
  properties: {
    bbox: text, datetime: text, intersects: text, ids: text, collections: text, limit: text, token: text,
    sortby: text, fields: text, filter: text, "filter-lang": text, "filter-crs": text,
  },
} as const;

export const searchBody = {
  type: "object",
  properties: {
    bbox: { type: "array", items: { type: "number" } },
    datetime: { type: "string" },
    intersects: { type: "object" },
    ids: { type: "array", items: { type: "string" } },
    collections: { type: "array", items: { type: "string" } },
    limit: { type: "integer" },
    token: { type: "string" },
    sortby: { type: "array", items: { type: "object" } },
    fields: { type: "object" },
    filter: { type: ["object", "string", "boolean"] },
    "filter-lang": { type: "string" },
    "filter-crs": { type: "string" },
  },
} as const;

export const collectionIdParams = {
  type: "object",
  required: ["collectionId"],
  properties: { collectionId: { type: "string", maxLength: 200 } },
} as const;

export const itemIdParams = {
  type: "object",
  required: ["collectionId", "itemId"],
  properties: { collectionId: { type: "string", maxLength: 200 }, itemId: { type: "string", maxLength: 200 } },
} as const;
