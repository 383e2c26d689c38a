// The group attributes that name the overview levels, in the Zarr `multiscales` convention
// (v0.1.0, https://github.com/zarr-conventions/multiscales): a `zarr_conventions` entry and the
// `multiscales` layout, level 0 being the group itself ("."). Pure. The format is fixed in
// /work/coord/issue21.md ("The store format for overviews") and read by the viewer.
import type { AttrValue, Attributes } from "../types.js";

export const MULTISCALES_CONVENTION = {
  uuid: "d35379db-88df-4056-af3a-620245f8e347",
  schema_url: "https://raw.githubusercontent.com/zarr-conventions/multiscales/refs/tags/v0.1.0/schema.json",
  spec_url: "https://github.com/zarr-conventions/multiscales/blob/v0.1.0/README.md",
  name: "multiscales",
  description: "Multiscale layout of zarr datasets",
} as const;

/** Where level k (k >= 1) of a group lives, relative to that group. */
export function levelAsset(k: number): string {
  return k === 0 ? "." : `overviews/${k}`;
}

export interface LevelShape {
  /** Each horizontal dimension's size at this level (every grid of the group: ROMS rho, u, v...). */
  shape: Record<string, number>;
}

/**
 * The `multiscales` value for levels 0..K of a group (`levels[0]` is level 0). Structured grids
 * use block means ("mean"); a mesh's levels are vertex clusterings ("vertex-cluster", on each
 * derived entry, as the contract says).
 */
export function multiscalesLayout(levels: readonly LevelShape[], method: "mean" | "vertex-cluster"): Record<string, AttrValue> {
  const layout = levels.map((l, k) => {
    const shape = { "dmac:shape": l.shape };
    if (k === 0) return { asset: ".", transform: { scale: [1.0, 1.0] }, ...shape };
    return {
      asset: levelAsset(k),
      derived_from: levelAsset(k - 1),
      transform: { scale: [2.0, 2.0], translation: [0.0, 0.0] },
      ...(method === "vertex-cluster" ? { resampling_method: "vertex-cluster" } : {}),
      ...shape,
    };
  });
  return { resampling_method: method, layout } as unknown as Record<string, AttrValue>;
}

/** `attrs` with the convention named and `multiscales` set (levels > 0) or both removed (no levels). */
export function withMultiscales(attrs: Attributes, multiscales: Record<string, AttrValue> | undefined): Attributes {
  const out: Attributes = { ...withoutMultiscales(attrs) };
  const others = (Array.isArray(attrs.zarr_conventions) ? (attrs.zarr_conventions as unknown as Array<{ uuid?: string }>) : []).filter((c) => c?.uuid !== MULTISCALES_CONVENTION.uuid);
  if (multiscales === undefined) {
    if (others.length > 0) out.zarr_conventions = others as unknown as AttrValue;
    return out;
  }
  out.zarr_conventions = [...others, { ...MULTISCALES_CONVENTION }] as unknown as AttrValue;
  out.multiscales = multiscales as unknown as AttrValue;
  return out;
}

/** `attrs` without the convention's keys (what an overview level's own group carries). */
export function withoutMultiscales(attrs: Attributes): Attributes {
  const { multiscales: _m, zarr_conventions: _c, ...rest } = attrs;
  return rest;
}
