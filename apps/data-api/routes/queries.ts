// The EDR data queries: position (POINT / MULTIPOINT), area (POLYGON) and cube (bbox), each
// with datetime, parameter-name, z, crs and f (OGC API - EDR 1.1, 8.2.1-8.2.3).
import type { FastifyInstance, FastifyReply } from "fastify";
import type { DataApiContext } from "../context.js";
import { encodeAnswer } from "../encode/answer.js";
import { invalidParameter, notFound } from "../errors.js";
import { runQuery, type QuerySpec } from "../query/extract.js";
import { parseBBox, parseCrs, parseDatetime, parseFormat, parseParameterNames, parseZ, single, type RawValue } from "../query/params.js";
import { selectStations, stationData, stationParameters, stationResult } from "../stations.js";
import type { Where } from "../query/select.js";
import { parseWkt } from "../query/wkt.js";
import { collectionParams, dataResponses, queryStrings } from "../schemas.js";
import { LAYOUT_HEADER, timeSeriesLayout } from "../layouts.js";

const SUMMARIES: Record<QuerySpec["queryType"], string> = {
  position: "values at the grid cells nearest to points",
  area: "values at the grid cells inside a polygon",
  cube: "values at the grid cells inside a bounding box",
};

type Query = Record<string, RawValue>;
type QueryType = QuerySpec["queryType"];

function whereOf(type: QueryType, q: Query): Where {
  if (type === "cube") {
    if (q["coords"] !== undefined) throw invalidParameter("coords", "not used by cube queries (use bbox)");
    return { kind: "bbox", bbox: parseBBox(q["bbox"]) };
  }
  const coords = single(q["coords"], "coords");
  if (coords === undefined || coords.trim() === "") throw invalidParameter("coords", `required (${type === "position" ? "POINT(lon lat) or MULTIPOINT(...)" : "POLYGON((lon lat, ...))"})`);
  const geometry = parseWkt(coords, "coords");
  if (type === "position") {
    if (geometry.type === "Point") return { kind: "points", points: [geometry.coordinates] };
    if (geometry.type === "MultiPoint") return { kind: "points", points: geometry.coordinates };
    throw invalidParameter("coords", "a position query takes a POINT or MULTIPOINT");
  }
  if (geometry.type !== "Polygon") throw invalidParameter("coords", "an area query takes a POLYGON");
  return { kind: "polygon", polygon: geometry.coordinates };
}

export async function queryRoutes(app: FastifyInstance, opts: { ctx: DataApiContext }): Promise<void> {
  const { ctx } = opts;
  for (const type of ["position", "area", "cube"] as const) {
    const schema = { summary: SUMMARIES[type], params: collectionParams, querystring: queryStrings[type], response: dataResponses };
    app.get<{ Params: { collectionId: string }; Querystring: Query }>(`/collections/:collectionId/${type}`, { schema }, async (request, reply: FastifyReply) => {
      const q = request.query;
      const ds = await ctx.registry.get(request.params.collectionId);
      if (ds === undefined) throw notFound(`collection ${request.params.collectionId}`);
      // Parse everything before reading data, so a bad parameter never costs a chunk read.
      const where = whereOf(type, q);
      parseCrs(q["crs"]);
      const format = parseFormat(q["f"]);
      const datetime = parseDatetime(q["datetime"]);
      const z = parseZ(q["z"]);
      // A station collection (featureType timeSeries): the query selects stations, not grid cells.
      const stations = await stationData(ds);
      if (stations !== undefined) {
        if (z !== undefined) throw invalidParameter("z", "station collections have one sensor height per station (see /locations); z does not apply");
        const picked = selectStations(stations, ds.id, where);
        const names = stationParameters(stations, single(q["parameter-name"], "parameter-name"));
        return encodeAnswer(reply, format, await stationResult(ds, ctx.registry.chunks, stations, type, picked, names, datetime));
      }
      const parameters = parseParameterNames(q["parameter-name"], ds.model.parameters.map((p) => p.name));
      // A point's series reads the Dataset's time-series layout when it has an up-to-date one (layouts.ts).
      const layout = type === "position" ? await timeSeriesLayout(ctx.registry, ds, parameters) : undefined;
      reply.header(LAYOUT_HEADER, layout === undefined ? "original" : `time-series; collection=${layout.id}`);
      const result = await runQuery(layout === undefined ? ds : { ...layout, id: ds.id }, ctx.registry.chunks, { queryType: type, where, parameters, ...(datetime !== undefined ? { datetime } : {}), ...(z !== undefined ? { z } : {}) }, ctx.limits);
      return encodeAnswer(reply, format, result);
    });
  }
}
