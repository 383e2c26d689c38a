// EDR locations for station collections (featureType timeSeries, docs/observations.md):
//   GET /collections/{id}/locations                    the stations, as a GeoJSON FeatureCollection
//   GET /collections/{id}/locations/{station}          a station's series: CoverageJSON PointSeries or CSV
//   GET /collections/{id}/locations/{station}/compare  the station against a model collection: pairs and skill
// position, area and cube on a station collection select stations (routes/queries.ts).
import type { FastifyInstance } from "fastify";
import type { DataApiContext } from "../context.js";
import { MEDIA_TYPES } from "../collection.js";
import { encodeAnswer } from "../encode/answer.js";
import { toCoverageJson } from "../encode/covjson.js";
import { pointSeriesText, timesJson } from "../encode/point-series.js";
import { isoTime } from "../encode/numbers.js";
import { invalidParameter, notFound } from "../errors.js";
import { relateUnits } from "../../../dataplane/qc/units/compare.js";
import { loadUnitDatabase } from "../../../dataplane/qc/units/load-udunits.js";
import { runQuery } from "../query/extract.js";
import { parseCrs, parseDatetime, parseFormat, parseZ, single, type RawValue } from "../query/params.js";
import { pairSeries, skill, type TimeMatching } from "../query/skill.js";
import { collectionParams, dataResponses } from "../schemas.js";
import { observedParameters, readSeries, requireStations, stationData, stationIndex, stationParameters, stationResult, stationTimesJson, cachedStationDocument } from "../stations.js";

type Query = Record<string, RawValue>;
const text = (description: string) => ({ type: "string", description }) as const;
const locationParams = { type: "object", required: ["collectionId", "locationId"], properties: { collectionId: { type: "string" }, locationId: { type: "string" } } } as const;
const KM_PER_DEGREE = 6371.0088 * (Math.PI / 180);

const open = (properties: Record<string, unknown>) => ({ type: "object", additionalProperties: true, properties }) as const;

/**
 * Model and observed units by UDUNITS-2: convertible model values are converted into the observed
 * units before pairing (and the answer says so); other quantities are a 400; units UDUNITS-2 does
 * not know (salinity's "PSU") are compared as given and the answer says they were not checked.
 */
function unitsAgreement(modelParameter: string, modelUnits: string | undefined, observed: string, observedUnits: string | undefined): { check: string; convert?: (value: number) => number } {
  if (modelUnits === undefined || observedUnits === undefined) return { check: "not checked: units missing on the model or the observations" };
  const database = loadUnitDatabase();
  const relation = relateUnits(modelUnits, observedUnits, database.ok ? database.database.lookup : undefined);
  switch (relation.kind) {
    case "same":
      return { check: "same units" };
    case "convertible":
      return { check: `model values converted from ${JSON.stringify(modelUnits)} to ${JSON.stringify(observedUnits)} before pairing`, convert: relation.convert };
    case "incompatible":
      throw invalidParameter("model-parameter", `${modelParameter} is in ${JSON.stringify(modelUnits)} and ${observed} in ${JSON.stringify(observedUnits)}: not the same quantity`);
    case "unknown":
      return { check: `not checked: ${relation.reason}` };
  }
}

export async function locationRoutes(app: FastifyInstance, opts: { ctx: DataApiContext }): Promise<void> {
  const { ctx } = opts;
  const collection = async (id: string) => {
    const ds = await ctx.registry.get(id);
    if (ds === undefined) throw notFound(`collection ${id}`);
    return ds;
  };

  app.get<{ Params: { collectionId: string } }>("/collections/:collectionId/locations", {
    schema: { summary: "the stations of a station collection (GeoJSON)", params: collectionParams, response: { 200: { description: "the stations", content: { [MEDIA_TYPES.GeoJSON]: { schema: open({ type: { type: "string" }, features: { type: "array", items: { type: "object", additionalProperties: true } } }) } } } } },
  }, async (request, reply) => {
    const ds = await collection(request.params.collectionId);
    const data = await requireStations(ds);
    const observed = await observedParameters(ds, ctx.registry.chunks, data);
    reply.type(MEDIA_TYPES.GeoJSON);
    return {
      type: "FeatureCollection",
      features: data.stations.map((s, i) => ({
        type: "Feature",
        id: s.id,
        geometry: { type: "Point", coordinates: Number.isFinite(s.z) ? [s.lon, s.lat, s.z] : [s.lon, s.lat] },
        properties: { name: s.name, platform_type: s.platform, ...(Number.isFinite(s.z) ? { z: s.z } : {}), "parameter-name": observed[i] ?? [], datetime: data.times.length > 0 ? `${isoTime(data.times[0] as number)}/${isoTime(data.times[data.times.length - 1] as number)}` : null },
      })),
    };
  });

  app.get<{ Params: { collectionId: string; locationId: string }; Querystring: Query }>("/collections/:collectionId/locations/:locationId", {
    schema: {
      summary: "one station's series (CoverageJSON PointSeries, CSV or GeoJSON)", params: locationParams,
      querystring: { type: "object", properties: { datetime: text("instant or interval"), "parameter-name": text("comma-separated; default every observed variable and its _qc flags"), f: text("CoverageJSON (default), CSV or GeoJSON"), crs: text("CRS84 only") } },
      response: dataResponses,
    },
  }, async (request, reply) => {
    const q = request.query;
    const ds = await collection(request.params.collectionId);
    const data = await requireStations(ds);
    const station = stationIndex(data, ds.id, request.params.locationId);
    parseCrs(q["crs"]);
    const format = parseFormat(q["f"]);
    const datetime = parseDatetime(q["datetime"]);
    const parameters = stationParameters(data, single(q["parameter-name"], "parameter-name"));
    const answer = () => stationResult(ds, ctx.registry.chunks, data, "position", [station], parameters, datetime);
    if (format !== "CoverageJSON") return encodeAnswer(reply, format, await answer());
    const text = async () => {
      const result = await answer();
      const group = result.groups[0];
      return group === undefined ? JSON.stringify(toCoverageJson(result)) : pointSeriesText(group, stationTimesJson(data, group.times, timesJson));
    };
    reply.type(MEDIA_TYPES.CoverageJSON);
    // The whole series (no datetime) is the common, cacheable answer; a subset is encoded each time.
    return datetime === undefined ? cachedStationDocument(ctx.registry.cache, ds, station, parameters, text) : text();
  });

  app.get<{ Params: { collectionId: string; locationId: string }; Querystring: Query }>("/collections/:collectionId/locations/:locationId/compare", {
    schema: {
      summary: "a station against a model collection: paired series at the observation times and skill statistics (bias, RMSE, correlation, Willmott)",
      params: locationParams,
      querystring: {
        type: "object",
        properties: {
          model: text("required: the model collection"),
          "parameter-name": text("required: the observed variable"),
          "model-parameter": text("required: the model variable (e.g. zeta for water level, temp for temperature)"),
          datetime: text("instant or interval of observation times to compare"),
          time: text("interpolate (default: the model linearly interpolated to each observation time inside its axis) or nearest (the nearest model step within half its step)"),
          z: text("the model level, for a model variable with a vertical axis"),
        },
      },
      response: { 200: { description: "pairs and statistics", content: { "application/json": { schema: open({ type: { type: "string" }, statistics: { type: "object", additionalProperties: true } }) } } }, 400: dataResponses[400], 404: dataResponses[404], 413: dataResponses[413] },
    },
  }, async (request) => {
    const q = request.query;
    const ds = await collection(request.params.collectionId);
    const data = await requireStations(ds);
    const s = stationIndex(data, ds.id, request.params.locationId);
    const station = data.stations[s] as NonNullable<(typeof data.stations)[number]>;
    const modelId = single(q["model"], "model");
    if (modelId === undefined || modelId === "") throw invalidParameter("model", "required: the model collection to compare with");
    const observed = single(q["parameter-name"], "parameter-name");
    const variable = data.variables.find((v) => v.name === observed);
    if (observed === undefined || variable === undefined) throw invalidParameter("parameter-name", `required: one observed variable of ${ds.id} (${data.variables.map((v) => v.name).join(", ")})`);
    const modelParameter = single(q["model-parameter"], "model-parameter");
    const method = (single(q["time"], "time") ?? "interpolate") as TimeMatching;
    if (method !== "interpolate" && method !== "nearest") throw invalidParameter("time", `${JSON.stringify(method)}: use interpolate or nearest`);
    const datetime = parseDatetime(q["datetime"]);
    const z = parseZ(q["z"]);
    const model = await collection(modelId);
    if ((await stationData(model)) !== undefined) throw invalidParameter("model", `${modelId} is a station collection, not a model grid`);
    const param = model.model.parameters.find((p) => p.name === modelParameter);
    if (modelParameter === undefined || param === undefined) throw invalidParameter("model-parameter", `required: one parameter of ${modelId} (${model.model.parameters.map((p) => p.name).join(", ")})`);

    // The observations first, so the model is read only over their time span.
    const obsResult = await stationResult(ds, ctx.registry.chunks, data, "position", [s], [observed], datetime);
    const group = obsResult.groups[0];
    const obsTimes = group?.times ?? [];
    const obsValues = group?.parameters[0]?.values ?? new Float64Array();
    const timeIdx = obsTimes.map((t) => data.times.indexOf(t));
    const flags = variable.flags !== undefined ? await readSeries(ds, ctx.registry.chunks, data, s, variable.flags.info.name, timeIdx) : undefined;
    const finite = obsTimes.filter((_, k) => !Number.isNaN(obsValues[k] as number));
    if (finite.length === 0) throw notFound(`observations of ${observed} at station ${station.id}${datetime !== undefined ? " in the requested datetime" : ""}`);
    const modelTimes = model.times.get(param.timeDim) ?? [];
    const step = modelTimes.length > 1 ? Math.abs((modelTimes[1] as number) - (modelTimes[0] as number)) : 0;
    const span = { kind: "interval" as const, start: (finite[0] as number) - step, end: (finite[finite.length - 1] as number) + step };
    const modelResult = await runQuery(model, ctx.registry.chunks, { queryType: "position", where: { kind: "points", points: [[station.lon, station.lat]] }, parameters: [param.name], datetime: span, ...(z !== undefined ? { z } : {}) }, ctx.limits);
    const mg = modelResult.groups[0];
    if (mg === undefined || mg.stations.length !== 1) throw invalidParameter("z", `${param.name} of ${modelId} has ${mg?.stations.length ?? 0} levels at the station: give z (one level)`);
    const cell = mg.stations[0] as NonNullable<(typeof mg.stations)[number]>;
    const units = unitsAgreement(param.name, mg.parameters[0]?.info.units, observed, variable.info.units);
    const modelValues = units.convert !== undefined ? Float64Array.from(mg.parameters[0]?.values ?? [], units.convert) : (mg.parameters[0]?.values ?? new Float64Array());
    const pairs = pairSeries(obsTimes, obsValues, flags, mg.times, modelValues, method);
    const distance = (model.grids.get(param.grid)?.index().nearest(station.lon, station.lat)?.distanceDeg ?? NaN) * KM_PER_DEGREE;
    return {
      type: "StationModelComparison",
      station: { id: station.id, name: station.name, lon: station.lon, lat: station.lat, ...(Number.isFinite(station.z) ? { z: station.z } : {}) },
      observed: { collection: ds.id, parameter: observed, ...(variable.info.units !== undefined ? { units: variable.info.units } : {}), excluded: "values flagged fail (QARTOD 4)" },
      model: {
        collection: modelId, parameter: param.name, ...(mg.parameters[0]?.info.units !== undefined ? { units: mg.parameters[0].info.units } : {}), unitsCheck: units.check,
        cell: { index: cell.cell, lon: cell.lon, lat: cell.lat, ...(cell.z !== undefined ? { z: cell.z } : {}) },
        ...(Number.isFinite(distance) ? { distanceKm: distance } : {}),
        horizontal: "nearest wet grid cell (great circle)",
      },
      time: {
        method,
        description: method === "interpolate" ? "model linearly interpolated in time to each observation time inside the model's time axis (never extrapolated)" : "model step nearest each observation time, within half the model's median time step",
      },
      pairs: { times: pairs.times.map(isoTime), observed: pairs.observed, model: pairs.model },
      statistics: skill(pairs),
    };
  });
}
