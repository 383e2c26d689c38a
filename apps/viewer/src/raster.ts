// The canvas-2D renderer's core: rasterises a field into RGBA pixels (pure, runs in node too).
// Meshes are scan-converted triangle by triangle, sampling each pixel centre and interpolating
// the value (not the colour) barycentrically; images map every pixel back to its cell by binary
// search on the cell edges. Pixels without data stay transparent (alpha 0). This is the path a
// browser without WebGL takes, and the reference the WebGL renderer must agree with.
import { lutIndex, type ValueRange } from "./colormap.js";
import type { ImageGeometry, MeshGeometry } from "./mesh.js";
import { toScreen, type View } from "./view.js";

export interface RasterTarget {
  width: number;
  height: number;
  /** RGBA, width * height * 4, cleared by the caller. */
  data: Uint8ClampedArray;
}

function put(out: Uint8ClampedArray, p: number, lut: Uint8Array, index: number): void {
  const q = index * 4;
  out[p] = lut[q] ?? 0;
  out[p + 1] = lut[q + 1] ?? 0;
  out[p + 2] = lut[q + 2] ?? 0;
  out[p + 3] = 255;
}

/** Draws the `visible` triangles of `mesh` with per-vertex `values`. */
export function rasterizeMesh(mesh: MeshGeometry, values: Float32Array, visible: Uint32Array, view: View, lut: Uint8Array, range: ValueRange, target: RasterTarget): void {
  const { width, height, data } = target;
  const n = mesh.xy.length / 2;
  const sx = new Float32Array(n);
  const sy = new Float32Array(n);
  for (let v = 0; v < n; v++) {
    const [x, y] = toScreen(view, mesh.xy[v * 2] ?? NaN, mesh.xy[v * 2 + 1] ?? NaN);
    sx[v] = x;
    sy[v] = y;
  }
  for (let k = 0; k + 2 < visible.length; k += 3) {
    const a = visible[k] ?? 0;
    const b = visible[k + 1] ?? 0;
    const c = visible[k + 2] ?? 0;
    const ax = sx[a] ?? 0, ay = sy[a] ?? 0, bx = sx[b] ?? 0, by = sy[b] ?? 0, cx = sx[c] ?? 0, cy = sy[c] ?? 0;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (!(Math.abs(area) > 1e-12)) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    if (x0 > x1 || y0 > y1) continue;
    const va = values[a] ?? NaN, vb = values[b] ?? NaN, vc = values[c] ?? NaN;
    const flat = va === vb && vb === vc;
    const flatIndex = flat ? lutIndex(va, range) : 0;
    const inv = 1 / area;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        // Barycentric weights; a pixel centre on a shared edge may be drawn by both triangles,
        // which is harmless since both give the edge the same value.
        const wa = ((bx - px) * (cy - py) - (by - py) * (cx - px)) * inv;
        const wb = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) * inv;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        const index = flat ? flatIndex : lutIndex(wa * va + wb * vb + wc * vc, range);
        if (index >= 0) put(data, (y * width + x) * 4, lut, index);
      }
    }
  }
}

/** Index of the cell containing `v` for monotonic `edges` (n + 1 values), or -1 outside. */
export function cellIndex(edges: Float64Array, v: number): number {
  const n = edges.length - 1;
  if (n < 1 || Number.isNaN(v)) return -1;
  const up = (edges[n] ?? 0) > (edges[0] ?? 0);
  const lo = up ? (edges[0] ?? 0) : (edges[n] ?? 0);
  const hi = up ? (edges[n] ?? 0) : (edges[0] ?? 0);
  if (v < lo || v >= hi) return -1;
  let a = 0;
  let b = n;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if ((edges[m] ?? 0) <= v === up) a = m;
    else b = m;
  }
  return a;
}

/** Draws a regular grid's `values` (row-major (ny, nx)) as an image. */
export function rasterizeImage(grid: ImageGeometry, values: Float32Array, view: View, lut: Uint8Array, range: ValueRange, target: RasterTarget): void {
  const { width, height, data } = target;
  const cols = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    const lon = view.lon + (x + 0.5 - view.width / 2) / (view.scale * view.kx);
    cols[x] = cellIndex(grid.lonEdges, lon);
  }
  for (let y = 0; y < height; y++) {
    const lat = view.lat - (y + 0.5 - view.height / 2) / view.scale;
    const row = cellIndex(grid.latEdges, lat);
    if (row < 0) continue;
    for (let x = 0; x < width; x++) {
      const col = cols[x] ?? -1;
      if (col < 0) continue;
      const cell = row * grid.nx + col;
      if (grid.wet !== undefined && grid.wet[cell] === 0) continue;
      const index = lutIndex(values[cell] ?? NaN, range);
      if (index >= 0) put(data, (y * width + x) * 4, lut, index);
    }
  }
}
