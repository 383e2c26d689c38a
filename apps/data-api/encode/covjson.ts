// CoverageJSON (OGC 21-069r2, CoverageJSON 1.0) for EDR answers. Each result group becomes one
// Coverage: one station is a PointSeries (axes x, y, t and a single z), several are a
// MultiPointSeries (a "composite" tuple axis of x, y[, z] and t), as the Common Domain Types
// define them. Several groups (e.g. FVCOM node and element variables) make a CoverageCollection.
import { wrapLon } from "../geometry.js";
import { CRS84 } from "../query/params.js";
import type { ParameterInfo, QueryResult, ResultGroup } from "../query/result.js";
import { isoTime, shortest } from "./numbers.js";

type Json = Record<string, unknown>;

const i18n = (text: string) => ({ en: text });

export function parameterObject(p: ParameterInfo): Json {
  return {
    type: "Parameter",
    description: i18n(p.description),
    ...(p.units !== undefined ? { unit: { label: i18n(p.units), symbol: p.units } } : {}),
    observedProperty: {
      ...(p.standardName !== undefined ? { id: `http://vocab.nerc.ac.uk/standard_name/${encodeURIComponent(p.standardName)}/` } : {}),
      label: i18n(p.standardName ?? p.description),
    },
  };
}

function referencing(group: ResultGroup): Json[] {
  const refs: Json[] = [
    { coordinates: ["x", "y"], system: { type: "GeographicCRS", id: CRS84 } },
    { coordinates: ["t"], system: { type: "TemporalRS", calendar: "Gregorian" } },
  ];
  const z = group.zAxis;
  if (z !== undefined) {
    refs.push({
      coordinates: ["z"],
      system: {
        type: "VerticalCRS",
        cs: { csAxes: [{ name: i18n(z.isIndex ? `${z.name} (level index)` : z.name), direction: z.positive === "down" ? "down" : "up", ...(z.units !== undefined ? { unit: { symbol: z.units } } : {}) }] },
      },
    });
  }
  return refs;
}

function rangeValues(values: Float64Array, float32: boolean): Array<number | null> {
  return Array.from(values, (v) => (Number.isNaN(v) ? null : shortest(v, float32)));
}

export function coverage(group: ResultGroup): Json {
  const t = { values: group.times.map(isoTime) };
  const single = group.stations.length === 1;
  const s0 = group.stations[0];
  const domain: Json =
    single && s0 !== undefined
      ? {
          type: "Domain",
          domainType: "PointSeries",
          axes: { x: { values: [wrapLon(s0.lon)] }, y: { values: [s0.lat] }, ...(s0.z !== undefined ? { z: { values: [s0.z] } } : {}), t },
          referencing: referencing(group),
        }
      : {
          type: "Domain",
          domainType: "MultiPointSeries",
          axes: {
            t,
            composite: {
              dataType: "tuple",
              coordinates: group.zAxis !== undefined ? ["x", "y", "z"] : ["x", "y"],
              values: group.stations.map((s) => (s.z !== undefined ? [wrapLon(s.lon), s.lat, s.z] : [wrapLon(s.lon), s.lat])),
            },
          },
          referencing: referencing(group),
        };
  const parameters: Json = {};
  const ranges: Json = {};
  for (const p of group.parameters) {
    parameters[p.info.name] = parameterObject(p.info);
    ranges[p.info.name] = {
      type: "NdArray",
      dataType: p.info.dataType,
      shape: single ? [group.times.length] : [group.times.length, group.stations.length],
      axisNames: single ? ["t"] : ["t", "composite"],
      values: rangeValues(p.values, p.info.float32),
    };
  }
  return { type: "Coverage", domain, parameters, ranges };
}

export function toCoverageJson(result: QueryResult): Json {
  const coverages = result.groups.map((g) => coverage(g));
  if (coverages.length === 1) return coverages[0] as Json;
  return { type: "CoverageCollection", coverages };
}
