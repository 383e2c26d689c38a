// Geometry for drawing a field on its native grid (pure; unit-tested in node):
// - curvilinear (ROMS rho points): each wet cell is the quadrilateral around its centre, with
//   corners at the mean of the four surrounding centres (extrapolated at the edges), split into two
//   triangles whose four vertices all take the cell's value, so the cell is one flat colour;
//   masked cells (mask 0) and cells with missing coordinates get no triangles.
// - unstructured (FVCOM): the nv connectivity triangles; values on nodes are interpolated across
//   each triangle, values on elements colour the whole triangle.
// - rectilinear (1-D lon/lat, or 2-D lon/lat that vary along one axis each): an image whose cell
//   edges lie halfway between centres.
// Longitudes are unwrapped so a grid is continuous across the antimeridian (0..360 grids stay
// 0..360; a -180..180 grid crossing 180 continues past it).

export type BBox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

export interface MeshGeometry {
  kind: "mesh";
  /** lon, lat per vertex. */
  xy: Float32Array;
  /** Which field value each vertex takes (a cell, node or element index). */
  source: Uint32Array;
  /** Vertex indices, three per triangle. */
  triangles: Uint32Array;
  /** Values the field must have (cells, nodes or elements). */
  cells: number;
  /** True when each triangle's vertices share one value (cells, elements): no interpolation needed. */
  flat: boolean;
  bbox: BBox;
}

export interface ImageGeometry {
  kind: "image";
  nx: number;
  ny: number;
  /** Cell edges along x (nx + 1, monotonic) and y (ny + 1, monotonic), in degrees. */
  lonEdges: Float64Array;
  latEdges: Float64Array;
  /** 1 for cells to draw, 0 for masked cells; per value, row-major (ny, nx). */
  wet?: Uint8Array;
  cells: number;
  bbox: BBox;
}

/**
 * A curvilinear grid as quadrilaterals through its cell corners: WebGL draws it like an image
 * (the field coloured into a texture, one texel a cell, sampled NEAREST across each quad), which
 * holds a sixth of a triangle mesh's bytes and recolours a time step without new vertex data.
 * The canvas-2D renderer and tests take its triangles (`quadsToMesh`).
 */
export interface QuadGeometry {
  kind: "quads";
  ny: number;
  nx: number;
  /** Cell corners, (ny + 1) x (nx + 1) row-major, lon and lat interleaved. */
  corners: Float32Array;
  /** 1 for cells drawn (wet, finite coordinates, not across a global grid's seam). */
  drawn: Uint8Array;
  cells: number;
  bbox: BBox;
  /** Cell centres (longitudes unwrapped, in the corners' frame), row-major: where the cells are. */
  centres: { lon: Float32Array; lat: Float32Array };
}

export type Geometry = MeshGeometry | ImageGeometry | QuadGeometry;

/** Longitude `lon` moved by whole turns to lie within 180 degrees of `ref`. */
export function unwrapLon(lon: number, ref: number): number {
  return lon - 360 * Math.round((lon - ref) / 360);
}

/** Longitudes made continuous around a reference: the first finite value. */
export function unwrapAll(lon: ArrayLike<number>): Float64Array {
  const out = new Float64Array(lon.length);
  let ref = NaN;
  for (let i = 0; i < lon.length; i++) {
    const v = lon[i] ?? NaN;
    if (Number.isNaN(ref) && Number.isFinite(v)) ref = v;
    out[i] = Number.isFinite(v) ? unwrapLon(v, ref) : NaN;
  }
  return out;
}

/**
 * Longitudes of a 2-D grid (row-major ny x nx) made continuous from neighbour to neighbour: along
 * each row from its first cell, and each row's first cell from the row above's. A global grid
 * keeps its 74..434 run (RTOFS) instead of a seam halfway round, which one reference would cut.
 */
export function unwrapGrid(lon: ArrayLike<number>, ny: number, nx: number): Float64Array {
  const out = new Float64Array(ny * nx);
  let rowRef = NaN;
  for (let j = 0; j < ny; j++) {
    let ref = rowRef;
    let first = NaN;
    for (let i = 0; i < nx; i++) {
      const c = j * nx + i;
      const v = Number(lon[c]);
      if (!Number.isFinite(v)) {
        out[c] = NaN;
        continue;
      }
      const u = Number.isNaN(ref) ? v : unwrapLon(v, ref);
      out[c] = u;
      ref = u;
      if (Number.isNaN(first)) first = u;
    }
    if (!Number.isNaN(first)) rowRef = first;
  }
  return out;
}

function bboxOf(xy: ArrayLike<number>): BBox {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i + 1 < xy.length; i += 2) {
    const x = xy[i] ?? NaN;
    const y = xy[i + 1] ?? NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : [-180, -90, 180, 90];
}

/**
 * Cell corners of a curvilinear grid: (ny + 1) x (nx + 1) points, corner (j, i) preceding
 * cell (j, i) along both axes. Interior corners are the mean of the four surrounding centres;
 * outside the grid the centres are extended linearly.
 */
export function cellCorners(lon: Float64Array, lat: Float64Array, ny: number, nx: number): { lon: Float64Array; lat: Float64Array } {
  const ex = extendGrid(lon, lat, ny, nx);
  const w = nx + 2;
  const cLon = new Float64Array((ny + 1) * (nx + 1));
  const cLat = new Float64Array((ny + 1) * (nx + 1));
  // Corner (j, i) lies between extended centres (j, i), (j, i + 1), (j + 1, i), (j + 1, i + 1).
  for (let j = 0; j <= ny; j++)
    for (let i = 0; i <= nx; i++) {
      const a = j * w + i;
      const k = j * (nx + 1) + i;
      cLon[k] = ((ex.lon[a] ?? NaN) + (ex.lon[a + 1] ?? NaN) + (ex.lon[a + w] ?? NaN) + (ex.lon[a + w + 1] ?? NaN)) / 4;
      cLat[k] = ((ex.lat[a] ?? NaN) + (ex.lat[a + 1] ?? NaN) + (ex.lat[a + w] ?? NaN) + (ex.lat[a + w + 1] ?? NaN)) / 4;
    }
  return { lon: cLon, lat: cLat };
}

/**
 * The centres with a ring of extra cells, (ny + 2) x (nx + 2): each outer cell continues the
 * step of the nearest two real ones. A single row or column borrows the other axis' step
 * turned by 90 degrees; a single cell gets 0.01 degrees.
 */
function extendGrid(lon: Float64Array, lat: Float64Array, ny: number, nx: number): { lon: Float64Array; lat: Float64Array } {
  const w = nx + 2;
  const eLon = new Float64Array((ny + 2) * w);
  const eLat = new Float64Array((ny + 2) * w);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      eLon[(j + 1) * w + i + 1] = lon[j * nx + i] ?? NaN;
      eLat[(j + 1) * w + i + 1] = lat[j * nx + i] ?? NaN;
    }
  const at = (a: Float64Array, j: number, i: number) => a[(j + 1) * w + i + 1] ?? NaN;
  // Steps along i and j at real cell (j, i), as (dlon, dlat).
  const stepI = (j: number, i: number): [number, number] => {
    if (nx > 1) {
      const i0 = Math.min(i, nx - 2);
      return [at(eLon, j, i0 + 1) - at(eLon, j, i0), at(eLat, j, i0 + 1) - at(eLat, j, i0)];
    }
    if (ny > 1) {
      const [dx, dy] = stepJ(j, i);
      return [dy, -dx];
    }
    return [0.01, 0];
  };
  const stepJ = (j: number, i: number): [number, number] => {
    if (ny > 1) {
      const j0 = Math.min(j, ny - 2);
      return [at(eLon, j0 + 1, i) - at(eLon, j0, i), at(eLat, j0 + 1, i) - at(eLat, j0, i)];
    }
    if (nx > 1) {
      const [dx, dy] = stepI(j, i);
      return [-dy, dx];
    }
    return [0, 0.01];
  };
  for (let j = -1; j <= ny; j++)
    for (let i = -1; i <= nx; i++) {
      if (j >= 0 && j < ny && i >= 0 && i < nx) continue;
      const cj = Math.min(ny - 1, Math.max(0, j));
      const ci = Math.min(nx - 1, Math.max(0, i));
      let x = at(eLon, cj, ci);
      let y = at(eLat, cj, ci);
      if (j !== cj) {
        const [dx, dy] = stepJ(cj, ci);
        x += (j - cj) * dx;
        y += (j - cj) * dy;
      }
      if (i !== ci) {
        const [dx, dy] = stepI(cj, ci);
        x += (i - ci) * dx;
        y += (i - ci) * dy;
      }
      eLon[(j + 1) * w + i + 1] = x;
      eLat[(j + 1) * w + i + 1] = y;
    }
  return { lon: eLon, lat: eLat };
}

/**
 * Quadrilaterals for a curvilinear grid of ny x nx cells (lon/lat per cell centre, row-major):
 * corners at the mean of the four surrounding centres; cells whose mask is 0, whose coordinates
 * are missing or whose corners span more than half the globe (a global grid's seam) are not drawn.
 */
export function curvilinearQuads(lonIn: ArrayLike<number>, latIn: ArrayLike<number>, ny: number, nx: number, mask?: ArrayLike<number>): QuadGeometry {
  const cells = ny * nx;
  if (lonIn.length !== cells || latIn.length !== cells) throw new Error(`curvilinear grid: lon/lat have ${lonIn.length}/${latIn.length} values, expected ${ny} x ${nx} = ${cells}`);
  if (mask !== undefined && mask.length !== cells) throw new Error(`curvilinear grid: mask has ${mask.length} values, expected ${cells}`);
  const lon = unwrapGrid(lonIn, ny, nx);
  // No mapping function: a callback per element costs some 100 ms a million cells.
  const lat = Float64Array.from(latIn);
  const c64 = cellCorners(lon, lat, ny, nx);
  const w = nx + 1;
  const corners = new Float32Array(c64.lon.length * 2);
  for (let k = 0; k < c64.lon.length; k++) {
    corners[k * 2] = c64.lon[k] ?? NaN;
    corners[k * 2 + 1] = c64.lat[k] ?? NaN;
  }
  const drawn = new Uint8Array(cells);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let c = 0; c < cells; c++) {
    const m = mask === undefined ? 1 : Number(mask[c]);
    if (m === 0 || Number.isNaN(m) || !Number.isFinite(lon[c] ?? NaN) || !Number.isFinite(lat[c] ?? NaN)) continue;
    const j = Math.floor(c / nx);
    const k = j * w + (c - j * nx);
    // The four corners' extremes, without an array per cell (a million cells at a time).
    let cx0 = Infinity, cx1 = -Infinity, cy0 = Infinity, cy1 = -Infinity;
    for (let n = 0; n < 4; n++) {
      const q = n === 0 ? k : n === 1 ? k + 1 : n === 2 ? k + w + 1 : k + w;
      const x = corners[q * 2] ?? NaN;
      const y = corners[q * 2 + 1] ?? NaN;
      cx0 = x < cx0 ? x : cx0;
      cx1 = x > cx1 ? x : cx1;
      cy0 = y < cy0 ? y : cy0;
      cy1 = y > cy1 ? y : cy1;
      if (Number.isNaN(x) || Number.isNaN(y)) cx1 = NaN;
    }
    // A cell whose corners span more than half the globe sits on a global grid's seam.
    if (!(cx1 - cx0 <= 180) || !Number.isFinite(cy0) || !Number.isFinite(cy1)) continue;
    drawn[c] = 1;
    if (cx0 < x0) x0 = cx0;
    if (cx1 > x1) x1 = cx1;
    if (cy0 < y0) y0 = cy0;
    if (cy1 > y1) y1 = cy1;
  }
  const bbox: BBox = x0 <= x1 ? [x0, y0, x1, y1] : [-180, -90, 180, 90];
  return { kind: "quads", ny, nx, corners, drawn, cells, bbox, centres: { lon: Float32Array.from(lon), lat: Float32Array.from(lat) } };
}

/** The triangles of a quad grid: four vertices and two triangles per drawn cell, all four with the cell's value. */
export function quadsToMesh(q: QuadGeometry): MeshGeometry {
  const { nx, corners, drawn, cells } = q;
  const w = nx + 1;
  let keep = 0;
  for (let c = 0; c < cells; c++) keep += drawn[c] ?? 0;
  const xy = new Float32Array(keep * 8);
  const source = new Uint32Array(keep * 4);
  const triangles = new Uint32Array(keep * 6);
  let v = 0;
  let t = 0;
  for (let c = 0; c < cells; c++) {
    if (drawn[c] === 0) continue;
    const j = Math.floor(c / nx);
    const k = j * w + (c - j * nx);
    // Corners clockwise from the top-left one of the cell: k, k + 1, k + w + 1, k + w.
    const ks = [k, k + 1, k + w + 1, k + w];
    for (let q2 = 0; q2 < 4; q2++) {
      xy[(v + q2) * 2] = corners[(ks[q2] ?? 0) * 2] ?? NaN;
      xy[(v + q2) * 2 + 1] = corners[(ks[q2] ?? 0) * 2 + 1] ?? NaN;
      source[v + q2] = c;
    }
    triangles.set([v, v + 1, v + 2, v, v + 2, v + 3], t);
    v += 4;
    t += 6;
  }
  return { kind: "mesh", xy, source, triangles, cells, flat: true, bbox: q.bbox };
}

/** Triangles for a curvilinear grid (see curvilinearQuads): two per drawn cell, flat-coloured. */
export function curvilinearMesh(lonIn: ArrayLike<number>, latIn: ArrayLike<number>, ny: number, nx: number, mask?: ArrayLike<number>): MeshGeometry {
  return quadsToMesh(curvilinearQuads(lonIn, latIn, ny, nx, mask));
}

/**
 * The geometry moved by whole turns of longitude so its centre lies within 180 degrees of
 * `refLon`: a window of a grid read on its own unwraps from its own first longitude, and must be
 * drawn in the frame of the whole grid (the view's). The same object when no move is needed.
 */
export function alignLon(g: Geometry, refLon: number): Geometry {
  const centre = (g.bbox[0] + g.bbox[2]) / 2;
  const d = centre - unwrapLon(centre, refLon);
  if (d === 0 || !Number.isFinite(d)) return g;
  const bbox: BBox = [g.bbox[0] - d, g.bbox[1], g.bbox[2] - d, g.bbox[3]];
  if (g.kind === "image") return { ...g, lonEdges: g.lonEdges.map((x) => x - d), bbox };
  const shifted = (xy: Float32Array) => {
    const out = xy.slice();
    for (let k = 0; k < out.length; k += 2) out[k] = (out[k] ?? 0) - d;
    return out;
  };
  if (g.kind === "quads") return { ...g, corners: shifted(g.corners), bbox, centres: { lon: g.centres.lon.map((x) => x - d), lat: g.centres.lat } };
  return { ...g, xy: shifted(g.xy), bbox };
}

/**
 * Converts FVCOM-style connectivity to 0-based triangles. `nv` holds `nele` triangles laid out
 * (3, nele) or (nele, 3), with 1-based node numbers (FVCOM) or 0-based ones (detected: no 0 means 1-based).
 */
export function connectivity(nv: ArrayLike<number>, shape: readonly number[], nodes: number): Uint32Array {
  if (shape.length !== 2 || (shape[0] !== 3 && shape[1] !== 3)) throw new Error(`nv: expected shape (3, nele) or (nele, 3), got (${shape.join(", ")})`);
  const threeFirst = shape[0] === 3;
  const nele = threeFirst ? (shape[1] ?? 0) : (shape[0] ?? 0);
  let min = Infinity;
  for (let k = 0; k < nv.length; k++) min = Math.min(min, Number(nv[k]));
  const base = min === 0 ? 0 : 1;
  const out = new Uint32Array(nele * 3);
  for (let e = 0; e < nele; e++)
    for (let q = 0; q < 3; q++) {
      const n = Number(nv[threeFirst ? q * nele + e : e * 3 + q]) - base;
      if (!Number.isInteger(n) || n < 0 || n >= nodes) throw new Error(`nv: element ${e} names node ${n + base}, outside 1..${nodes}`);
      out[e * 3 + q] = n;
    }
  return out;
}

/** An unstructured mesh with values on its nodes (interpolated across each triangle). */
export function nodeMesh(lon: ArrayLike<number>, lat: ArrayLike<number>, triangles: Uint32Array): MeshGeometry {
  const n = lon.length;
  const x = unwrapAll(lon);
  const xy = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    xy[i * 2] = x[i] ?? NaN;
    xy[i * 2 + 1] = Number(lat[i]);
  }
  const source = new Uint32Array(n);
  for (let i = 0; i < n; i++) source[i] = i;
  return { kind: "mesh", xy, source, triangles, cells: n, flat: false, bbox: bboxOf(xy) };
}

/** An unstructured mesh with one value per element: each triangle gets its own three vertices. */
export function elementMesh(lon: ArrayLike<number>, lat: ArrayLike<number>, triangles: Uint32Array): MeshGeometry {
  const x = unwrapAll(lon);
  const nele = triangles.length / 3;
  const xy = new Float32Array(nele * 6);
  const source = new Uint32Array(nele * 3);
  const tri = new Uint32Array(nele * 3);
  for (let e = 0; e < nele; e++)
    for (let q = 0; q < 3; q++) {
      const node = triangles[e * 3 + q] ?? 0;
      xy[(e * 3 + q) * 2] = x[node] ?? NaN;
      xy[(e * 3 + q) * 2 + 1] = Number(lat[node]);
      source[e * 3 + q] = e;
      tri[e * 3 + q] = e * 3 + q;
    }
  return { kind: "mesh", xy, source, triangles: tri, cells: nele, flat: true, bbox: bboxOf(xy) };
}

/** Cell edges for monotonic centres: halfway between neighbours, half a step beyond each end. */
export function edgesOf(centres: ArrayLike<number>): Float64Array {
  const n = centres.length;
  const c = (i: number) => Number(centres[i]);
  const out = new Float64Array(n + 1);
  if (n === 1) {
    out[0] = c(0) - 0.5;
    out[1] = c(0) + 0.5;
    return out;
  }
  for (let i = 1; i < n; i++) out[i] = (c(i - 1) + c(i)) / 2;
  out[0] = c(0) - (c(1) - c(0)) / 2;
  out[n] = c(n - 1) + (c(n - 1) - c(n - 2)) / 2;
  return out;
}

function monotonic(a: ArrayLike<number>): boolean {
  if (a.length < 2) return true;
  const up = Number(a[1]) > Number(a[0]);
  for (let i = 1; i < a.length; i++) {
    const d = Number(a[i]) - Number(a[i - 1]);
    if (!(up ? d > 0 : d < 0)) return false;
  }
  return true;
}

/** A regular grid from its 1-D axes (values row-major (lat, lon)). Longitudes are unwrapped to increase continuously. */
export function imageGrid(lonAxis: ArrayLike<number>, latAxis: ArrayLike<number>, mask?: ArrayLike<number>): ImageGeometry {
  const lon = Float64Array.from(lonAxis, Number);
  // Unwrap along the axis: each step is the shortest way round (0..360 and -180..180 both continue).
  for (let i = 1; i < lon.length; i++) lon[i] = unwrapLon(lon[i] ?? NaN, lon[i - 1] ?? NaN);
  if (!monotonic(lon)) throw new Error("regular grid: longitude axis is not monotonic");
  if (!monotonic(latAxis)) throw new Error("regular grid: latitude axis is not monotonic");
  const lonEdges = edgesOf(lon);
  const latEdges = edgesOf(latAxis);
  const nx = lon.length;
  const ny = latAxis.length;
  let wet: Uint8Array | undefined;
  if (mask !== undefined) {
    if (mask.length !== nx * ny) throw new Error(`regular grid: mask has ${mask.length} values, expected ${ny} x ${nx}`);
    wet = Uint8Array.from(mask, (m) => (Number(m) === 0 || Number.isNaN(Number(m)) ? 0 : 1));
  }
  const xs = [lonEdges[0] ?? 0, lonEdges[nx] ?? 0];
  const ys = [latEdges[0] ?? 0, latEdges[ny] ?? 0];
  return { kind: "image", nx, ny, lonEdges, latEdges, ...(wet !== undefined ? { wet } : {}), cells: nx * ny, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] };
}

/**
 * The 1-D axes of a 2-D lon/lat pair when the grid is rectilinear (longitude varies along x only,
 * latitude along y only, as RTOFS' Mercator part); undefined for a truly curvilinear grid.
 */
export function rectilinearAxes(lon: ArrayLike<number>, lat: ArrayLike<number>, ny: number, nx: number): { lon: Float64Array; lat: Float64Array } | undefined {
  const tol = 1e-6;
  const lonAxis = new Float64Array(nx);
  const latAxis = new Float64Array(ny);
  for (let i = 0; i < nx; i++) lonAxis[i] = Number(lon[i]);
  for (let j = 0; j < ny; j++) latAxis[j] = Number(lat[j * nx]);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const a = Number(lon[j * nx + i]);
      const b = Number(lat[j * nx + i]);
      if (!(Math.abs(a - (lonAxis[i] ?? NaN)) <= tol) || !(Math.abs(b - (latAxis[j] ?? NaN)) <= tol)) return undefined;
    }
  return monotonic(Array.from(lonAxis, (x, i) => (i === 0 ? x : unwrapLon(x, lonAxis[i - 1] ?? x)))) && monotonic(latAxis) ? { lon: lonAxis, lat: latAxis } : undefined;
}

/** Per-vertex values of a mesh for one field (NaN where missing). */
export function vertexValues(mesh: MeshGeometry, field: Float32Array): Float32Array {
  if (field.length !== mesh.cells) throw new Error(`field has ${field.length} values, the grid ${mesh.cells}`);
  const out = new Float32Array(mesh.source.length);
  for (let v = 0; v < out.length; v++) out[v] = field[mesh.source[v] ?? 0] ?? NaN;
  return out;
}

/** The triangles all of whose vertices have a value: missing data leaves a hole, never a smear. */
export function visibleTriangles(mesh: MeshGeometry, values: Float32Array): Uint32Array {
  const t = mesh.triangles;
  const out = new Uint32Array(t.length);
  let n = 0;
  for (let k = 0; k + 2 < t.length; k += 3) {
    const a = t[k] ?? 0;
    const b = t[k + 1] ?? 0;
    const c = t[k + 2] ?? 0;
    if (Number.isNaN(values[a] ?? NaN) || Number.isNaN(values[b] ?? NaN) || Number.isNaN(values[c] ?? NaN)) continue;
    out[n++] = a;
    out[n++] = b;
    out[n++] = c;
  }
  return out.slice(0, n);
}
