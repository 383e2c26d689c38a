// The viewer's pure parts in node: colour map lookup, CF decoding, triangulation of curvilinear
// grids (masked cells skipped) and FVCOM connectivity, the canvas-2D rasteriser, the view
// transform, the series plot and CoverageJSON parsing.
import { describe, expect, it } from "vitest";
import { colormapLut, colourOf, finiteRange, lutIndex, niceTicks, LUT_SIZE } from "../../apps/viewer/src/colormap.js";
import { decodeValues } from "../../apps/viewer/src/decode.js";
import { cellCorners, connectivity, curvilinearMesh, edgesOf, elementMesh, imageGrid, nodeMesh, rectilinearAxes, unwrapLon, vertexValues, visibleTriangles } from "../../apps/viewer/src/mesh.js";
import { cellIndex, rasterizeImage, rasterizeMesh } from "../../apps/viewer/src/raster.js";
import { fitView, formatLonLat, panBy, toLonLat, toScreen, zoomAt } from "../../apps/viewer/src/view.js";
import { seriesSvg } from "../../apps/viewer/src/series.js";
import { parseSeries } from "../../apps/viewer/src/api.js";
import { drawOverlay, graticuleStep, LEGEND_BAND_CSS_PX, ZOOM_COLUMN_CSS_PX } from "../../apps/viewer/src/overlay.js";
import { valueAt } from "../../apps/viewer/src/pick.js";

describe("colour map", () => {
  it("viridis ends are matplotlib's #440154 and #fde725", () => {
    const lut = colormapLut("viridis");
    expect(Array.from(lut.subarray(0, 4))).toEqual([0x44, 0x01, 0x54, 255]);
    expect(Array.from(lut.subarray((LUT_SIZE - 1) * 4))).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(() => colormapLut("jet")).toThrow(/colour map "jet": unknown/);
  });
  it("maps values to table entries, clamps outside the range, NaN transparent", () => {
    const r = { min: 10, max: 20 };
    expect(lutIndex(10, r)).toBe(0);
    expect(lutIndex(15, r)).toBe(128);
    expect(lutIndex(19.99, r)).toBe(255);
    expect(lutIndex(20, r)).toBe(255);
    expect(lutIndex(-5, r)).toBe(0);
    expect(lutIndex(99, r)).toBe(255);
    expect(lutIndex(NaN, r)).toBe(-1);
    expect(lutIndex(3, { min: 3, max: 3 })).toBe(128);
    const lut = colormapLut("viridis");
    expect(colourOf(NaN, r, lut)).toEqual([0, 0, 0, 0]);
    expect(colourOf(10, r, lut)).toEqual([0x44, 0x01, 0x54, 255]);
  });
  it("finite range skips NaN; ticks are round numbers inside the range", () => {
    expect(finiteRange(new Float32Array([NaN, 2, -1, NaN, 5]))).toEqual({ min: -1, max: 5 });
    expect(finiteRange(new Float32Array([NaN]))).toBeUndefined();
    expect(niceTicks({ min: 0.0852, max: 0.2152 }, 5)).toEqual([0.1, 0.15, 0.2]);
    expect(niceTicks({ min: -1, max: 1 }, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe("CF decoding", () => {
  it("applies fill_value, _FillValue and missing_value in the packed type, then scale_factor and add_offset", () => {
    const raw = new Int16Array([-32767, 0, 1000, -999, 5]);
    const out = decodeValues(raw, { shape: [5], chunks: [5], dtype: "<i2", fill_value: -32767 }, { scale_factor: 0.001, add_offset: 20, missing_value: -999 });
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBeCloseTo(20, 6);
    expect(out[2]).toBeCloseTo(21, 6);
    expect(Number.isNaN(out[3])).toBe(true);
    expect(out[4]).toBeCloseTo(20.005, 5);
  });
  it("float32 fill values compare in float32 (1e37 as ROMS writes it); NaN fill_value and BigInt data", () => {
    const f = new Float32Array([1e37, 1.5, NaN]);
    const out = decodeValues(f, { shape: [3], chunks: [3], dtype: "<f4", fill_value: 9.999999933815813e36 }, {});
    expect([Number.isNaN(out[0]), out[1], Number.isNaN(out[2])]).toEqual([true, 1.5, true]);
    const big = decodeValues(new BigInt64Array([3n, -1n]), { shape: [2], chunks: [2], dtype: "<i8", fill_value: "NaN" }, { _FillValue: [-1] });
    expect([big[0], Number.isNaN(big[1])]).toEqual([3, true]);
    expect(() => decodeValues(f, { shape: [3], chunks: [3], dtype: "<f4", fill_value: null }, { scale_factor: "x" })).toThrow(/scale_factor: expected a number/);
  });
});

describe("meshes", () => {
  // 2 x 3 cells, 1 degree apart; cell (0, 0) is land.
  const lon = [0, 1, 2, 0, 1, 2];
  const lat = [10, 10, 10, 11, 11, 11];
  it("cell corners are halfway between centres, extended past the edges", () => {
    const c = cellCorners(Float64Array.from(lon), Float64Array.from(lat), 2, 3);
    expect(Array.from(c.lon.slice(0, 4))).toEqual([-0.5, 0.5, 1.5, 2.5]);
    expect(Array.from(c.lat.filter((_, k) => k % 4 === 0))).toEqual([9.5, 10.5, 11.5]);
  });
  it("a curvilinear grid gives two triangles per wet cell, none for masked ones", () => {
    const m = curvilinearMesh(lon, lat, 2, 3, [0, 1, 1, 1, 1, 1]);
    expect(m.triangles.length / 3).toBe(10);
    expect(new Set(m.source)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(m.bbox).toEqual([-0.5, 9.5, 2.5, 11.5]);
    const values = vertexValues(m, new Float32Array([1, 2, NaN, 4, 5, 6]));
    // The cell whose value is missing (fill) is left out too.
    expect(visibleTriangles(m, values).length / 3).toBe(8);
    expect(() => curvilinearMesh(lon, lat, 3, 3)).toThrow(/expected 3 x 3 = 9/);
  });
  it("longitudes are unwrapped across the antimeridian", () => {
    expect(unwrapLon(-179, 179)).toBe(181);
    const m = curvilinearMesh([179, -179.5, 179, -179.5], [0, 0, 1, 1], 2, 2);
    expect(m.bbox[2] - m.bbox[0]).toBeCloseTo(3, 6);
  });
  it("FVCOM nv: (3, nele) or (nele, 3), 1-based or 0-based; a node out of range is an error naming nv", () => {
    expect(Array.from(connectivity([1, 2, 2, 3, 4, 4], [3, 2], 4))).toEqual([0, 1, 3, 1, 2, 3]);
    expect(Array.from(connectivity([0, 1, 3, 1, 2, 3], [2, 3], 4))).toEqual([0, 1, 3, 1, 2, 3]);
    expect(() => connectivity([1, 2, 9], [3, 1], 4)).toThrow(/nv: element 0 names node 9, outside 1..4/);
    expect(() => connectivity([1, 2], [2, 1], 4)).toThrow(/nv: expected shape/);
    const tri = connectivity([1, 2, 2, 3, 4, 4], [3, 2], 4);
    const nodes = nodeMesh([0, 1, 1, 0], [0, 0, 1, 1], tri);
    expect([nodes.cells, nodes.flat, nodes.triangles.length]).toEqual([4, false, 6]);
    const elements = elementMesh([0, 1, 1, 0], [0, 0, 1, 1], tri);
    expect([elements.cells, elements.flat, Array.from(elements.source)]).toEqual([2, true, [0, 0, 0, 1, 1, 1]]);
  });
  it("regular grids: edges, cell lookup either way round, rectilinear 2-D detection", () => {
    expect(Array.from(edgesOf([0, 1, 3]))).toEqual([-0.5, 0.5, 2, 4]);
    const up = Float64Array.from([0, 1, 2, 3]);
    const down = Float64Array.from([3, 2, 1, 0]);
    expect([cellIndex(up, 0), cellIndex(up, 2.5), cellIndex(up, 3), cellIndex(up, -0.1)]).toEqual([0, 2, -1, -1]);
    expect([cellIndex(down, 2.9), cellIndex(down, 0.1)]).toEqual([0, 2]);
    const g = imageGrid([358, 0, 2], [1, 0]);
    expect(Array.from(g.lonEdges)).toEqual([357, 359, 361, 363]);
    expect(rectilinearAxes([280, 281, 280, 281], [10, 10, 11, 11], 2, 2)).toBeDefined();
    expect(rectilinearAxes([280, 281, 280.5, 281], [10, 10, 11, 11], 2, 2)).toBeUndefined();
    expect(() => imageGrid([0, 2, 1], [0, 1])).toThrow(/longitude axis is not monotonic/);
  });
});

describe("canvas-2D rasteriser", () => {
  const lut = colormapLut("viridis");
  it("flat cells take the colour map's colour at their centres; masked cells stay transparent", () => {
    const m = curvilinearMesh([0, 1, 0, 1], [0, 0, 1, 1], 2, 2, [1, 1, 0, 1]);
    const view = fitView(m.bbox, 40, 40, 0);
    const values = vertexValues(m, new Float32Array([0, 1, 2, 3]));
    const target = { width: 40, height: 40, data: new Uint8ClampedArray(40 * 40 * 4) };
    const range = { min: 0, max: 3 };
    rasterizeMesh(m, values, visibleTriangles(m, values), view, lut, range, target);
    const at = (lon: number, lat: number) => {
      const [x, y] = toScreen(view, lon, lat).map(Math.floor) as [number, number];
      return Array.from(target.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4));
    };
    expect(at(0, 0)).toEqual(colourOf(0, range, lut));
    expect(at(1, 0)).toEqual(colourOf(1, range, lut));
    expect(at(1, 1)).toEqual(colourOf(3, range, lut));
    expect(at(0, 1)[3]).toBe(0);
  });
  it("node values are interpolated: a triangle's centroid has the mean of its corners", () => {
    const m = nodeMesh([0, 3, 0], [0, 0, 3], Uint32Array.from([0, 1, 2]));
    const view = fitView(m.bbox, 60, 60, 0);
    const target = { width: 60, height: 60, data: new Uint8ClampedArray(60 * 60 * 4) };
    const values = new Float32Array([0, 3, 6]);
    rasterizeMesh(m, values, visibleTriangles(m, values), view, lut, { min: 0, max: 6 }, target);
    const [x, y] = toScreen(view, 1, 1).map(Math.floor) as [number, number];
    const got = Array.from(target.data.subarray((y * 60 + x) * 4, (y * 60 + x) * 4 + 4));
    const near = [-3, -2, -1, 0, 1, 2, 3].map((d) => colourOf(3 + d * (6 / 256), { min: 0, max: 6 }, lut));
    expect(near).toContainEqual(got);
  });
  it("images map every pixel to its cell; masked and NaN cells are transparent", () => {
    const g = imageGrid([0, 1, 2], [0, 1], [1, 1, 1, 0, 1, 1]);
    const view = fitView(g.bbox, 30, 20, 0);
    const target = { width: 30, height: 20, data: new Uint8ClampedArray(30 * 20 * 4) };
    rasterizeImage(g, new Float32Array([0, 1, NaN, 3, 4, 5]), view, lut, { min: 0, max: 5 }, target);
    const at = (lon: number, lat: number) => {
      const [x, y] = toScreen(view, lon, lat).map(Math.floor) as [number, number];
      return Array.from(target.data.subarray((y * 30 + x) * 4, (y * 30 + x) * 4 + 4));
    };
    expect(at(1, 0)).toEqual(colourOf(1, { min: 0, max: 5 }, lut));
    expect(at(2, 1)).toEqual(colourOf(5, { min: 0, max: 5 }, lut));
    expect(at(2, 0)[3]).toBe(0);
    expect(at(0, 1)[3]).toBe(0);
  });
});

describe("value under the pointer", () => {
  it("images: the cell's value (either longitude convention); meshes: the interpolated value of the drawn triangle", () => {
    const g = imageGrid([0, 1, 2], [0, 1], [1, 1, 1, 0, 1, 1]);
    const field = new Float32Array([0, 1, 2, 3, 4, 5]);
    expect(valueAt(g, field, 1.2, 0.1)).toBe(1);
    expect(valueAt(g, field, 2.2 - 360, 0.9)).toBe(5);
    expect(valueAt(g, field, 0, 1)).toBeNaN();
    expect(valueAt(g, field, 5, 0)).toBeNaN();
    const m = nodeMesh([0, 3, 0], [0, 0, 3], Uint32Array.from([0, 1, 2]));
    const values = new Float32Array([0, 3, 6]);
    const pick = { values, visible: visibleTriangles(m, values) };
    expect(valueAt(m, values, 1, 1, pick)).toBeCloseTo(3, 6);
    expect(valueAt(m, values, 3, 3, pick)).toBeNaN();
    const hole = new Float32Array([0, NaN, 6]);
    expect(valueAt(m, hole, 1, 1, { values: hole, visible: visibleTriangles(m, hole) })).toBeNaN();
  });
});

describe("view", () => {
  it("screen and lon/lat round-trip; zoom keeps the point under the pointer; pan follows the drag", () => {
    const v = fitView([-77, 36, -75, 38], 800, 600);
    const [x, y] = toScreen(v, -76.2, 37.3);
    const [lon, lat] = toLonLat(v, x, y);
    expect([lon, lat].map((n) => Number(n.toFixed(9)))).toEqual([-76.2, 37.3]);
    const z = zoomAt(v, 100, 200, 3);
    const before = toLonLat(v, 100, 200);
    const after = toLonLat(z, 100, 200);
    expect(after[0]).toBeCloseTo(before[0], 9);
    expect(after[1]).toBeCloseTo(before[1], 9);
    const p = panBy(v, 30, -10);
    const moved = toScreen(p, -76.2, 37.3);
    expect(moved[0]).toBeCloseTo(x + 30, 9);
    expect(moved[1]).toBeCloseTo(y - 10, 9);
    expect(formatLonLat(283.5, -12.25, 10)).toBe("76.50°W 12.25°S");
    expect(graticuleStep(2)).toBe(0.5);
    expect(graticuleStep(360)).toBe(90);
  });
});

describe("graticule labels", () => {
  /** A 2D context that records text and vertical lines; text is 6 px a character. */
  function recorder() {
    const texts: Array<{ text: string; x: number; y: number; width: number }> = [];
    const verticals: number[] = [];
    let font = 11;
    const ctx = {
      save() {}, restore() {}, clearRect() {}, beginPath() {}, stroke() {}, arc() {}, lineTo() {},
      set font(f: string) { font = Number(/^(\d+(\.\d+)?)px/.exec(f)?.[1] ?? 11); },
      get font() { return `${font}px sans-serif`; },
      moveTo(x: number, y: number) { if (y === 0) verticals.push(x); },
      measureText: (text: string) => ({ width: (text.length * 6 * font) / 11 }),
      fillText(text: string, x: number, y: number) { texts.push({ text, x, y, width: (text.length * 6 * font) / 11 }); },
    };
    return { ctx: ctx as unknown as CanvasRenderingContext2D, texts, verticals };
  }

  it("leaves out a label the zoom buttons or the legend would cover, and keeps the others", () => {
    for (const ratio of [1, 2]) {
      // The sample FVCOM view of the manual check: a grid line falls under the zoom buttons.
      const view = fitView([-90.5, 28.49, -90.44, 28.53], 900 * ratio, 714 * ratio);
      const { ctx, texts, verticals } = recorder();
      drawOverlay(ctx, view, undefined, ratio);
      const lon = texts.filter((t) => /[EW]$/.test(t.text));
      const lat = texts.filter((t) => /[NS]$/.test(t.text));
      expect(verticals.some((x) => x + 3 * ratio + 7 * 6 * ratio > view.width - ZOOM_COLUMN_CSS_PX * ratio), "a line under the zoom column").toBe(true);
      expect(lon.length).toBeGreaterThan(1);
      expect(lon.length).toBeLessThan(verticals.length);
      for (const t of lon) expect(t.x + t.width, t.text).toBeLessThanOrEqual(view.width - ZOOM_COLUMN_CSS_PX * ratio);
      expect(lat.length).toBeGreaterThan(0);
      for (const t of lat) expect(t.y, t.text).toBeLessThanOrEqual(view.height - (LEGEND_BAND_CSS_PX + 13) * ratio);
    }
  });
});

describe("time series", () => {
  const doc = {
    type: "Coverage",
    domain: { type: "Domain", domainType: "PointSeries", axes: { x: { values: [-76.4] }, y: { values: [37.1] }, z: { values: [-0.5] }, t: { values: ["2023-10-22T01:00:00Z", "2023-10-22T02:00:00Z", "2023-10-22T03:00:00Z"] } } },
    parameters: { temp: { type: "Parameter", unit: { label: { en: "Celsius" }, symbol: "Celsius" } } },
    ranges: { temp: { type: "NdArray", values: [15.5, null, 16.25] } },
  };
  it("parses a CoverageJSON PointSeries and a collection; mismatched axes are an error", () => {
    const s = parseSeries(doc, "temp");
    expect(s).toEqual({ parameter: "temp", lon: -76.4, lat: 37.1, z: -0.5, times: [Date.UTC(2023, 9, 22, 1), Date.UTC(2023, 9, 22, 2), Date.UTC(2023, 9, 22, 3)], values: [15.5, null, 16.25], units: "Celsius" });
    expect(parseSeries({ type: "CoverageCollection", coverages: [{ ...doc, ranges: { zeta: doc.ranges.temp } }, doc] }, "temp").values).toEqual([15.5, null, 16.25]);
    expect(() => parseSeries({ ...doc, ranges: { temp: { values: [1] } } }, "temp")).toThrow(/3 times but 1 values/);
  });
  it("the SVG plot has one point per value, breaks the line at gaps, and escapes labels", () => {
    const svg = seriesSvg(parseSeries(doc, "temp"), 360, 220, "a <b> & c");
    expect(svg.match(/<circle class="series-point"/g)).toHaveLength(2);
    expect(svg).toContain('data-v="16.25"');
    expect(svg).toContain(">a &#60;b&#62; &#38; c [Celsius]</tspan>");
    // The position has its own line, so a long name does not push it past the plot's edge.
    expect(svg).toMatch(/<tspan x="4" y="25">at 76\.4000°W 37\.1000°N, z -0\.5<\/tspan>/);
    const d = /class="series-line" d="([^"]+)"/.exec(svg)?.[1] ?? "";
    expect(d.match(/M/g)).toHaveLength(2);
    expect(seriesSvg({ parameter: "x", lon: 0, lat: 0, times: [0], values: [null] })).toContain("no data at this point");
    const s = parseSeries(doc, "temp");
    expect(seriesSvg(s, 360, 220, "t", Date.UTC(2023, 9, 22, 2))).toContain('class="series-now" x1="202.0" x2="202.0"');
    expect(seriesSvg(s, 360, 220, "t", Date.UTC(2023, 9, 23))).not.toContain("series-now");
  });
});
