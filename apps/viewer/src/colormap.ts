// Colour maps as 256-entry RGBA lookup tables, and the one rule every renderer and the legend
// share for turning a value into a table index, so a pixel and the legend never disagree.
import { COLORMAP_DATA } from "./colormap-data.js";

export const COLORMAP_NAMES = Object.keys(COLORMAP_DATA);
export const LUT_SIZE = 256;

export interface ValueRange {
  min: number;
  max: number;
}

/** RGBA bytes, LUT_SIZE * 4, fully opaque. */
export function colormapLut(name: string): Uint8Array {
  const hex = COLORMAP_DATA[name];
  if (hex === undefined) throw new Error(`colour map ${JSON.stringify(name)}: unknown (have ${COLORMAP_NAMES.join(", ")})`);
  const lut = new Uint8Array(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    lut[i * 4] = parseInt(hex.slice(i * 6, i * 6 + 2), 16);
    lut[i * 4 + 1] = parseInt(hex.slice(i * 6 + 2, i * 6 + 4), 16);
    lut[i * 4 + 2] = parseInt(hex.slice(i * 6 + 4, i * 6 + 6), 16);
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

/**
 * The table index of `value` in `range`: values below min take the first colour, above max the
 * last, and a degenerate range (min == max) maps everything to the middle. -1 for NaN.
 */
export function lutIndex(value: number, range: ValueRange): number {
  if (Number.isNaN(value)) return -1;
  const span = range.max - range.min;
  if (!(span > 0)) return LUT_SIZE >> 1;
  const t = (value - range.min) / span;
  if (t <= 0) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return Math.min(LUT_SIZE - 1, Math.floor(t * LUT_SIZE));
}

/** The colour of `value` as [r, g, b, a]; NaN (masked, fill) is transparent [0, 0, 0, 0]. */
export function colourOf(value: number, range: ValueRange, lut: Uint8Array): [number, number, number, number] {
  const i = lutIndex(value, range);
  if (i < 0) return [0, 0, 0, 0];
  return [lut[i * 4] ?? 0, lut[i * 4 + 1] ?? 0, lut[i * 4 + 2] ?? 0, lut[i * 4 + 3] ?? 0];
}

/** Finite min and max of `values` (NaN skipped); undefined when none is finite. */
export function finiteRange(values: ArrayLike<number>): ValueRange | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : undefined;
}

/** Legend tick values: about `count` round numbers inside the range (1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(range: ValueRange, count = 5): number[] {
  const span = range.max - range.min;
  if (!(span > 0) || !Number.isFinite(span)) return [range.min];
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(range.min / step) * step; v <= range.max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}
