// A query result in the format asked for (f=CoverageJSON, CSV, GeoJSON), with its media type.
import type { FastifyReply } from "fastify";
import { MEDIA_TYPES } from "../collection.js";
import type { OutputFormat } from "../query/params.js";
import type { QueryResult } from "../query/result.js";
import { toCoverageJson } from "./covjson.js";
import { toCsv } from "./csv.js";
import { toGeoJson } from "./geojson.js";

export function encodeAnswer(reply: FastifyReply, format: OutputFormat, result: QueryResult): unknown {
  reply.type(MEDIA_TYPES[format]);
  if (format === "CSV") return toCsv(result);
  if (format === "GeoJSON") return toGeoJson(result);
  return toCoverageJson(result);
}
