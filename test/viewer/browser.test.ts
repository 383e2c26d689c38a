// The viewer in Debian's chromium (playwright-core): for ROMS (curvilinear, land mask, packed
// int16), an FVCOM-like planar mesh (unstructured, node and element values), RTOFS (2-D lon/lat in 0..360, drawn as an
// image) and a regular 1-D grid, the colour at each known cell is the colour map applied to the
// value xarray reads there; masked and missing cells are transparent; the next time step changes
// the picture; a click plots the point's EDR series with xarray's values. Both renderers are
// exercised: canvas 2D (?renderer=2d, what a browser without WebGL gets) and the automatic choice
// (WebGL 2 where chromium offers it, SwiftShader under --disable-gpu); WebGL 1 and a browser
// without WebGL are checked too. A 500 x 500 curvilinear field is timed and the time reported
// (not asserted).
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { ingest } from "../../dataplane/index.js";
import { colormapLut, colourOf, lutIndex, LUT_SIZE } from "../../apps/viewer/src/colormap.js";
import { cycleAt, fvcomFile, romsFile, rtofsFile, tempDir } from "../dataplane/fixtures.js";
import { makeRegularStore } from "../data-api/stores.js";
import { forecasts } from "../support/cycle-files.js";
import { ARTIFACTS, fieldDigest, fieldPixel, launchBrowser, makeCurvilinearStore, openViewer, pixelOf, startStack, viewerState, waitReady, type Stack } from "./harness.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const CYCLE = cycleAt("2023-10-22T00:00:00Z");
const VIRIDIS = colormapLut("viridis");

type Dump = Record<string, { dims: string[]; shape: number[]; values: Array<number | null> }>;

async function xarrayValues(store: string, ...names: string[]): Promise<Dump> {
  const { stdout } = await run("/usr/bin/python3", [join(here, "dump_values.py"), store, ...names], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Dump;
}

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let browser: Browser;
const stores = { roms: "", romsV3: "", fvcom: "", mesh: "", rtofs: "", regular: "", big: "" };

beforeAll(async () => {
  tmp = tempDir("dmac-viewer-");
  const src = join(tmp.path, "src");
  for (const k of Object.keys(stores) as Array<keyof typeof stores>) stores[k] = join(tmp.path, `${k}.zarr`);
  const python = Promise.all([makeRegularStore(stores.regular), makeCurvilinearStore(stores.big, 2, 500, 500), run("/usr/bin/python3", [join(here, "make_fvcom.py"), stores.mesh])]);
  await ingest({ store: stores.roms, inputs: forecasts(CYCLE, [1, 2, 3]).map((f) => romsFile(src, f)), concurrency: 0 });
  // The same files as a Zarr v3 store (Dataset storage.format zarr-v3).
  await ingest({ store: stores.romsV3, inputs: forecasts(CYCLE, [1, 2, 3]).map((f) => romsFile(src, f)), format: "zarr-v3", concurrency: 0 });
  await ingest({ store: stores.fvcom, inputs: forecasts(CYCLE, [1, 2, 3]).map((f) => fvcomFile(src, f)), concurrency: 0 });
  await ingest({ store: stores.rtofs, inputs: forecasts(CYCLE, [1, 2]).map((f) => rtofsFile(src, f)), concurrency: 0 });
  await python;
  stack = await startStack([
    { id: "cbofs", url: stores.roms },
    { id: "cbofs-v3", url: stores.romsV3 },
    { id: "ngofs2", url: stores.fvcom },
    { id: "mesh", url: stores.mesh },
    { id: "rtofs", url: stores.rtofs },
    { id: "regular", url: stores.regular },
    { id: "big", url: stores.big },
  ]);
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  tmp?.cleanup();
});

/** The page's colour equals the colour map's for `value` (WebGL may land one table entry off at a bin edge). */
function expectColour(actual: number[], value: number, range: { min: number; max: number }, webgl: boolean, where: string): void {
  const i = lutIndex(value, range);
  const candidates = (webgl ? [i - 1, i, i + 1] : [i]).filter((k) => k >= 0 && k < LUT_SIZE).map((k) => Array.from(VIRIDIS.subarray(k * 4, k * 4 + 4)));
  const ok = candidates.some((c) => c.every((x, n) => Math.abs(x - (actual[n] ?? -1)) <= (webgl ? 1 : 0)));
  expect(ok, `${where}: pixel ${actual.join(",")} for value ${value} (expected ${colourOf(value, range, VIRIDIS).join(",")})`).toBe(true);
}

/** Clicks the map at canvas pixel (x, y). */
async function clickAt(page: Page, x: number, y: number): Promise<void> {
  const box = await page.locator("#overlay").boundingBox();
  if (box === null) throw new Error("no map overlay");
  const ratio = await page.evaluate(() => window.devicePixelRatio || 1);
  await page.mouse.click(box.x + x / ratio, box.y + y / ratio);
}

async function seriesPoints(page: Page): Promise<Array<{ t: string; v: number }>> {
  await page.waitForSelector("#series[data-state=ready], #series[data-state=error]", { timeout: 30_000 });
  const state = await page.getAttribute("#series", "data-state");
  if (state !== "ready") throw new Error(`series: ${await page.textContent("#series")}`);
  return page.$$eval("#series circle.series-point", (cs) => cs.map((c) => ({ t: c.getAttribute("data-t") ?? "", v: Number(c.getAttribute("data-v")) })));
}

async function nextStep(page: Page): Promise<void> {
  const before = (await viewerState(page)).renders;
  await page.click("#time-next");
  await waitReady(page, before);
}

describe("Zarr v3", () => {
  it("a v3 store is drawn as its v2 twin: every wet cell in xarray's colour, land transparent, each time step the same picture", async () => {
    const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho", "mask_rho");
    const v2 = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" });
    const v3 = await openViewer(browser, stack.viewer.url, { dataset: "cbofs-v3", variable: "zeta", renderer: "2d" });
    const state = await viewerState(v3.page);
    expect(state.range).toEqual((await viewerState(v2.page)).range);
    const lon = ref["lon_rho"]?.values ?? [];
    const lat = ref["lat_rho"]?.values ?? [];
    const mask = ref["mask_rho"]?.values ?? [];
    const zeta = ref["zeta"]?.values ?? [];
    for (let t = 0; t < 3; t++) {
      expect(await fieldDigest(v3.page), `t=${t}`).toBe(await fieldDigest(v2.page));
      for (let c = 0; c < 35; c++) {
        const pixel = await fieldPixel(v3.page, ...(await pixelOf(v3.page, lon[c] ?? NaN, lat[c] ?? NaN)));
        if (mask[c] === 0) expect(pixel[3], `land cell ${c}`).toBe(0);
        else expectColour(pixel, zeta[t * 35 + c] as number, state.range, false, `v3 zeta t=${t} cell ${c}`);
      }
      if (t < 2) {
        await nextStep(v2.page);
        await nextStep(v3.page);
      }
    }
    expect(v3.problems).toEqual([]);
    expect(v3.foreign).toEqual([]);
    await v2.page.close();
    await v3.page.close();
  });
});

for (const renderer of ["2d", "auto"] as const) {
  describe(`renderer ${renderer}`, () => {
    const opts: Record<string, string> = renderer === "2d" ? { renderer: "2d" } : {};
    it("ROMS: cell colours follow the colour map, land is transparent, time steps change the picture, a click plots the series", async () => {
      const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho", "mask_rho");
      const { page, problems, foreign } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", ...opts });
      const state = await viewerState(page);
      const webgl = state.renderer === "webgl";
      console.log(`viewer renderer (${renderer}): ${state.renderer} - ${state.rendererNote}`);
      if (renderer === "2d") expect(state.renderer).toBe("canvas2d");
      const [ny, nx] = [5, 7];
      const lon = ref["lon_rho"]?.values ?? [];
      const lat = ref["lat_rho"]?.values ?? [];
      const mask = ref["mask_rho"]?.values ?? [];
      const zeta = ref["zeta"]?.values ?? [];
      expect(zeta).toHaveLength(3 * ny * nx);
      const checkStep = async (t: number) => {
        let wet = 0;
        let land = 0;
        for (let c = 0; c < ny * nx; c++) {
          const [x, y] = await pixelOf(page, lon[c] ?? NaN, lat[c] ?? NaN);
          const pixel = await fieldPixel(page, x, y);
          const value = zeta[t * ny * nx + c];
          if (mask[c] === 0) {
            expect(pixel[3], `land cell ${c} is transparent`).toBe(0);
            land++;
          } else {
            expectColour(pixel, value as number, state.range, webgl, `zeta t=${t} cell ${c}`);
            wet++;
          }
        }
        expect([wet, land]).toEqual([33, 2]);
      };
      await checkStep(0);
      const first = await fieldDigest(page);
      await nextStep(page);
      expect((await viewerState(page)).timeIndex).toBe(1);
      expect(await fieldDigest(page)).not.toBe(first);
      // The range stays put across time steps, so colours compare between steps.
      expect((await viewerState(page)).range).toEqual(state.range);
      await checkStep(1);

      const cell = 3 * nx + 4;
      await clickAt(page, ...(await pixelOf(page, lon[cell] ?? NaN, lat[cell] ?? NaN)));
      const points = await seriesPoints(page);
      expect(points.map((p) => p.v)).toHaveLength(3);
      points.forEach((p, t) => expect(p.v).toBeCloseTo(zeta[t * ny * nx + cell] as number, 5));
      expect(points.map((p) => p.t)).toEqual(["2023-10-22T01:00:00.000Z", "2023-10-22T02:00:00.000Z", "2023-10-22T03:00:00.000Z"]);
      // The plot marks the time step on the map, and follows it.
      expect(await page.getAttribute("#series line.series-now", "data-t")).toBe("2023-10-22T02:00:00.000Z");
      await nextStep(page);
      expect(await page.getAttribute("#series line.series-now", "data-t")).toBe("2023-10-22T03:00:00.000Z");
      await page.screenshot({ path: join(ARTIFACTS, `roms-zeta-${renderer}.png`) });
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    });

    it("ROMS: packed int16 salinity on a level is unpacked (scale_factor, add_offset, _FillValue)", async () => {
      const ref = await xarrayValues(stores.roms, "salt", "lon_rho", "lat_rho");
      const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "salt", level: "2", ...opts });
      const state = await viewerState(page);
      expect(state.levelIndex).toBe(2);
      const salt = ref["salt"]?.values ?? [];
      const n = 35;
      // Level 2 of time 0; xarray gives about 30.2, the packed integers are about 10200.
      for (let c = 0; c < n; c++) {
        const value = salt[2 * n + c];
        const [x, y] = await pixelOf(page, ref["lon_rho"]?.values[c] ?? NaN, ref["lat_rho"]?.values[c] ?? NaN);
        const pixel = await fieldPixel(page, x, y);
        if (value === null || value === undefined) expect(pixel[3]).toBe(0);
        else expectColour(pixel, value, state.range, state.renderer === "webgl", `salt cell ${c}`);
      }
      expect(state.range.min).toBeGreaterThan(29);
      expect(state.range.max).toBeLessThan(31);
      expect(problems).toEqual([]);
      await page.close();
    });

    it("FVCOM: element values colour whole triangles, node values are interpolated, the series is the node's", async () => {
      const ref = await xarrayValues(stores.mesh, "u", "zeta", "lon", "lat", "nv");
      const nele = 18;
      const nodes = 16;
      const nv = (ref["nv"]?.values ?? []).map((v) => (v as number) - 1);
      expect(nv).toHaveLength(3 * nele);
      const node = (e: number, q: number) => nv[q * nele + e] ?? 0;
      const lon = ref["lon"]?.values as number[];
      const lat = ref["lat"]?.values as number[];
      const centroid = (e: number): [number, number] => [0, 1, 2].reduce<[number, number]>((a, q) => [a[0] + (lon[node(e, q)] ?? 0) / 3, a[1] + (lat[node(e, q)] ?? 0) / 3], [0, 0]);

      const u = await openViewer(browser, stack.viewer.url, { dataset: "mesh", variable: "u", ...opts });
      const su = await viewerState(u.page);
      for (let e = 0; e < nele; e++) {
        const [x, y] = await pixelOf(u.page, ...centroid(e));
        expectColour(await fieldPixel(u.page, x, y), ref["u"]?.values[e] as number, su.range, su.renderer === "webgl", `u element ${e}`);
      }
      await u.page.screenshot({ path: join(ARTIFACTS, `fvcom-u-${renderer}.png`) });
      expect(u.problems).toEqual([]);
      await u.page.close();

      const z = await openViewer(browser, stack.viewer.url, { dataset: "mesh", variable: "zeta", ...opts });
      const sz = await viewerState(z.page);
      const zeta = ref["zeta"]?.values as number[];
      for (let e = 0; e < nele; e++) {
        // At the centroid the interpolated value is the mean of the three nodes' values.
        const mean = [0, 1, 2].reduce((a, q) => a + (zeta[node(e, q)] ?? 0) / 3, 0);
        const [x, y] = await pixelOf(z.page, ...centroid(e));
        const pixel = await fieldPixel(z.page, x, y);
        const near = [-2, -1, 0, 1, 2].some((d) => {
          const k = lutIndex(mean, sz.range) + d;
          return k >= 0 && k < LUT_SIZE && [0, 1, 2].every((n) => Math.abs((VIRIDIS[k * 4 + n] ?? 0) - (pixel[n] ?? 0)) <= 1);
        });
        expect(near, `zeta element ${e}: pixel ${pixel.join(",")} for mean ${mean}`).toBe(true);
      }
      const [x, y] = await pixelOf(z.page, lon[5] ?? NaN, lat[5] ?? NaN);
      await clickAt(z.page, x, y);
      const points = await seriesPoints(z.page);
      expect(points).toHaveLength(3);
      points.forEach((p, t) => expect(p.v).toBeCloseTo(zeta[t * nodes + 5] ?? NaN, 5));
      expect(z.problems).toEqual([]);
      await z.page.close();

      // The ingest pipeline's NGOFS2 store (NetCDF-3 classic in, FVCOM layers) draws too.
      const g = await openViewer(browser, stack.viewer.url, { dataset: "ngofs2", variable: "u", level: "1", ...opts });
      expect(await g.page.textContent("#status")).toMatch(/ngofs2 u: 6 cells as triangles/);
      expect(g.problems).toEqual([]);
      await g.page.close();
    });

    it("RTOFS (2-D lon/lat in 0..360) and a regular 1-D grid are drawn as images with missing cells transparent", async () => {
      const ref = await xarrayValues(stores.rtofs, "ssh", "Longitude", "Latitude");
      const r = await openViewer(browser, stack.viewer.url, { dataset: "rtofs", variable: "ssh", ...opts });
      expect(await r.page.textContent("#status")).toContain("as an image");
      const sr = await viewerState(r.page);
      for (let c = 0; c < 24; c++) {
        const [x, y] = await pixelOf(r.page, ref["Longitude"]?.values[c] ?? NaN, ref["Latitude"]?.values[c] ?? NaN);
        const pixel = await fieldPixel(r.page, x, y);
        const v = ref["ssh"]?.values[c];
        if (v === null || v === undefined) expect(pixel[3], `rtofs cell ${c} missing`).toBe(0);
        else expectColour(pixel, v, sr.range, sr.renderer === "webgl", `rtofs cell ${c}`);
      }
      expect(ref["ssh"]?.values.slice(0, 24).filter((v) => v === null)).toHaveLength(2);
      expect(r.problems).toEqual([]);
      await r.page.close();

      const g = await xarrayValues(stores.regular, "sst", "lon", "lat");
      const p = await openViewer(browser, stack.viewer.url, { dataset: "regular", variable: "sst", ...opts });
      const sp = await viewerState(p.page);
      const lons = g["lon"]?.values as number[];
      const lats = g["lat"]?.values as number[];
      // A band of cells in the middle of the globe view, including row 0's missing cells.
      for (const j of [0, 5, 10])
        for (const i of [0, 7, 14, 90, 91, 179]) {
          const [x, y] = await pixelOf(p.page, lons[i] ?? NaN, lats[j] ?? NaN);
          const pixel = await fieldPixel(p.page, x, y);
          const v = g["sst"]?.values[j * 180 + i];
          if (v === null || v === undefined) expect(pixel[3], `regular (${j}, ${i}) missing`).toBe(0);
          else expectColour(pixel, v, sp.range, sp.renderer === "webgl", `regular (${j}, ${i})`);
        }
      await p.page.screenshot({ path: join(ARTIFACTS, `regular-sst-${renderer}.png`) });
      expect(p.problems).toEqual([]);
      await p.page.close();
    });

    it("a 500 x 500 curvilinear field: time to read and draw (reported, not asserted)", async () => {
      const started = Date.now();
      const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "big", variable: "zeta", ...opts });
      const load = Date.now() - started;
      const s = await viewerState(page);
      const t0 = Date.now();
      await nextStep(page);
      const step = Date.now() - t0;
      const s1 = await viewerState(page);
      console.log(
        `viewer 500x500 curvilinear, ${s.renderer}: rendered in ${(s.timings.geometryMs + s.timings.fieldMs + s.timings.drawMs).toFixed(0)} ms (coordinates + mesh ${s.timings.geometryMs.toFixed(0)} ms, chunk read ${s.timings.fieldMs.toFixed(0)} ms, draw ${s.timings.drawMs.toFixed(0)} ms; page load to first picture ${load} ms); next time step ${step} ms (read ${s1.timings.fieldMs.toFixed(0)} ms, draw ${s1.timings.drawMs.toFixed(0)} ms)`,
      );
      await page.screenshot({ path: join(ARTIFACTS, `curvilinear-500-${renderer}.png`) });
      // The land corner (mask 0) is transparent, a water cell is not.
      const corner = await pixelOf(page, -76.0 + 0.004 * 10 * Math.cos(Math.PI / 6) - 0.004 * 10 * Math.sin(Math.PI / 6), 37.0 + 0.004 * 10 * Math.sin(Math.PI / 6) + 0.004 * 10 * Math.cos(Math.PI / 6));
      expect((await fieldPixel(page, ...corner))[3]).toBe(0);
      const water = await pixelOf(page, -76.0 + 0.004 * 300 * Math.cos(Math.PI / 6) - 0.004 * 300 * Math.sin(Math.PI / 6), 37.0 + 0.004 * 300 * Math.sin(Math.PI / 6) + 0.004 * 300 * Math.cos(Math.PI / 6));
      expect((await fieldPixel(page, ...water))[3]).toBe(255);
      expect(problems).toEqual([]);
      await page.close();
    });
  });
}

describe("renderer fallbacks", () => {
  it("WebGL 1 (?renderer=webgl1) draws meshes and images with the same colours", async () => {
    const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho", "mask_rho");
    const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "webgl1" });
    const state = await viewerState(page);
    console.log(`viewer renderer (webgl1): ${state.renderer} - ${state.rendererNote}`);
    expect(state.renderer).toBe("webgl");
    expect(state.rendererNote).toBe("WebGL 1");
    for (let c = 0; c < 35; c++) {
      const [x, y] = await pixelOf(page, ref["lon_rho"]?.values[c] ?? NaN, ref["lat_rho"]?.values[c] ?? NaN);
      const pixel = await fieldPixel(page, x, y);
      if (ref["mask_rho"]?.values[c] === 0) expect(pixel[3]).toBe(0);
      else expectColour(pixel, ref["zeta"]?.values[c] as number, state.range, true, `webgl1 cell ${c}`);
    }
    await page.close();
    const r = await openViewer(browser, stack.viewer.url, { dataset: "rtofs", variable: "ssh", renderer: "webgl1" });
    const rs = await viewerState(r.page);
    const rref = await xarrayValues(stores.rtofs, "ssh", "Longitude", "Latitude");
    for (const c of [0, 5, 11, 22, 23]) {
      const [x, y] = await pixelOf(r.page, rref["Longitude"]?.values[c] ?? NaN, rref["Latitude"]?.values[c] ?? NaN);
      const v = rref["ssh"]?.values[c];
      const pixel = await fieldPixel(r.page, x, y);
      if (v === null || v === undefined) expect(pixel[3]).toBe(0);
      else expectColour(pixel, v, rs.range, true, `webgl1 rtofs cell ${c}`);
    }
    expect([...problems, ...r.problems]).toEqual([]);
    await r.page.close();
  });

  it("a browser without WebGL falls back to canvas 2D on its own", async () => {
    const noGl = await launchBrowser(["--disable-webgl"]);
    try {
      const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho");
      const { page, problems } = await openViewer(noGl, stack.viewer.url, { dataset: "cbofs", variable: "zeta" });
      const state = await viewerState(page);
      expect([state.renderer, state.rendererNote]).toEqual(["canvas2d", "canvas 2D (WebGL unavailable)"]);
      const [x, y] = await pixelOf(page, ref["lon_rho"]?.values[20] ?? NaN, ref["lat_rho"]?.values[20] ?? NaN);
      expectColour(await fieldPixel(page, x, y), ref["zeta"]?.values[20] as number, state.range, false, "no-WebGL cell 20");
      expect(await page.textContent("#status")).toContain("renderer canvas 2D (WebGL unavailable)");
      expect(problems).toEqual([]);
    } finally {
      await noGl.close();
    }
  });
});

describe("page behaviour", () => {
  it("on a 2x screen the canvases have device pixels, cells keep their colours and a click finds its cell", async () => {
    const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho");
    const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" }, { width: 800, height: 500 }, 2);
    const sizes = await page.evaluate(() => {
      const c = document.getElementById("field") as HTMLCanvasElement;
      return [c.width, c.getBoundingClientRect().width];
    });
    expect(sizes[0]).toBe(2 * (sizes[1] ?? 0));
    const state = await viewerState(page);
    const lon = ref["lon_rho"]?.values as number[];
    const lat = ref["lat_rho"]?.values as number[];
    for (const c of [2, 17, 34]) {
      const [x, y] = await pixelOf(page, lon[c] ?? NaN, lat[c] ?? NaN);
      expectColour(await fieldPixel(page, x, y), ref["zeta"]?.values[c] as number, state.range, false, `2x cell ${c}`);
    }
    await clickAt(page, ...(await pixelOf(page, lon[17] ?? NaN, lat[17] ?? NaN)));
    const points = await seriesPoints(page);
    points.forEach((p, t) => expect(p.v).toBeCloseTo(ref["zeta"]?.values[t * 35 + 17] as number, 5));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("two quick clicks end with the second point's series, even when the first point's answer comes last", async () => {
    const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho");
    const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" });
    const lon = ref["lon_rho"]?.values as number[];
    const lat = ref["lat_rho"]?.values as number[];
    const zeta = ref["zeta"]?.values as number[];
    // The first position query is held until the second point's series is on the page.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let queries = 0;
    await page.route(/\/position\?/, async (route) => {
      if (queries++ === 0) await held;
      await route.continue();
    });
    await clickAt(page, ...(await pixelOf(page, lon[2] ?? NaN, lat[2] ?? NaN)));
    await clickAt(page, ...(await pixelOf(page, lon[17] ?? NaN, lat[17] ?? NaN)));
    const second = await seriesPoints(page);
    second.forEach((p, t) => expect(p.v).toBeCloseTo(zeta[t * 35 + 17] as number, 5));
    const late = page.waitForResponse(/\/position\?/);
    release();
    await (await late).finished();
    // Two frames: the page has parsed the late answer and would have drawn it by then.
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
    expect(queries).toBe(2);
    const after = await seriesPoints(page);
    after.forEach((p, t) => expect(p.v, `t=${t}`).toBeCloseTo(zeta[t * 35 + 17] as number, 5));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("lists every dataset, pans, zooms and reads out lon/lat under the pointer", async () => {
    const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" });
    expect(await page.$$eval("#dataset option", (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["big", "cbofs", "cbofs-v3", "mesh", "ngofs2", "regular", "rtofs"]);
    expect(await page.$$eval("#variable option", (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["salt", "temp", "zeta"]);
    const box = await page.locator("#overlay").boundingBox();
    if (box === null) throw new Error("no map");
    const [x, y] = await pixelOf(page, -76.45, 37.05);
    await page.mouse.move(box.x + x, box.y + y);
    await page.waitForFunction(() => (document.getElementById("readout")?.textContent ?? "") !== "");
    expect(await page.textContent("#readout")).toMatch(/^76\.4[45]\d*°W 37\.0[45]\d*°N/);
    // Over a cell centre the readout also gives the cell's value.
    const ref = await xarrayValues(stores.roms, "zeta", "lon_rho", "lat_rho");
    const [cx0, cy0] = await pixelOf(page, ref["lon_rho"]?.values[17] ?? NaN, ref["lat_rho"]?.values[17] ?? NaN);
    await page.mouse.move(box.x + cx0, box.y + cy0);
    await page.waitForFunction(() => /zeta/.test(document.getElementById("readout")?.textContent ?? ""));
    const shown = /zeta (\S+) meter$/.exec((await page.textContent("#readout")) ?? "")?.[1];
    expect(Number(shown)).toBeCloseTo(ref["zeta"]?.values[17] as number, 4);
    // Zoom in around the centre: the same lon/lat moves away from the centre by twice as much.
    const before = await viewerState(page);
    await page.click("#zoom-in");
    await waitReady(page, before.renders);
    const [x2, y2] = await pixelOf(page, -76.45, 37.05);
    // (The view's size is the map's in whole pixels; the box may be fractional.)
    expect(Math.abs(x2 - box.width / 2 - 2 * (x - box.width / 2))).toBeLessThan(1);
    expect(Math.abs(y2 - box.height / 2 - 2 * (y - box.height / 2))).toBeLessThan(1);
    // Drag 50 px right: the point follows the pointer; a drag does not plot a series.
    const r = (await viewerState(page)).renders;
    await page.mouse.move(box.x + 300, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 325, box.y + 300, { steps: 5 });
    await page.mouse.move(box.x + 350, box.y + 300, { steps: 5 });
    await page.mouse.up();
    await waitReady(page, r);
    const [x3, y3] = await pixelOf(page, -76.45, 37.05);
    expect(x3 - x2).toBeCloseTo(50, 0);
    expect(y3).toBeCloseTo(y2, 3);
    expect(await page.getAttribute("#series", "data-state")).toBeNull();
    // The range inputs recolour: everything at or above max takes the last colour.
    await page.fill("#range-min", "-100");
    await page.fill("#range-max", "-99");
    await page.press("#range-max", "Enter");
    await page.waitForFunction(() => window.dmacViewer.state().drawnRange.max === -99);
    const [cx, cy] = await pixelOf(page, -76.3, 37.1);
    expect((await fieldPixel(page, cx, cy)).slice(0, 3)).toEqual(Array.from(VIRIDIS.subarray(255 * 4, 255 * 4 + 3)));
    // Choosing a variable with levels fills the level picker; choosing a dataset redraws.
    let n = (await viewerState(page)).renders;
    await page.selectOption("#variable", "temp");
    await waitReady(page, n);
    expect(await page.$$eval("#level option", (os) => os.map((o) => o.textContent))).toEqual(["s_rho = -0.833333", "s_rho = -0.5", "s_rho = -0.166667"]);
    n = (await viewerState(page)).renders;
    await page.selectOption("#level", "1");
    await waitReady(page, n);
    expect((await viewerState(page)).levelIndex).toBe(1);
    n = (await viewerState(page)).renders;
    await page.selectOption("#dataset", "rtofs");
    await waitReady(page, n);
    expect([(await viewerState(page)).dataset, (await viewerState(page)).variable]).toEqual(["rtofs", "mixed_layer_thickness"]);
    expect(new URL(page.url()).searchParams.get("dataset")).toBe("rtofs");
    expect(problems).toEqual([]);
    await page.close();
  });
});
