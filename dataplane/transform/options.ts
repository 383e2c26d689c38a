// What a derived IngestJob's spec.transform asks of the data plane, as plain options. The one
// mapping from the API (`transformOptionsFor`) lives here beside the types so the operator, the
// Dask task and the tests build transforms the same way.
import type { IngestJobSpec } from "../../crds/api/index.js";

export type Statistic = "max" | "min" | "mean";
export type LevelChoice = number | "surface" | "bottom";

export interface ResampleOptions {
  /** Period length in milliseconds (divides a day). */
  readonly periodMs: number;
  readonly statistic: Statistic;
  /** Offset of the clock periods are counted in, from UTC, in milliseconds (-05:00 is -18e6). */
  readonly offsetMs: number;
  /** As written in the spec, for attributes and messages. */
  readonly period: string;
  readonly utcOffset: string;
}

export interface RechunkOptions {
  readonly timeChunk?: number;
  readonly tile?: number;
}

export interface TransformOptions {
  /** select.variables: when absent, every variable with the time dimension. */
  readonly variables?: readonly string[];
  readonly level?: LevelChoice;
  readonly resample?: ResampleOptions;
  readonly rechunk?: RechunkOptions;
}

const HOUR = 3_600_000;

/** "6h" -> 21_600_000; "1d" -> 86_400_000. */
export function periodMs(period: string): number {
  const m = /^([1-9][0-9]*)([hd])$/.exec(period);
  if (m === null) throw new Error(`spec.transform.resample.period: ${JSON.stringify(period)} is not <n>h or <n>d`);
  return Number(m[1]) * (m[2] === "d" ? 24 * HOUR : HOUR);
}

/** "-05:00" -> -18_000_000. */
export function offsetMs(utcOffset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(utcOffset);
  if (m === null) throw new Error(`spec.transform.resample.utcOffset: ${JSON.stringify(utcOffset)} is not ±HH:MM`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * HOUR + Number(m[3]) * 60_000);
}

export type TransformSpec = NonNullable<IngestJobSpec["transform"]>;

/** The transform options of a derived IngestJob's spec.transform. */
export function transformOptionsFor(transform: TransformSpec): TransformOptions {
  const { select, resample, rechunk } = transform;
  return {
    ...(select?.variables !== undefined ? { variables: [...select.variables] } : {}),
    ...(select?.level !== undefined ? { level: select.level as LevelChoice } : {}),
    ...(resample !== undefined
      ? { resample: { period: resample.period, periodMs: periodMs(resample.period), statistic: resample.statistic, utcOffset: resample.utcOffset ?? "+00:00", offsetMs: offsetMs(resample.utcOffset ?? "+00:00") } }
      : {}),
    ...(rechunk !== undefined ? { rechunk: { ...(rechunk.timeChunk !== undefined ? { timeChunk: rechunk.timeChunk } : {}), ...(rechunk.tile !== undefined ? { tile: rechunk.tile } : {}) } } : {}),
  };
}
