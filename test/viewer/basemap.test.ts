// The viewer's base map in Debian's chromium (playwright-core) on the shipped samples, ingested
// from samples/data by the ingest pipeline: Natural Earth land and coastline are drawn where the
// coast is (the Delmarva peninsula, known lon/lat), at 1:10m zoomed in and 1:50m zoomed out,
// with no request leaving the viewer's origin; the ROMS field covers exactly the cells its
// mask_rho calls water, and land shows through the others; the scale bar measures the map. The
// test writes the screenshots docs/viewer.md shows (docs/images/viewer-*.png).
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { ingest } from "../../dataplane/index.js";
import { tempDir } from "../dataplane/fixtures.js";
import { launchBrowser, openViewer, startStack, viewerState, type Stack } from "./harness.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const samples = join(here, "..", "..", "samples", "data");
const docsImages = join(here, "..", "..", "docs", "images");

type Dump = Record<string, { values: Array<number | null> }>;

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let browser: Browser;

/** One cycle's files of a sample, in time order. */
function sampleFiles(model: "cbofs" | "ngofs2", cycle: string): string[] {
  const dir = join(samples, model, `${model}.20231022`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${cycle}.nc`))
    .sort()
    .map((f) => join(dir, f));
}

beforeAll(async () => {
  tmp = tempDir("dmac-basemap-");
  const cbofs = join(tmp.path, "cbofs.zarr");
  const ngofs2 = join(tmp.path, "ngofs2.zarr");
  await ingest({ store: cbofs, inputs: sampleFiles("cbofs", "t00z"), concurrency: 0 });
  await ingest({ store: ngofs2, inputs: sampleFiles("ngofs2", "t00z"), concurrency: 0 });
  stack = await startStack([
    { id: "cbofs", url: cbofs },
    { id: "ngofs2", url: ngofs2 },
  ]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  tmp?.cleanup();
});

/** Waits until the base map is drawn at `resolution` (its TopoJSON arrives after the field). */
async function basemapAt(page: Page, resolution?: "50m" | "10m"): Promise<void> {
  await page.waitForFunction((r) => {
    const c = document.getElementById("basemap");
    if (c?.dataset.error !== undefined) throw new Error(c.dataset.error);
    return r === null ? c?.dataset.resolution !== undefined : c?.dataset.resolution === r;
  }, resolution ?? null, { timeout: 30_000 });
}

type Kind = "water" | "land" | "coast";

/**
 * What the base map canvas shows at each lon/lat: nothing (water: the page's background), the land
 * fill, or a coastline pixel (dark). `radius` (CSS pixels) > 0 asks whether a coastline pixel lies
 * within that distance instead.
 */
function basemapKinds(page: Page, points: Array<[number, number]>, radius = 0): Promise<Kind[]> {
  return page.evaluate(
    ([pts, r]) => {
      const canvas = document.getElementById("basemap") as HTMLCanvasElement;
      const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const ratio = window.devicePixelRatio || 1;
      const kindAt = (x: number, y: number): "water" | "land" | "coast" => {
        if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) throw new Error(`pixel ${x},${y} off the map`);
        const k = (y * canvas.width + x) * 4;
        if ((data[k + 3] ?? 0) < 128) return "water";
        return (data[k] ?? 0) < 160 ? "coast" : "land";
      };
      return pts.map(([lon, lat]) => {
        const p = window.dmacViewer.toPixel(lon, lat);
        if (p === undefined) throw new Error("no view");
        const [x, y] = [Math.floor(p[0]), Math.floor(p[1])];
        if (r === 0) return kindAt(x, y);
        const d = Math.ceil(r * ratio);
        for (let dy = -d; dy <= d; dy++) for (let dx = -d; dx <= d; dx++) if (dx * dx + dy * dy <= d * d && kindAt(x + dx, y + dy) === "coast") return "coast";
        return "water";
      });
    },
    [points, radius] as const,
  );
}

/** The field canvas's alpha at each lon/lat (canvas-2D renderer). */
function fieldAlphas(page: Page, points: Array<[number, number]>): Promise<number[]> {
  return page.evaluate((pts) => {
    const canvas = document.getElementById("field") as HTMLCanvasElement;
    const data = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data;
    return pts.map(([lon, lat]) => {
      const p = window.dmacViewer.toPixel(lon, lat) ?? [NaN, NaN];
      return data[(Math.floor(p[1]) * canvas.width + Math.floor(p[0])) * 4 + 3] ?? -1;
    });
  }, points);
}

async function zoomOut(page: Page, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const before = (await viewerState(page)).renders;
    await page.click("#zoom-out");
    await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n, before);
  }
}

// Known places on the Delmarva peninsula, read off Natural Earth at both scales: at 37.3 N the
// Chesapeake shore is at 76.00 W (1:10m; 75.99 W at 1:50m); at 38.3 N the Atlantic shore (Ocean
// City's barrier island) at 75.09-75.10 W at 1:10m and 75.14 W at 1:50m; the peninsula's interior
// at 75.55 W 38.5 N; the bay at 76.10 W 37.6 N.
const BAY_SHORE: [number, number] = [-76.0, 37.3];
const ATLANTIC_SHORE = { "10m": [-75.1, 38.3], "50m": [-75.14, 38.3] } as const;
const INTERIOR: [number, number] = [-75.55, 38.5];
const BAY: [number, number] = [-76.1, 37.6];

describe("base map", () => {
  it("draws the Delmarva coastline where Natural Earth has it, 1:10m zoomed in and 1:50m zoomed out, from the viewer's own origin", async () => {
    const { page, problems, foreign } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" });
    await basemapAt(page, "10m");
    expect(await basemapKinds(page, [BAY_SHORE, [...ATLANTIC_SHORE["10m"]]], 5)).toEqual(["coast", "coast"]);
    expect(await basemapKinds(page, [INTERIOR, BAY])).toEqual(["land", "water"]);
    await zoomOut(page, 1);
    await basemapAt(page, "50m");
    expect(await basemapKinds(page, [BAY_SHORE, [...ATLANTIC_SHORE["50m"]]], 4)).toEqual(["coast", "coast"]);
    expect(await basemapKinds(page, [INTERIOR, BAY])).toEqual(["land", "water"]);
    // The scale bar: its label's length over its pixels is the map's scale at the centre.
    const [label, px] = ((await page.getAttribute("#overlay", "data-scale-bar")) ?? ":").split(":");
    const view = await page.evaluate(() => {
      const a = window.dmacViewer.toPixel(-76, 37.15) ?? [0, 0];
      const b = window.dmacViewer.toPixel(-75, 37.15) ?? [0, 0];
      return b[0] - a[0];
    });
    const km = Number(label?.replace(" km", "")) * (label?.endsWith(" km") ? 1 : 0.001);
    const kmPerDegree = 111.32 * Math.cos((37.15 * Math.PI) / 180);
    expect(Math.abs(km / Number(px) - kmPerDegree / view) / (kmPerDegree / view)).toBeLessThan(0.08);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it("ROMS: the field covers the water cells (mask_rho 1) and leaves the land cells to the base map; water cells are water on the map", async () => {
    const { stdout } = await run("/usr/bin/python3", [join(here, "dump_values.py"), join(tmp.path, "cbofs.zarr"), "lon_rho", "lat_rho", "mask_rho"], { maxBuffer: 64 * 1024 * 1024 });
    const ref = JSON.parse(stdout) as Dump;
    const lon = ref["lon_rho"]?.values ?? [];
    const lat = ref["lat_rho"]?.values ?? [];
    const mask = ref["mask_rho"]?.values ?? [];
    const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta", renderer: "2d" });
    await basemapAt(page, "10m");
    const points = lon.map((x, k) => [x ?? NaN, lat[k] ?? NaN] as [number, number]);
    const alphas = await fieldAlphas(page, points);
    const wrong = alphas.flatMap((a, k) => ((mask[k] === 1) !== (a === 255) ? [`cell ${k} mask ${mask[k]} alpha ${a}`] : []));
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(mask.filter((m) => m === 0).length).toBeGreaterThan(0);
    // The sample's mask is Natural Earth's land (samples/make-samples.ts), the base map the same
    // coastline: the centre of a cell the model calls water is not on the land fill. (A centre
    // within a pixel of the coast may land on its antialiased stroke: "coast" is allowed.)
    const wet = points.filter((_, k) => mask[k] === 1);
    const kinds = await basemapKinds(page, wet);
    const onLand = kinds.filter((k) => k === "land").length;
    expect(wet.length).toBeGreaterThan(2000);
    expect(onLand / wet.length).toBeLessThan(0.01);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("writes the screenshots docs/viewer.md shows", async () => {
    // Surface salinity (s_rho level 2 of 3) on CBOFS, surface temperature (siglay 0) on NGOFS2.
    for (const [id, variable, level] of [["cbofs", "salt", "2"], ["ngofs2", "temp", "0"]] as const) {
      const { page, problems } = await openViewer(browser, stack.viewer.url, { dataset: id, variable, level }, { width: 1100, height: 700 });
      await basemapAt(page);
      await page.waitForFunction(() => document.body.dataset.status === "ready");
      // Without the status line, whose timings change every run: the picture changes only when the viewer or the samples do.
      const footer = await page.locator("#status").boundingBox();
      await page.screenshot({ path: join(docsImages, `viewer-${id}.png`), clip: { x: 0, y: 0, width: 1100, height: Math.floor(footer?.y ?? 700) } });
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
