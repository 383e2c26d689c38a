// The CBOFS sample's grid and fields: a curvilinear ROMS grid over Chesapeake Bay and the shelf off
// its mouth, 112 x 96 rho points (the operational grid is 291 x 332: about 3x coarser), water where
// Natural Earth's 1:10m land is not (the coastline the viewer draws), with fields a newcomer can
// recognise: an M2 tide entering at the mouth and travelling up the bay and its rivers at the
// shallow-water wave speed, currents of that progressive wave along its direction of travel (plus
// a weak two-layer estuarine circulation), salinity from ocean water at the mouth to fresh at the
// heads of the bay and rivers (saltier at depth, moved by the tidal excursion), and temperature
// cooler up-bay with a diurnal cycle strongest in shallow water. Deterministic: no randomness.
import { km, shortestPaths } from "./graph.js";

export const CBOFS_SHAPE = { eta: 112, xi: 96, s: 3 } as const;
/** s_rho of the template, bottom to surface. */
const LEVELS = CBOFS_SHAPE.s;

const M2_HOURS = 12.42;
const WAVE_SPEED_FACTOR = 0.7;
const G = 9.81;

export interface RomsGrid {
  ny: number;
  nx: number;
  lon: Float64Array;
  lat: Float64Array;
  mask: Uint8Array;
  h: Float64Array;
  /** Hours after the tide's crest leaves the shelf edge. */
  arrival: Float64Array;
  /** Along-water distance from the open ocean, km. */
  fromOcean: Float64Array;
  /** Along-water distance from the bay's main stem (mouth to head), km: how far up a river a cell is. */
  upRiver: Float64Array;
}

/** Corners (lon, lat) of the grid: south-west, south-east, north-east, north-west. */
const CORNERS = [
  [-77.6, 36.72],
  [-74.95, 36.55],
  [-75.28, 39.72],
  [-77.7, 39.64],
] as const;

function position(j: number, i: number, ny: number, nx: number): [number, number] {
  const u = i / (nx - 1);
  const v = j / (ny - 1);
  const [sw, se, ne, nw] = CORNERS;
  const lon = (1 - u) * (1 - v) * sw[0] + u * (1 - v) * se[0] + u * v * ne[0] + (1 - u) * v * nw[0];
  const lat = (1 - u) * (1 - v) * sw[1] + u * (1 - v) * se[1] + u * v * ne[1] + (1 - u) * v * nw[1];
  // Bent lines: a curvilinear grid, as ROMS grids are, not a rotated rectangle.
  return [lon + 0.06 * Math.sin(Math.PI * v), lat + 0.05 * Math.sin(Math.PI * u)];
}

export function romsGrid(isLand: (lon: number, lat: number) => boolean): RomsGrid {
  const { eta: ny, xi: nx } = CBOFS_SHAPE;
  const n = ny * nx;
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const wet = new Uint8Array(n);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      [lon[k], lat[k]] = position(j, i, ny, nx);
      // North of Ocean City the Atlantic and Delaware Bay belong to other models.
      const delaware = (lat[k] as number) > 38.45 && (lon[k] as number) > -75.62;
      wet[k] = isLand(lon[k] as number, lat[k] as number) || delaware ? 0 : 1;
    }
  const neighbours = (k: number, visit: (next: number, cost: number) => void, only?: Uint8Array) => {
    const [j, i] = [Math.floor(k / nx), k % nx];
    for (const [dj, di] of [[0, 1], [0, -1], [1, 0], [-1, 0]] as const) {
      const [jj, ii] = [j + dj, i + di];
      if (jj < 0 || jj >= ny || ii < 0 || ii >= nx) continue;
      const next = jj * nx + ii;
      if (only === undefined || only[next] === 1) visit(next, km(lon[k] as number, lat[k] as number, lon[next] as number, lat[next] as number));
    }
  };
  // Only water connected to the bay mouth is modelled (no isolated ponds).
  const mouth = nearest(lon, lat, wet, -76.0, 37.0);
  const reach = shortestPaths(n, [mouth], (k, visit) => neighbours(k, visit, wet));
  const mask = Uint8Array.from(reach, (d) => (Number.isFinite(d) ? 1 : 0));
  // Depth grows with the distance to the nearest land: shallow shores, a deep mid-bay channel, the shelf.
  const toLand = shortestPaths(n, [...mask.keys()].filter((k) => mask[k] === 0), (k, visit) => neighbours(k, visit));
  const h = Float64Array.from(toLand, (d, k) => (mask[k] === 1 ? Math.min(32, 1.5 + 1.7 * Math.max(0, d - 1) ** 1.1) : 1));
  // The open boundary: water cells on the grid's east and south edges.
  const open: number[] = [];
  for (let k = 0; k < n; k++) if (mask[k] === 1 && (k % nx === nx - 1 || k < nx)) open.push(k);
  const fromOcean = shortestPaths(n, open, (k, visit) => neighbours(k, visit, mask));
  // Travel time (hours) at 0.7 x sqrt(g h): friction slows the real wave, which reaches the head of
  // the bay about 12 hours after the mouth.
  const speed = (k: number) => WAVE_SPEED_FACTOR * Math.sqrt(G * (h[k] as number)) * 3.6;
  const arrival = shortestPaths(n, open, (k, visit) => neighbours(k, (next, d) => visit(next, (2 * d) / (speed(k) + speed(next))), mask));
  // The main stem: cells on a near-shortest water path from the open ocean to the head of the bay.
  const head = nearest(lon, lat, mask, -76.08, 39.5);
  const fromHead = shortestPaths(n, [head], (k, visit) => neighbours(k, visit, mask));
  const length = fromOcean[head] as number;
  const stem = [...mask.keys()].filter((k) => mask[k] === 1 && (fromOcean[k] as number) + (fromHead[k] as number) <= length + 8);
  const upRiver = shortestPaths(n, stem, (k, visit) => neighbours(k, visit, mask));
  return { ny, nx, lon, lat, mask, h, arrival, fromOcean, upRiver };
}

function nearest(lon: Float64Array, lat: Float64Array, wet: Uint8Array, x: number, y: number): number {
  let best = -1;
  let bestD = Infinity;
  for (let k = 0; k < lon.length; k++) {
    const d = km(lon[k] as number, lat[k] as number, x, y);
    if (wet[k] === 1 && d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

export interface RomsFields {
  zeta: number[];
  /** (s_rho, eta, xi), bottom level first. */
  temp: number[];
  salt: number[];
  /** On the staggered grids: (s_rho, eta_u, xi_u) and (s_rho, eta_v, xi_v). */
  u: number[];
  v: number[];
}

/** The fields at `hours` since 1970 (UTC). */
export function romsFields(g: RomsGrid, hours: number): RomsFields {
  const { ny, nx, mask, h, arrival, fromOcean, upRiver } = g;
  const n = ny * nx;
  const omega = (2 * Math.PI) / M2_HOURS;
  const phase = (k: number) => omega * (hours - (arrival[k] as number));
  // Amplitude: 0.38 m at the mouth, a minimum near mid-bay, larger again at the head (the bay is
  // about one tidal wavelength long, and the wave reflects at its head).
  const amplitude = (k: number) => 0.15 + 0.23 * Math.cos((omega * (arrival[k] as number)) / 2) ** 2;
  const zeta = Array.from({ length: n }, (_, k) => (mask[k] === 1 ? amplitude(k) * Math.cos(phase(k)) : NaN));
  // Tidal current of a progressive wave, m/s: g A / c, in phase with the elevation.
  const current = (k: number) => Math.min(1.1, (G * amplitude(k)) / Math.sqrt(G * (h[k] as number)));
  // Tidal excursion (km): how far the flood has carried the water up-bay at this moment.
  const excursion = (k: number) => (current(k) / (omega / 3600)) * Math.sin(phase(k)) * 1e-3;
  const temp: number[] = [];
  const salt: number[] = [];
  const diurnal = Math.cos((2 * Math.PI * (hours - 20)) / 24);
  for (let s = 0; s < LEVELS; s++)
    for (let k = 0; k < n; k++) {
      if (mask[k] === 0) {
        temp.push(NaN);
        salt.push(NaN);
        continue;
      }
      // Along the main stem salinity falls from the shelf's to fresh at the head; up a river it
      // falls again from the value where the river joins (shelf cells are not up a river).
      const river = (fromOcean[k] as number) - (upRiver[k] as number) > 30 ? (upRiver[k] as number) : 0;
      const d = Math.max(0, (fromOcean[k] as number) - river - excursion(k));
      const surface = 31.5 * Math.exp(-((d / 260) ** 3)) * Math.exp(-((river / 45) ** 2));
      const depthFactor = (LEVELS - 1 - s) / (LEVELS - 1);
      salt.push(Math.min(35, surface + depthFactor * 4.5 * Math.sin((Math.PI * surface) / 32) * Math.min(1, (h[k] as number) / 10)));
      const base = 15.2 + 4.3 * Math.exp(-(((fromOcean[k] as number) / 210) ** 2));
      temp.push(base + (s === LEVELS - 1 ? (0.9 * diurnal) / (1 + (h[k] as number) / 6) : 0) - 0.25 * depthFactor);
    }
  // Velocities along xi and eta: the wave travels down the arrival-time gradient; its unit vector
  // projected on the grid direction is c dT/ds. Plus the estuarine circulation: seaward at the
  // surface, landward at the bottom.
  const stagger = (dir: "u" | "v") => {
    const [my, mx] = dir === "u" ? [ny, nx - 1] : [ny - 1, nx];
    const out: number[] = [];
    for (let s = 0; s < LEVELS; s++)
      for (let j = 0; j < my; j++)
        for (let i = 0; i < mx; i++) {
          const a = j * nx + i;
          const b = dir === "u" ? a + 1 : a + nx;
          if (mask[a] === 0 || mask[b] === 0) {
            out.push(NaN);
            continue;
          }
          const ds = km(g.lon[a] as number, g.lat[a] as number, g.lon[b] as number, g.lat[b] as number) * 1000;
          const c = Math.sqrt(G * (((h[a] as number) + (h[b] as number)) / 2)) * WAVE_SPEED_FACTOR;
          const along = Math.max(-1, Math.min(1, (c * ((arrival[b] as number) - (arrival[a] as number)) * 3600) / ds));
          const tide = ((current(a) + current(b)) / 2) * Math.cos((phase(a) + phase(b)) / 2);
          const friction = [0.6, 0.85, 1][s] ?? 1;
          const estuarine = (s === LEVELS - 1 ? -0.06 : s === 0 ? 0.04 : 0) * along;
          out.push(along * tide * friction + estuarine);
        }
    return out;
  };
  return { zeta, temp, salt, u: stagger("u"), v: stagger("v") };
}
