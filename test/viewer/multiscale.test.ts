// The viewer's overview choices in node (apps/viewer/src/multiscale.ts): the levels read from a
// root `multiscales` attribute as issue #21 fixes it, the level chosen for a zoom (coarsest with
// cells of at most one pixel), the cells under a view on image and curvilinear grids, and the
// chunk-aligned window a zoomed view reads, with its chunk count.
import { describe, expect, it } from "vitest";
import { alignLon, curvilinearMesh, curvilinearQuads, imageGrid, quadsToMesh, unwrapGrid } from "../../apps/viewer/src/mesh.js";
import { valueAt } from "../../apps/viewer/src/pick.js";
import { buildGeometry } from "../../apps/viewer/src/dataset.js";
import type { ZarrDataset } from "../../apps/viewer/src/zarr.js";
import {
  cellPixels,
  cellReach,
  chooseLevel,
  chunkCount,
  alignedWindow,
  parseMultiscales,
  planView,
  variableLevels,
  viewRect,
  visibleBoxOfCentres,
  visibleBoxOfEdges,
  type ArrayCatalog,
  type GridLevel,
} from "../../apps/viewer/src/multiscale.js";
import { fitView, zoomAt } from "../../apps/viewer/src/view.js";

/** The root attributes issue #21 writes for a 4500 x 3298 grid (dims Y, X): four levels of 2 x 2 means. */
function rtofsAttrs(): Record<string, unknown> {
  const layout: Array<Record<string, unknown>> = [{ asset: ".", transform: { scale: [1.0, 1.0] }, "dmac:shape": { Y: 3298, X: 4500 } }];
  for (let k = 1; k <= 4; k++)
    layout.push({
      asset: `overviews/${k}`,
      derived_from: k === 1 ? "." : `overviews/${k - 1}`,
      transform: { scale: [2.0, 2.0], translation: [0.0, 0.0] },
      "dmac:shape": { Y: Math.ceil(3298 / 2 ** k), X: Math.ceil(4500 / 2 ** k) },
    });
  return {
    zarr_conventions: [{ uuid: "d35379db-88df-4056-af3a-620245f8e347", name: "multiscales" }],
    // Listed out of order on purpose: the viewer sorts by the scales along derived_from.
    multiscales: { resampling_method: "mean", layout: [layout[2], layout[0], layout[4], layout[1], layout[3]] },
  };
}

/** A store's arrays as the level choice sees them: `ssh` (MT, Y, X) and 2-D Longitude/Latitude at each level. */
function catalog(levels: number, chunk = 512): ArrayCatalog {
  const arrays = new Map<string, { dims: string[]; shape: number[]; chunks: number[] }>();
  for (let k = 0; k <= levels; k++) {
    const p = k === 0 ? "" : `overviews/${k}/`;
    const ny = Math.ceil(3298 / 2 ** k);
    const nx = Math.ceil(4500 / 2 ** k);
    arrays.set(`${p}ssh`, { dims: ["MT", "Y", "X"], shape: [3, ny, nx], chunks: [1, Math.min(chunk, ny), Math.min(chunk, nx)] });
    for (const c of ["Longitude", "Latitude"]) arrays.set(`${p}${c}`, { dims: ["Y", "X"], shape: [ny, nx], chunks: [Math.min(chunk, ny), Math.min(chunk, nx)] });
  }
  const get = (n: string) => {
    const a = arrays.get(n);
    if (a === undefined) throw new Error(`no ${n}`);
    return a;
  };
  return { has: (n) => arrays.has(n), dims: (n) => get(n).dims, meta: (n) => get(n) };
}

describe("multiscales layout", () => {
  it("levels finest first, with the scales multiplied along derived_from and each level's shape", () => {
    const levels = parseMultiscales(rtofsAttrs());
    expect(levels.map((l) => l.path)).toEqual(["", "overviews/1", "overviews/2", "overviews/3", "overviews/4"]);
    expect(levels.map((l) => l.factor)).toEqual([[1, 1], [2, 2], [4, 4], [8, 8], [16, 16]]);
    expect(levels[2]?.shape).toEqual({ Y: 825, X: 1125 });
    expect(levels.every((l) => l.method === "mean")).toBe(true);
  });
  it("no attribute: no levels; a mesh level keeps its own resampling method", () => {
    expect(parseMultiscales({ title: "x" })).toEqual([]);
    const mesh = parseMultiscales({
      multiscales: {
        resampling_method: "mean",
        layout: [
          { asset: ".", "dmac:shape": { node: 60000, nele: 110000 } },
          { asset: "overviews/1", derived_from: ".", resampling_method: "vertex-cluster", transform: { scale: [2.0, 2.0] }, "dmac:shape": { node: 15000, nele: 27000 } },
        ],
      },
    });
    expect(mesh.map((l) => [l.path, l.method, l.shape["node"]])).toEqual([
      ["", "mean", 60000],
      ["overviews/1", "vertex-cluster", 15000],
    ]);
  });
  it("malformed layouts are refused naming the entry and field", () => {
    expect(() => parseMultiscales({ multiscales: {} })).toThrow(/multiscales.layout: expected an array/);
    expect(() => parseMultiscales({ multiscales: { layout: [{ asset: "../x" }] } })).toThrow(/multiscales.layout\[0\].asset/);
    expect(() => parseMultiscales({ multiscales: { layout: [{ asset: ".", transform: { scale: [0.5, 1] } }] } })).toThrow(/layout\[0\].transform.scale/);
    expect(() => parseMultiscales({ multiscales: { layout: [{ asset: ".", "dmac:shape": { X: -1 } }] } })).toThrow(/layout\[0\].dmac:shape.X/);
    expect(() => parseMultiscales({ multiscales: { layout: [{ asset: "a", derived_from: "b" }] } })).toThrow(/derived_from names "b"/);
    expect(() => parseMultiscales({ multiscales: { layout: [{ asset: "a", derived_from: "b" }, { asset: "b", derived_from: "a" }] } })).toThrow(/loops/);
  });
  it("a variable's levels: sizes and chunks along the grid's axes; a level without the variable or its coordinates is left out", () => {
    const levels = parseMultiscales(rtofsAttrs());
    const all = variableLevels(levels, catalog(4), "ssh", ["Y", "X"], ["Longitude", "Latitude"]);
    expect(all.map((l) => [l.path, ...l.size, ...l.chunks])).toEqual([
      ["", 3298, 4500, 512, 512],
      ["overviews/1", 1649, 2250, 512, 512],
      ["overviews/2", 825, 1125, 512, 512],
      ["overviews/3", 413, 563, 413, 512],
      ["overviews/4", 207, 282, 207, 282],
    ]);
    // Levels 3 and 4 missing from the store: only 0..2 are usable.
    expect(variableLevels(levels, catalog(2), "ssh", ["Y", "X"], ["Longitude", "Latitude"]).map((l) => l.path)).toEqual(["", "overviews/1", "overviews/2"]);
    // A variable on another grid (dims the layout does not name): level 0 only.
    expect(variableLevels(levels, catalog(4), "ssh", ["Y", "X"], ["Longitude", "nope"])).toEqual([]);
    expect(variableLevels([], catalog(0), "ssh", ["Y", "X"], ["Longitude", "Latitude"]).map((l) => l.path)).toEqual([""]);
  });
});

describe("level choice", () => {
  const sizes = [[3298, 4500], [1649, 2250], [825, 1125], [413, 563], [207, 282]];
  it("the coarsest level whose cells are at most one pixel", () => {
    // The whole field across 900 x 660 pixels: level 2 (0.8 pixels per cell); level 3 would be 1.6.
    expect(chooseLevel(sizes, [900, 660])).toBe(2);
    expect(cellPixels(sizes[2] ?? [], [900, 660])).toBeCloseTo(0.8, 6);
    // Twice the zoom: level 1; four times: level 0; beyond: still level 0 (the finest there is).
    expect(chooseLevel(sizes, [1800, 1320])).toBe(1);
    expect(chooseLevel(sizes, [3600, 2640])).toBe(0);
    expect(chooseLevel(sizes, [90000, 66000])).toBe(0);
    // A thumbnail: the coarsest.
    expect(chooseLevel(sizes, [100, 70])).toBe(4);
    // Without overviews there is nothing to choose.
    expect(chooseLevel([[3298, 4500]], [900, 660])).toBe(0);
  });
  it("a mesh level is judged by the mean spacing of its nodes", () => {
    expect(cellPixels([10000], [1000, 1000])).toBe(10);
    expect(chooseLevel([[4_000_000], [1_000_000], [250_000]], [1000, 1000])).toBe(1);
  });
});

describe("visible cells and chunk windows", () => {
  it("an image grid: the cells a rectangle meets, on ascending and descending axes", () => {
    const edges = Float64Array.from({ length: 11 }, (_, k) => k);
    expect(visibleBoxOfEdges(edges, edges, [2.5, 3.5, 4.5, 7.2])).toEqual({ j0: 3, j1: 8, i0: 2, i1: 5 });
    expect(visibleBoxOfEdges(edges, edges.slice().reverse(), [2.5, 3.5, 4.5, 7.2])).toEqual({ j0: 2, j1: 7, i0: 2, i1: 5 });
    expect(visibleBoxOfEdges(edges, edges, [20, 20, 30, 30])).toBeUndefined();
  });
  it("a rotated curvilinear grid: every cell whose centre is within a cell's reach of the rectangle", () => {
    const ny = 40;
    const nx = 50;
    const lon = new Float64Array(ny * nx);
    const lat = new Float64Array(ny * nx);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        lon[j * nx + i] = 0.1 * i * Math.cos(0.5) - 0.1 * j * Math.sin(0.5);
        lat[j * nx + i] = 0.1 * i * Math.sin(0.5) + 0.1 * j * Math.cos(0.5);
      }
    const rect: [number, number, number, number] = [1, 1, 1.5, 1.5];
    const box = visibleBoxOfCentres(lon, lat, ny, nx, rect);
    expect(box).toBeDefined();
    const b = box ?? { j0: 0, j1: 0, i0: 0, i1: 0 };
    // Every cell centre inside the rectangle is in the box, and the box is far smaller than the grid.
    for (let c = 0; c < ny * nx; c++) {
      const [x, y] = [lon[c] ?? 0, lat[c] ?? 0];
      if (x >= 1 && x <= 1.5 && y >= 1 && y <= 1.5) {
        const [j, i] = [Math.floor(c / nx), c % nx];
        expect(j >= b.j0 && j < b.j1 && i >= b.i0 && i < b.i1, `cell ${j},${i}`).toBe(true);
      }
    }
    expect((b.j1 - b.j0) * (b.i1 - b.i0)).toBeLessThan((ny * nx) / 4);
    expect(visibleBoxOfCentres(lon, lat, ny, nx, [50, 50, 51, 51])).toBeUndefined();
    // One odd column (a seam's averaged longitudes, 180 degrees off) does not widen the window to the grid.
    const odd = lon.slice();
    for (let j = 0; j < ny; j++) odd[j * nx + 25] = (odd[j * nx + 25] ?? 0) + 180;
    expect(cellReach(odd, lat, ny, nx)).toBeLessThan(1);
    const b2 = visibleBoxOfCentres(odd, lat, ny, nx, rect) ?? { j0: 0, j1: 0, i0: 0, i1: 0 };
    expect((b2.j1 - b2.j0) * (b2.i1 - b2.i0)).toBeLessThan((ny * nx) / 4);
  });
  it("a coarse level's box becomes the finer level's rows and columns, widened to whole blocks (here chunks)", () => {
    // Level-4 cells 10..12 x 20..24 at level 0 (ratio 16): rows 160..192, columns 320..384 -> chunk 0 of 512.
    expect(alignedWindow({ j0: 10, j1: 12, i0: 20, i1: 24 }, [16, 16], [3298, 4500], [512, 512])).toEqual({ j0: 0, j1: 512, i0: 0, i1: 512 });
    // Straddling a chunk edge: two chunks along x.
    const w = alignedWindow({ j0: 40, j1: 48, i0: 30, i1: 34 }, [16, 16], [3298, 4500], [512, 512]);
    expect(w).toEqual({ j0: 512, j1: 1024, i0: 0, i1: 1024 });
    expect(chunkCount(w, [512, 512])).toBe(2);
    // Clipped at the grid's edge.
    const edge = alignedWindow({ j0: 200, j1: 207, i0: 270, i1: 282 }, [16, 16], [3298, 4500], [512, 512]);
    expect(edge).toEqual({ j0: 3072, j1: 3298, i0: 4096, i1: 4500 });
    expect(chunkCount(edge, [512, 512])).toBe(1);
    expect(chunkCount({ j0: 0, j1: 3298, i0: 0, i1: 4500 }, [512, 512])).toBe(63);
    expect(chunkCount({ j0: 5, j1: 5, i0: 0, i1: 10 }, [512, 512])).toBe(0);
  });
});

describe("plans for views", () => {
  // The coarsest level (282 x 207) as an image over 0..360 x -78..78: the index the plan searches.
  const levels = variableLevels(parseMultiscales(rtofsAttrs()), catalog(4), "ssh", ["Y", "X"], ["Longitude", "Latitude"]);
  const lon = Float64Array.from({ length: 282 }, (_, i) => 74 + (i + 0.5) * (360 / 282));
  const lat = Float64Array.from({ length: 207 }, (_, j) => -78 + (j + 0.5) * (156 / 207));
  const index = imageGrid(lon, lat);
  const visible = (rect: [number, number, number, number]) => visibleBoxOfEdges(index.lonEdges, index.latEdges, rect);
  const plan = (view: ReturnType<typeof fitView>) => planView(levels, levels.length - 1, index.bbox, view, visible);
  it("the whole domain on a 1000 x 640 canvas: overview 2, all of it (6 chunks), never the full resolution", () => {
    const view = fitView(index.bbox, 1000, 640);
    const p = plan(view);
    expect(p.level).toBe(2);
    expect(p.path).toBe("overviews/2");
    expect(p.window).toEqual({ j0: 0, j1: 825, i0: 0, i1: 1125 });
    expect(p.chunks).toBe(6);
  });
  it("zoomed in 8x: full resolution, only the chunks under the view", () => {
    let view = fitView(index.bbox, 1000, 640);
    view = zoomAt(view, 500, 320, 8);
    const p = plan(view);
    expect(p.level).toBe(0);
    expect(p.chunks).toBeGreaterThan(0);
    expect(p.chunks).toBeLessThanOrEqual(9);
    const rect = viewRect(view);
    // The window covers the view: its first and last columns' longitudes bracket the view's.
    const w = p.window ?? { j0: 0, j1: 0, i0: 0, i1: 0 };
    expect(74 + (w.i0 * 360) / 4500).toBeLessThanOrEqual(rect[0]);
    expect(74 + (w.i1 * 360) / 4500).toBeGreaterThanOrEqual(rect[2]);
    // ... and is not much wider: a coarsest-level cell (16) and an alignment block (64) each side at most.
    expect(w.i1 - w.i0).toBeLessThanOrEqual((rect[2] - rect[0]) / (360 / 4500) + 2 * (16 + 64));
  });
  it("a window touching every chunk is the whole level (a one-chunk grid is always drawn whole)", () => {
    const one: GridLevel[] = [{ path: "", factor: [1, 1], size: [291, 332], chunks: [291, 332] }];
    const edges = (n: number) => Float64Array.from({ length: n + 1 }, (_, k) => k * 0.01);
    const g = { lonEdges: edges(332), latEdges: edges(291) };
    const vis = (rect: [number, number, number, number]) => visibleBoxOfEdges(g.lonEdges, g.latEdges, rect);
    const bbox: [number, number, number, number] = [0, 0, 3.32, 2.91];
    const zoomed = zoomAt(fitView(bbox, 800, 600), 400, 300, 16);
    const p = planView(one, 0, bbox, zoomed, vis);
    expect([p.window, p.chunks]).toEqual([{ j0: 0, j1: 291, i0: 0, i1: 332 }, 1]);
  });
  it("a mesh plan is its whole level", () => {
    const mesh: GridLevel[] = [
      { path: "", factor: [1, 1], size: [1_000_000], chunks: [1_000_000] },
      { path: "overviews/1", factor: [2, 2], size: [250_000], chunks: [250_000] },
    ];
    const p = planView(mesh, 1, [0, 0, 10, 10], fitView([0, 0, 10, 10], 400, 400), () => undefined);
    expect([p.level, p.path, p.window, p.chunks]).toEqual([1, "overviews/1", undefined, 1]);
  });
});

describe("longitude frames", () => {
  it("a window read on its own is moved by whole turns into the whole grid's frame", () => {
    const g = imageGrid([-179.5, -178.5], [0.5, 1.5]);
    const moved = alignLon(g, 170);
    expect(moved.bbox[0]).toBeCloseTo(180, 9);
    expect(moved.kind === "image" ? Array.from(moved.lonEdges) : []).toEqual([180, 181, 182]);
    expect(alignLon(g, -170)).toBe(g);
    const m = curvilinearMesh([-179.5, -178.5, -179.5, -178.5], [0, 0, 1, 1], 2, 2);
    const mm = alignLon(m, 175);
    expect(mm.kind === "mesh" ? Math.min(...Array.from(mm.xy).filter((_, k) => k % 2 === 0)) : 0).toBeCloseTo(180, 4);
  });
});

describe("global curvilinear grids", () => {
  it("longitudes run on from neighbour to neighbour past 360 (RTOFS 74..434 written as 74..360, 0..74): no seam in the middle", () => {
    const nx = 10;
    const ny = 3;
    const raw = Array.from({ length: ny * nx }, (_, c) => (74 + 36 * (c % nx) + 0.5 * Math.floor(c / nx)) % 360);
    const lon = unwrapGrid(raw, ny, nx);
    for (let j = 0; j < ny; j++) for (let i = 1; i < nx; i++) expect((lon[j * nx + i] ?? 0) - (lon[j * nx + i - 1] ?? 0)).toBeCloseTo(36, 9);
    const lat = Array.from({ length: ny * nx }, (_, c) => Math.floor(c / nx));
    const m = curvilinearMesh(raw, lat, ny, nx);
    // Every cell drawn (none dropped as spanning the seam), and one continuous box.
    expect(m.triangles.length / 6).toBe(ny * nx);
    expect(m.bbox[2] - m.bbox[0]).toBeGreaterThanOrEqual(360);
    expect(m.bbox[2] - m.bbox[0]).toBeLessThan(362);
  });
});

describe("quad grids (curvilinear drawn as a texture)", () => {
  it("corners, drawn cells and the value under a point; their triangles are the triangle mesh's", () => {
    // 2 x 3 cells 1 degree apart; cell 0 is land.
    const lon = [0, 1, 2, 0, 1, 2];
    const lat = [10, 10, 10, 11, 11, 11];
    const q = curvilinearQuads(lon, lat, 2, 3, [0, 1, 1, 1, 1, 1]);
    expect(q.corners.length).toBe(3 * 4 * 2);
    expect(Array.from(q.corners.slice(0, 4))).toEqual([-0.5, 9.5, 0.5, 9.5]);
    expect(Array.from(q.drawn)).toEqual([0, 1, 1, 1, 1, 1]);
    expect(q.bbox).toEqual([-0.5, 9.5, 2.5, 11.5]);
    const field = new Float32Array([7, 8, 9, 10, 11, 12]);
    expect(valueAt(q, field, 1.1, 10.2)).toBe(8);
    expect(valueAt(q, field, 2.2, 11.3)).toBe(12);
    // Over the land cell: nothing to read out.
    expect(valueAt(q, field, 0.1, 10.1)).toBeNaN();
    const m = quadsToMesh(q);
    const direct = curvilinearMesh(lon, lat, 2, 3, [0, 1, 1, 1, 1, 1]);
    expect(Array.from(m.xy)).toEqual(Array.from(direct.xy));
    expect(Array.from(m.triangles)).toEqual(Array.from(direct.triangles));
    expect(m.triangles.length / 3).toBe(10);
    const moved = alignLon(q, 360);
    expect(moved.kind === "quads" ? moved.corners[0] : 0).toBe(359.5);
  });
});

describe("mesh levels (vertex-cluster)", () => {
  it("a mesh level is drawn from its own lon, lat and nv", async () => {
    // Level 0: 4 nodes, 2 triangles; overviews/1: 3 nodes, 1 triangle (1-based nv, as FVCOM writes it).
    const arrays: Record<string, { dims: string[]; dtype: string; data: number[] }> = {
      lon: { dims: ["node"], dtype: "<f4", data: [0, 1, 0, 1] },
      lat: { dims: ["node"], dtype: "<f4", data: [0, 0, 1, 1] },
      nv: { dims: ["three", "nele"], dtype: "<i4", data: [1, 2, 2, 4, 3, 3] },
      temp: { dims: ["time", "node"], dtype: "<f4", data: [1, 2, 3, 4] },
      "overviews/1/lon": { dims: ["node"], dtype: "<f4", data: [0, 1, 0.5] },
      "overviews/1/lat": { dims: ["node"], dtype: "<f4", data: [0, 0, 1] },
      "overviews/1/nv": { dims: ["three", "nele"], dtype: "<i4", data: [1, 2, 3] },
      "overviews/1/temp": { dims: ["time", "node"], dtype: "<f4", data: [1.5, 2.5, 3.5] },
    };
    const shapeOf = (n: string): number[] => {
      const a = arrays[n];
      if (a === undefined) throw new Error(`no ${n}`);
      if (a.dims[0] === "three") return [3, a.data.length / 3];
      return a.dims.length === 2 ? [1, a.data.length] : [a.data.length];
    };
    const z: ZarrDataset = {
      url: "mem://mesh",
      rootAttrs: () => ({}),
      has: (n) => arrays[n] !== undefined,
      names: () => Object.keys(arrays),
      meta: (n) => ({ shape: shapeOf(n), chunks: shapeOf(n), dtype: arrays[n]?.dtype ?? "<f4", fill_value: null }),
      attrs: (n) => ({ _ARRAY_DIMENSIONS: arrays[n]?.dims ?? [], ...(n.endsWith("lon") ? { units: "degrees_east" } : n.endsWith("lat") ? { units: "degrees_north" } : {}) }),
      dims: (n) => arrays[n]?.dims ?? [],
      readRaw: async (n) => ({ data: arrays[n]?.data ?? [], shape: shapeOf(n) }),
      read: async (n) => ({ data: Float32Array.from(arrays[n]?.data ?? []), shape: shapeOf(n) }),
    };
    const levels = parseMultiscales({
      multiscales: {
        resampling_method: "mean",
        layout: [
          { asset: ".", "dmac:shape": { node: 4, nele: 2 } },
          { asset: "overviews/1", derived_from: ".", resampling_method: "vertex-cluster", transform: { scale: [2, 2] }, "dmac:shape": { node: 3, nele: 1 } },
        ],
      },
    });
    const grid = { kind: "unstructured" as const, lon: "lon", lat: "lat", dims: ["node"], shape: [4] };
    const gl = variableLevels(levels, z, "temp", grid.dims, [grid.lon, grid.lat]);
    expect(gl.map((l) => [l.path, ...l.size])).toEqual([
      ["", 4],
      ["overviews/1", 3],
    ]);
    const info = { id: "mesh", title: "mesh", grids: [grid], parameters: ["temp"] };
    const g0 = await buildGeometry(grid, info, z, { path: "" });
    const g1 = await buildGeometry(grid, info, z, { path: "overviews/1" });
    expect([g0.kind, g0.cells, g0.kind === "mesh" ? g0.triangles.length / 3 : 0]).toEqual(["mesh", 4, 2]);
    expect([g1.kind, g1.cells, g1.kind === "mesh" ? Array.from(g1.triangles) : []]).toEqual(["mesh", 3, [0, 1, 2]]);
    expect(g1.kind === "mesh" ? Array.from(g1.xy) : []).toEqual([0, 0, 1, 0, 0.5, 1]);
  });
});
