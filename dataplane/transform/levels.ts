// Vertical levels: which dimension of a variable is vertical, and which index `surface` and
// `bottom` name, from the model's s-coordinate or sigma direction. Pure over the hierarchy and
// the coordinate's values.
import type { Hierarchy } from "../zarr/metadata.js";
import type { LevelChoice } from "./options.js";

const VERTICAL_NAMES = /^(s_rho|s_w|siglay|siglev|sigma|layer|level|lev|nvrt|z|depth)$/;
const VERTICAL_STANDARD_NAMES = /ocean_(s|sigma|double_sigma)_coordinate|ocean_sigma|depth|height|altitude/;

export interface VerticalAxis {
  readonly dim: string;
  /** The coordinate array giving its values (1-D, or 2-D like FVCOM's siglay(siglay, node)). */
  readonly coordinate?: string;
  /** `positive` as the coordinate says it ("up" when absent: s and sigma values rise to 0 at the surface). */
  readonly positive: "up" | "down";
}

function dimsOf(h: Hierarchy, path: string): string[] {
  return (h.arrays[path]?.attrs._ARRAY_DIMENSIONS as string[] | undefined) ?? [];
}

/** The vertical axis of `variable`, or undefined when it has none (a 2-D field). */
export function verticalAxisOf(h: Hierarchy, variable: string, timeDim: string): VerticalAxis | undefined {
  for (const dim of dimsOf(h, variable)) {
    if (dim === timeDim) continue;
    // The coordinate: the array named like the dimension, else one whose first dimension it is.
    const candidates = [dim, ...Object.keys(h.arrays).filter((p) => p !== dim && dimsOf(h, p)[0] === dim && !dimsOf(h, p).includes(timeDim) && dimsOf(h, p).length <= 2)];
    const coordinate = candidates.find((p) => {
      const a = h.arrays[p]?.attrs;
      return a !== undefined && (a.positive !== undefined || a.axis === "Z" || VERTICAL_STANDARD_NAMES.test(String(a.standard_name ?? "")));
    });
    if (coordinate === undefined && !VERTICAL_NAMES.test(dim)) continue;
    const positive = String(h.arrays[coordinate ?? ""]?.attrs.positive ?? "up").toLowerCase() === "down" ? "down" : "up";
    return { dim, ...(coordinate !== undefined ? { coordinate } : {}), positive };
  }
  return undefined;
}

/**
 * The index `choice` names along the axis. `values` are the coordinate's values along the axis
 * (the first column of a 2-D coordinate). Surface: the largest value with positive up (s and sigma
 * coordinates rise to 0 at the surface), the smallest with positive down (depths); bottom the other.
 */
export function levelIndex(choice: LevelChoice, axis: VerticalAxis, length: number, values: ArrayLike<number> | undefined, field = "spec.transform.select.level"): number {
  if (typeof choice === "number") {
    if (!Number.isInteger(choice) || choice < 0 || choice >= length) throw new Error(`${field}: index ${choice} is outside ${axis.dim}'s ${length} levels (0-${length - 1})`);
    return choice;
  }
  if (values === undefined || values.length !== length) throw new Error(`${field}: ${choice} needs the values of ${axis.dim}'s coordinate, and the source has none; give an index instead`);
  let max = 0;
  let min = 0;
  for (let i = 1; i < length; i++) {
    if ((values[i] as number) > (values[max] as number)) max = i;
    if ((values[i] as number) < (values[min] as number)) min = i;
  }
  const surface = axis.positive === "up" ? max : min;
  const bottom = axis.positive === "up" ? min : max;
  return choice === "surface" ? surface : bottom;
}
