// A station's series as CoverageJSON text, fast: the same document as toCoverageJson gives for one
// station (a PointSeries), but the time axis, which every station of a collection shares, is
// serialised once per collection generation and spliced in, and the values are joined without
// building an object tree. A station series of a year of hourly values was ~80 % JSON work; the
// data API also keeps the whole-series documents it made (apps/data-api/stations.ts).
import { coverage } from "./covjson.js";
import { isoTime, shortest } from "./numbers.js";
import type { ResultGroup } from "../query/result.js";

const T_MARK = "\u0000T\u0000";
const V_MARK = (i: number) => `\u0000V${i}\u0000`;

/** JSON text of the time axis values, `[...]`. */
export function timesJson(times: readonly number[]): string {
  return JSON.stringify(times.map(isoTime));
}

/** JSON text of a range's values, `[...]`: NaN and infinities as null, float32 with its shortest digits. */
export function valuesJson(values: Float64Array, float32: boolean): string {
  const parts = new Array<string>(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    // JSON has no NaN or Infinity: both are null, as JSON.stringify writes them.
    parts[k] = Number.isFinite(v) ? String(shortest(v, float32)) : "null";
  }
  return `[${parts.join(",")}]`;
}

/** `times` is timesJson(group.times), possibly cached by the caller (the time axis per collection). */
export function pointSeriesText(group: ResultGroup, times: string, values: (i: number) => string = (i) => valuesJson(group.parameters[i]?.values ?? new Float64Array(), group.parameters[i]?.info.float32 ?? false)): string {
  // The document's shape from the one encoder, with placeholders where the long arrays go.
  const skeleton = coverage({ ...group, times: [], parameters: group.parameters.map((p) => ({ ...p, values: new Float64Array() })) }) as { domain: { axes: { t: { values: unknown } } }; ranges: Record<string, { values: unknown; shape: number[] }> };
  skeleton.domain.axes.t.values = T_MARK;
  group.parameters.forEach((p, i) => {
    const r = skeleton.ranges[p.info.name] as { values: unknown; shape: number[] };
    r.values = V_MARK(i);
    r.shape = [group.times.length];
  });
  let text = JSON.stringify(skeleton).replace(JSON.stringify(T_MARK), () => times);
  group.parameters.forEach((_, i) => {
    text = text.replace(JSON.stringify(V_MARK(i)), () => values(i));
  });
  return text;
}
