// Which dimension of a variable is time. QARTOD's spike, rate-of-change and flat-line tests run
// along it; CF (§4.4) recognises a time coordinate by units "<unit> since <date>", axis = "T" or
// standard_name = "time".
import type { QcFile, QcVariable } from "./types.js";

export function isTimeCoordinate(variable: QcVariable): boolean {
  const { units, axis, standard_name: standardName } = variable.attrs;
  return (typeof units === "string" && /\ssince\s/i.test(units)) || axis === "T" || standardName === "time";
}

/** Coordinate variables of a file that describe time: 1-D, named like their dimension or listed in a `coordinates` attribute. */
export function timeCoordinates(file: QcFile): QcVariable[] {
  const byName = new Map(file.variables.map((v) => [v.name, v]));
  const named = new Set<string>();
  for (const v of file.variables) {
    if (v.dims.length === 1 && v.dims[0] === v.name) named.add(v.name);
    const coords = v.attrs.coordinates;
    if (typeof coords === "string") for (const c of coords.trim().split(/\s+/)) named.add(c);
  }
  return [...named].map((n) => byName.get(n)).filter((v): v is QcVariable => v !== undefined && v.dims.length === 1 && isTimeCoordinate(v));
}

/** Index of the variable's time dimension, or -1 when it has none. */
export function timeAxisOf(file: QcFile, variable: QcVariable): number {
  const timeDims = new Set(timeCoordinates(file).map((v) => v.dims[0]));
  return variable.dims.findIndex((d) => timeDims.has(d));
}
