// XREDS-style dataset listing and the read-only Zarr passthrough (/datasets/{id}/zarr/{key}).
// The passthrough serves only keys the consolidated metadata names: metadata documents of
// known arrays and groups, and chunk keys inside each array's chunk grid. Any other key,
// including every path with "..", ".", "//", backslashes or encoded separators, is a 404
// before the store is touched, so nothing outside the store root can be read.
import { ownValue } from "../../shared/own.js";
import type { FastifyInstance } from "fastify";
import { chunkKey } from "../../../dataplane/index.js";
import { baseUrl, type DataApiContext } from "../context.js";
import type { DatasetMetadata } from "../registry.js";
import { notFound } from "../errors.js";
import { collectionParams, datasetIdsResponse, datasetResponse, passthroughParams, passthroughResponse } from "../schemas.js";

const META_FILES = new Set([".zarray", ".zattrs", ".zgroup"]);
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Chunk indices inside `meta`'s chunk grid, each a decimal without leading zeros; undefined otherwise. */
function chunkIndex(meta: { shape: number[]; chunks: number[] }, parts: readonly string[]): number[] | undefined {
  const grid = meta.shape.map((n, d) => Math.ceil(n / (meta.chunks[d] ?? 1)));
  if (parts.length !== grid.length) return undefined;
  const index: number[] = [];
  for (let d = 0; d < parts.length; d++) {
    const s = parts[d] ?? "";
    if (!/^(0|[1-9]\d{0,9})$/.test(s) || Number(s) >= (grid[d] ?? 0)) return undefined;
    index.push(Number(s));
  }
  return index;
}

/** The key of one array's metadata document or chunk (`rest` is what follows the array's name), or undefined. */
function arrayKey(format: 2 | 3, path: string, meta: { shape: number[]; chunks: number[] }, rest: readonly string[]): `/${string}` | undefined {
  if (format === 3) {
    if (rest.length === 1 && rest[0] === "zarr.json") return `/${path}/zarr.json`;
    if (rest[0] !== "c") return undefined;
    const index = chunkIndex(meta, rest.slice(1));
    return index === undefined ? undefined : chunkKey(path, index, 3);
  }
  if (rest.length !== 1) return undefined;
  const last = rest[0] ?? "";
  if (META_FILES.has(last)) return last === ".zgroup" ? undefined : `/${path}/${last}`;
  if (meta.shape.length === 0) return last === "0" ? `/${path}/0` : undefined;
  const index = chunkIndex(meta, last.split("."));
  return index === undefined ? undefined : chunkKey(path, index, 2);
}

/** The store key for a passthrough request, or undefined when the hierarchy has no such object. */
export function passthroughKey(ds: DatasetMetadata, key: string): `/${string}` | undefined {
  if (key.length > 512) return undefined;
  if (ds.format === 3 ? key === "zarr.json" : key === ".zmetadata" || key === ".zgroup" || key === ".zattrs") return `/${key}`;
  // An overview level's array (issue #21): "<level group>/<array>/<chunk or metadata>", the group
  // named by the root's multiscales layout (the only nested arrays served).
  for (const [group, arrays] of Object.entries(ds.model.overviews)) {
    if (!key.startsWith(`${group}/`)) continue;
    const [name = "", ...rest] = key.slice(group.length + 1).split("/");
    const array = SEGMENT.test(name) ? ownValue(arrays, name) : undefined;
    return array === undefined ? undefined : arrayKey(ds.format, `${group}/${name}`, array.meta, rest);
  }
  const [path = "", ...rest] = key.split("/");
  if (!SEGMENT.test(path)) return undefined;
  const array = ownValue(ds.model.arrays, path);
  return array === undefined ? undefined : arrayKey(ds.format, path, array.meta, rest);
}

export async function datasetRoutes(app: FastifyInstance, opts: { ctx: DataApiContext }): Promise<void> {
  const { ctx } = opts;
  // As xpublish: the dataset ids.
  app.get("/datasets", { schema: { summary: "dataset ids (XREDS / xpublish style)", response: datasetIdsResponse } }, async () => ctx.registry.ids());
  app.get<{ Params: { collectionId: string } }>("/datasets/:collectionId", { schema: { summary: "one dataset: grids, parameters, Zarr format, links", params: collectionParams, response: datasetResponse } }, async (request) => {
    const ds = await ctx.registry.get(request.params.collectionId);
    if (ds === undefined) throw notFound(`dataset ${request.params.collectionId}`);
    const base = baseUrl(ctx, request);
    return {
      id: ds.id,
      title: ds.title,
      description: ds.description,
      grids: ds.model.grids.map((g) => ({ kind: g.kind, lon: g.lon, lat: g.lat, dims: g.dims, shape: g.shape, ...(g.mask !== undefined ? { mask: g.mask } : {}) })),
      parameters: ds.model.parameters.map((p) => p.name),
      zarrFormat: ds.format,
      links: [
        { href: `${base}/datasets/${ds.id}`, rel: "self", type: "application/json" },
        { href: `${base}/collections/${ds.id}`, rel: "data", type: "application/json", title: "OGC API EDR collection" },
        ds.format === 3
          ? { href: `${base}/datasets/${ds.id}/zarr/zarr.json`, rel: "alternate", type: "application/json", title: "Zarr v3 (consolidated metadata inline)" }
          : { href: `${base}/datasets/${ds.id}/zarr/.zmetadata`, rel: "alternate", type: "application/json", title: "Zarr v2 (consolidated)" },
      ],
    };
  });
  const passthrough = { summary: "read-only Zarr passthrough: the consolidated metadata, known arrays' metadata, and chunks inside their grid", params: passthroughParams, response: passthroughResponse };
  app.get<{ Params: { collectionId: string; "*": string } }>("/datasets/:collectionId/zarr/*", { schema: passthrough }, async (request, reply) => {
    const id = request.params.collectionId;
    // Metadata only: serving a chunk never reads the grid's coordinates or builds its k-d tree.
    const ds = ctx.registry.has(id) ? await ctx.registry.metadata(id) : undefined;
    if (ds === undefined) throw notFound(`dataset ${id.slice(0, 80)}`);
    const key = passthroughKey(ds, request.params["*"]);
    if (key === undefined) throw notFound(`zarr key ${JSON.stringify(request.params["*"].slice(0, 120))} of dataset ${id}`);
    const bytes = await ds.store.get(key);
    if (bytes === undefined) throw notFound(`zarr key ${key.slice(1)} of dataset ${id}`);
    // The commit points (v2 .zmetadata, v3 root zarr.json) change with every commit.
    reply.header("cache-control", key === "/.zmetadata" || key === "/zarr.json" ? "no-cache" : "public, max-age=60");
    reply.type(/\/(\.z\w+|zarr\.json)$/.test(key) ? "application/json" : "application/octet-stream");
    return reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}
