// The NGOFS2 sample's mesh and fields: FVCOM triangles over the northern Gulf of Mexico from the
// Texas coast to the Florida panhandle, an equilateral lattice of about 6 km (the operational mesh
// has some 300,000 nodes from tens of metres at the coast to 10 km offshore; this one about
// 17,000), kept where the triangle's centre is water in Natural Earth's 1:10m land and connected
// to the open Gulf. Fields: the northern Gulf's mostly diurnal tide (K1, O1, a small M2) in zeta,
// sea temperature warm offshore and cooler on the shelf and in the Mississippi plume with a
// diurnal cycle at the surface, and eastward velocity from the tidal current, the westward
// Louisiana-Texas coastal current and a cyclonic frontal eddy on the Loop Current's northern edge.
// Deterministic: no randomness.
import { km, shortestPaths } from "./graph.js";

const BOX = { west: -97.7, east: -84.2, south: 26.0, north: 30.75 } as const;
/** Lattice spacing, km. */
const SPACING = 5.9;

export interface FvcomMesh {
  lon: Float64Array;
  lat: Float64Array;
  /** Node indices of each element, 0-based, counter-clockwise. */
  triangles: Uint32Array;
  lonc: Float64Array;
  latc: Float64Array;
  h: Float64Array;
  /** Distance from the coast, km. */
  offshore: Float64Array;
}

export function fvcomMesh(isLand: (lon: number, lat: number) => boolean): FvcomMesh {
  const midLat = (BOX.south + BOX.north) / 2;
  const dy = (SPACING * Math.sqrt(3)) / 2 / 111.32;
  const dx = SPACING / (111.32 * Math.cos((midLat * Math.PI) / 180));
  const rows = Math.floor((BOX.north - BOX.south) / dy) + 1;
  const cols = Math.floor((BOX.east - BOX.west) / dx) + 1;
  const at = (r: number, c: number): [number, number] => [BOX.west + (c + (r % 2) * 0.5) * dx, BOX.south + r * dy];
  // Lattice triangles between rows r and r + 1 (odd rows are shifted half a step east).
  const candidates: Array<[number, number, number]> = [];
  const id = (r: number, c: number) => r * cols + c;
  for (let r = 0; r + 1 < rows; r++)
    for (let c = 0; c + 1 < cols; c++) {
      if (r % 2 === 0) {
        candidates.push([id(r, c), id(r, c + 1), id(r + 1, c)], [id(r, c + 1), id(r + 1, c + 1), id(r + 1, c)]);
      } else {
        candidates.push([id(r, c), id(r + 1, c + 1), id(r + 1, c)], [id(r, c), id(r, c + 1), id(r + 1, c + 1)]);
      }
    }
  const point = (p: number) => at(Math.floor(p / cols), p % cols);
  const centre = (t: [number, number, number]): [number, number] => {
    const [a, b, c] = t.map(point) as [[number, number], [number, number], [number, number]];
    return [(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3];
  };
  const water = candidates.filter((t) => !isLand(...centre(t)));
  // Keep the triangles connected (through shared edges) to the open Gulf.
  const byEdge = new Map<string, number[]>();
  const edgeKey = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  water.forEach((t, e) => {
    for (const [a, b] of [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] as const) {
      const key = edgeKey(a, b);
      const list = byEdge.get(key);
      if (list === undefined) byEdge.set(key, [e]);
      else list.push(e);
    }
  });
  let seed = 0;
  let seedD = Infinity;
  water.forEach((t, e) => {
    const [x, y] = centre(t);
    const d = km(x, y, -90, 27);
    if (d < seedD) [seed, seedD] = [e, d];
  });
  const reach = shortestPaths(water.length, [seed], (e, visit) => {
    const t = water[e] as [number, number, number];
    for (const [a, b] of [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] as const) for (const other of byEdge.get(edgeKey(a, b)) ?? []) if (other !== e) visit(other, 1);
  });
  const kept = water.filter((_, e) => Number.isFinite(reach[e]));
  // Renumber the nodes the kept triangles use, in lattice order.
  const used = [...new Set(kept.flat())].sort((a, b) => a - b);
  const index = new Map(used.map((p, i) => [p, i]));
  const lon = Float64Array.from(used, (p) => point(p)[0]);
  const lat = Float64Array.from(used, (p) => point(p)[1]);
  const triangles = Uint32Array.from(kept.flatMap((t) => t.map((p) => index.get(p) as number)));
  const lonc = Float64Array.from(kept, (t) => centre(t)[0]);
  const latc = Float64Array.from(kept, (t) => centre(t)[1]);
  // Coast nodes: on an edge only one kept triangle has, away from the box's open sides.
  const count = new Map<string, number>();
  for (const t of kept) for (const [a, b] of [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] as const) count.set(edgeKey(a, b), (count.get(edgeKey(a, b)) ?? 0) + 1);
  const coast = new Set<number>();
  const open = (p: number) => {
    const [x, y] = point(p);
    return y < BOX.south + dy || x < BOX.west + dx || x > BOX.east - dx;
  };
  for (const [key, n] of count) {
    if (n !== 1) continue;
    const [a, b] = key.split(",").map(Number) as [number, number];
    if (!open(a) && !open(b)) coast.add(index.get(a) as number).add(index.get(b) as number);
  }
  const neighbours: number[][] = Array.from({ length: used.length }, () => []);
  for (let e = 0; e < triangles.length; e += 3)
    for (const [a, b] of [[0, 1], [1, 2], [2, 0]] as const) {
      const [p, q] = [triangles[e + a] as number, triangles[e + b] as number];
      neighbours[p]?.push(q);
    }
  const offshore = shortestPaths(used.length, coast, (p, visit) => {
    for (const q of neighbours[p] ?? []) visit(q, km(lon[p] as number, lat[p] as number, lon[q] as number, lat[q] as number));
  });
  // Depth: a shelf deepening to about 100 m at 130 km from the coast, then the slope.
  const h = Float64Array.from(offshore, (d) => Math.min(3200, 2 + 0.75 * d + (d > 130 ? 28 * (d - 130) : 0)));
  return { lon, lat, triangles, lonc, latc, h, offshore };
}

export interface FvcomFields {
  zeta: number[];
  /** (siglay, node), surface layer first. */
  temp: number[];
  /** (siglay, nele). */
  u: number[];
}

/** The fields at `hours` since 1970 (UTC). */
export function fvcomFields(m: FvcomMesh, hours: number): FvcomFields {
  const nodes = m.lon.length;
  const rad = Math.PI / 180;
  // The northern Gulf's tide is mostly diurnal; its phase turns slowly from west to east.
  const tide = (lon: number) => {
    const lag = (lon + 90) * 1.5 * rad;
    return 0.15 * Math.cos((2 * Math.PI * hours) / 23.93 - lag) + 0.14 * Math.cos((2 * Math.PI * hours) / 25.82 - lag - 0.4) + 0.04 * Math.cos((2 * Math.PI * hours) / 12.42 - 2 * lag);
  };
  const zeta = Array.from({ length: nodes }, (_, p) => tide(m.lon[p] as number) * (1 + 0.3 * Math.exp(-(m.offshore[p] as number) / 40)));
  const diurnal = Math.cos((2 * Math.PI * (hours - 20)) / 24);
  const surface = (p: number) => {
    const plume = Math.exp(-((km(m.lon[p] as number, m.lat[p] as number, -89.3, 28.9) / 90) ** 2));
    return 27.2 - 3.6 * Math.exp(-(m.offshore[p] as number) / 70) - 1.4 * plume + (0.5 * diurnal) / (1 + (m.h[p] as number) / 15);
  };
  const temp = [
    ...Array.from({ length: nodes }, (_, p) => surface(p)),
    ...Array.from({ length: nodes }, (_, p) => surface(p) - Math.min(19, 0.012 * (m.h[p] as number) * 0.75) - 0.3),
  ];
  const elements = m.lonc.length;
  const eastward = (e: number) => {
    const [x, y] = [m.lonc[e] as number, m.latc[e] as number];
    let d = 0;
    for (let k = 0; k < 3; k++) d += (m.offshore[m.triangles[3 * e + k] as number] as number) / 3;
    const tidal = 0.12 * Math.sin((2 * Math.PI * hours) / 23.93 - (x + 90) * 1.5 * rad) * Math.exp(-d / 150);
    const coastal = x < -89 ? -0.18 * Math.exp(-d / 60) : 0;
    const r = km(x, y, -86.6, 26.9) / 140;
    // Counter-clockwise (cyclonic): westward north of its centre, eastward south of it; 0.75 m/s at 140 km.
    const loop = -0.75 * ((y - 26.9) / 1.26) * Math.exp(0.5 - (r * r) / 2);
    return tidal + coastal + loop;
  };
  const u = Array.from({ length: elements }, (_, e) => eastward(e));
  return { zeta, temp, u: [...u, ...u.map((x) => 0.7 * x)] };
}
