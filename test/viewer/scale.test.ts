// The viewer's budgets at real size (issue #21 item 3), in Debian's chromium (playwright-core,
// software WebGL through SwiftShader under --disable-gpu):
// - an RTOFS-like global field, 4500 x 3298 on a curvilinear grid (bench/scale/generate.py)
//   ingested by the pipeline: 512 x 512 chunks and overview levels in the issue #21 layout
//   (dataplane/multiscale/): first picture under 2 s, a time step under 300 ms, zoom and pan reading only
//   the chunks under the view (counted from the page's requests) and never the full-resolution
//   field for the whole domain, memory under 500 MB;
// - a CBOFS-size ROMS field (291 x 332, 20 s-levels, NOS's variables; no overviews): first picture under 1 s.
// Timings are asserted at three times the budget (2 cores shared with other work) and printed
// exactly. The data API opens each dataset once before the clock starts (its one-time cost is
// printed too). Colours at full resolution are checked against xarray's values.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { colormapLut, colourOf, lutIndex, LUT_SIZE } from "../../apps/viewer/src/colormap.js";
import { ingest } from "../../dataplane/index.js";
import { tempDir } from "../dataplane/fixtures.js";
import { fieldPixel, launchBrowser, openViewer, pixelOf, startStack, viewerState, waitReady, type Stack, type ViewerPage } from "./harness.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const VIRIDIS = colormapLut("viridis");
/** Budgets of issue #21, and the slack a shared 2-core machine gets in the assertions. */
const BUDGET = { rtofsFirstMs: 2000, stepMs: 300, cbofsFirstMs: 1000, memoryMB: 500 };
/**
 * The slack of the timing assertions: 3x, or the load per core when the machine is busier than
 * that (the figures are printed exactly either way; chunk counts are asserted exactly).
 */
const SLACK = Math.max(3, (loadavg()[0] ?? 0) / cpus().length);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[Math.floor((s.length - 1) / 2)] ?? NaN) + (s[Math.ceil((s.length - 1) / 2)] ?? NaN)) / 2;
};
/** A desktop browser window (CSS pixels, device pixel ratio 1). */
const SCREEN = { width: 1440, height: 900 };

let tmp: ReturnType<typeof tempDir>;
let stack: Stack;
let browser: Browser;
const stores = { rtofs: "", cbofs: "" };
const openMs: Record<string, number> = {};

beforeAll(async () => {
  tmp = tempDir("dmac-viewer-scale-");
  // The inputs of bench/scale (RTOFS-like 4500 x 3298 on a curvilinear tripolar-like grid, land as
  // fill; CBOFS-like 291 x 332 x 20 with NOS's variables and chunking), ingested by the pipeline
  // with its defaults: 512 x 512 chunks and overview levels (dataplane/multiscale/) for RTOFS,
  // none for CBOFS (its longest side is under 512).
  const gen = join(tmp.path, "inputs");
  await run("/usr/bin/python3", [join(here, "..", "..", "bench", "scale", "generate.py"), gen, "--only", "rtofs", "--rtofs-steps", "3", "--jobs", "1"]);
  await run("/usr/bin/python3", [join(here, "..", "..", "bench", "scale", "generate.py"), gen, "--only", "cbofs", "--files", "2", "--jobs", "1"]);
  const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".nc")).sort().map((f) => join(dir, f));
  stores.rtofs = join(tmp.path, "rtofs.zarr");
  stores.cbofs = join(tmp.path, "cbofs.zarr");
  await ingest({ store: stores.rtofs, inputs: files(join(gen, "rtofs", "rtofs.20231022")), concurrency: 0 });
  await ingest({ store: stores.cbofs, inputs: files(join(gen, "cbofs", "cbofs.20231022")), concurrency: 0 });
  // The data API holds a 4500 x 3298 grid's coordinates and k-d tree (over 512 MiB, its default
  // budget, which would reopen the dataset for every chunk request): it gets 2 GiB here.
  stack = await startStack(
    [
      { id: "rtofs", url: stores.rtofs },
      { id: "cbofs", url: stores.cbofs },
    ],
    { cacheBytes: 2 * 1024 ** 3 },
  );
  // The data API opens a dataset once (grid coordinates for its spatial index) and works out its
  // extent for /collections once: not the page's time (printed apart).
  for (const id of ["rtofs", "cbofs"]) {
    const t0 = performance.now();
    const res = await fetch(`${stack.dataApiUrl}/datasets/${id}`);
    expect(res.status).toBe(200);
    openMs[id] = performance.now() - t0;
  }
  const c0 = performance.now();
  expect((await fetch(`${stack.dataApiUrl}/collections`)).status).toBe(200);
  openMs["collections"] = performance.now() - c0;
  const bundle = await fetch(`${stack.viewer.url}/viewer.js`);
  expect(bundle.status).toBe(200);
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  tmp?.cleanup();
});

/** Chunk reads among the page's requests: array path -> chunk keys (metadata documents left out). */
function chunkReads(requests: string[], dataset: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const prefix = `/data/datasets/${dataset}/zarr/`;
  for (const r of requests) {
    if (!r.startsWith(prefix)) continue;
    const key = r.slice(prefix.length);
    const cut = key.lastIndexOf("/");
    const last = key.slice(cut + 1);
    if (cut < 0 || last.startsWith(".") || last === "zarr.json") continue;
    const path = key.slice(0, cut);
    out.set(path, [...(out.get(path) ?? []), last]);
  }
  return out;
}

/** Where the first picture's time went: the page's own timeline (navigation and resource timing, ms from navigation start). */
async function timeline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    const parts = [`html ${nav?.responseEnd.toFixed(0)}`, `DOMContentLoaded ${nav?.domContentLoadedEventEnd.toFixed(0)}`];
    for (const r of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
      const name = new URL(r.name).pathname.replace(/^\/data\/datasets\/[^/]+\/zarr\//, "zarr:");
      parts.push(`${name} ${r.startTime.toFixed(0)}-${r.responseEnd.toFixed(0)}`);
    }
    return parts.join(", ");
  });
}

const countOf = (reads: Map<string, string[]>, path: string): number => reads.get(path)?.length ?? 0;

/** Waits until the page has drawn a plan other than `previous` (a pan or zoom read another level or window). */
async function waitPlan(page: Page, previous: string | undefined): Promise<void> {
  await page.waitForFunction((p) => document.body.dataset.status === "ready" && document.body.dataset.plan !== undefined && document.body.dataset.plan !== p, previous, { timeout: 60_000 });
}

/** PSS of every chromium process (browser, GPU, renderers, utilities), from /proc, in MB. */
async function chromiumPss(): Promise<{ mb: number; processes: number; byType: string }> {
  const session = await browser.newBrowserCDPSession();
  const info = (await session.send("SystemInfo.getProcessInfo")) as { processInfo: Array<{ type: string; id: number }> };
  await session.detach();
  let pss = 0;
  const byType = new Map<string, number>();
  for (const p of info.processInfo) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.id}/smaps_rollup`, "utf8"));
      const bytes = Number(m?.[1] ?? 0) * 1024;
      pss += bytes;
      byType.set(p.type, (byType.get(p.type) ?? 0) + bytes);
    } catch {
      // A process that ended since the list was made holds nothing.
    }
  }
  const MB = 1024 * 1024;
  return { mb: pss / MB, processes: info.processInfo.length, byType: [...byType].map(([t, b]) => `${t} ${(b / MB).toFixed(0)}`).join(", ") };
}

/** Memory of the page: CDP's V8 heap (used) and ArrayBuffer backing stores, the renderer's GPU uploads, and every chromium process' PSS. */
async function memory(page: Page): Promise<{ heapMB: number; backingMB: number; gpuMB: number; pageMB: number; processesMB: number; processes: number; byType: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; totalSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
  await cdp.detach();
  const { gpuBytes } = await viewerState(page);
  const pss = await chromiumPss();
  const MB = 1024 * 1024;
  const heapMB = heap.usedSize / MB;
  const backingMB = (heap.backingStorageSize ?? 0) / MB;
  const gpuMB = gpuBytes / MB;
  return { heapMB, backingMB, gpuMB, pageMB: heapMB + backingMB + gpuMB, processesMB: pss.mb, processes: pss.processes, byType: pss.byType };
}

/** xarray's values of `names` at (j, i) cells of a level (group "" = the root), time step `t`. */
async function xarrayCells(store: string, group: string, t: number, cells: Array<[number, number]>): Promise<Array<{ lon: number; lat: number; value: number | null }>> {
  const code = `
import json, sys
import numpy as np
import xarray as xr
ds = xr.open_zarr(sys.argv[1], group=sys.argv[2] or None)
cells = json.loads(sys.argv[4])
t = int(sys.argv[3])
out = []
for j, i in cells:
    v = float(ds["ssh"].isel(MT=t, Y=j, X=i))
    out.append({"lon": float(ds["Longitude"][j, i]), "lat": float(ds["Latitude"][j, i]), "value": None if np.isnan(v) else v})
print(json.dumps(out))
`;
  const { stdout } = await run("/usr/bin/python3", ["-c", code, store, group, String(t), JSON.stringify(cells)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Array<{ lon: number; lat: number; value: number | null }>;
}

function expectColour(actual: number[], value: number, range: { min: number; max: number }, where: string): void {
  const i = lutIndex(value, range);
  const candidates = [i - 1, i, i + 1].filter((k) => k >= 0 && k < LUT_SIZE).map((k) => Array.from(VIRIDIS.subarray(k * 4, k * 4 + 4)));
  const ok = candidates.some((c) => c.every((x, n) => Math.abs(x - (actual[n] ?? -1)) <= 1));
  expect(ok, `${where}: pixel ${actual.join(",")} for value ${value} (expected ${colourOf(value, range, VIRIDIS).join(",")})`).toBe(true);
}

async function drag(page: Page, dx: number, dy: number): Promise<void> {
  const box = await page.locator("#overlay").boundingBox();
  if (box === null) throw new Error("no map overlay");
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let k = 1; k <= 5; k++) await page.mouse.move(x + (dx * k) / 5, y + (dy * k) / 5);
  await page.mouse.up();
}

describe("viewer budgets at real size", () => {
  it("RTOFS-size field (4500 x 3298, overviews, 512 chunks): first picture, time steps, zoom and pan read only what is shown, memory", async () => {
    // Chromium with one blank tab: what the browser holds before the viewer.
    const blank = await browser.newPage();
    const before = await chromiumPss();
    await blank.close();
    const t0 = performance.now();
    const vp: ViewerPage = await openViewer(browser, stack.viewer.url, { dataset: "rtofs", variable: "ssh" }, SCREEN);
    const withPageMs = performance.now() - t0;
    const { page, requests } = vp;
    let state = await viewerState(page);
    const firstMs = state.firstPictureMs ?? withPageMs;
    const report: string[] = [];
    try {
      report.push(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} (${cpus().length} cores; timing assertions at ${SLACK.toFixed(1)}x the budgets)`, `page timeline (ms): ${await timeline(page)}`, `data API, once before the clock: opening the dataset ${openMs["rtofs"]?.toFixed(0)} ms, then /collections (extents) ${openMs["collections"]?.toFixed(0)} ms`, `first picture: ${firstMs.toFixed(0)} ms from navigation start to the field drawn (${withPageMs.toFixed(0)} ms with opening the browser tab), renderer ${state.rendererNote}, ${state.levels} levels`);
      // The whole domain: the coarsest overview whose cells are at most one pixel (on this canvas,
    // about 950 pixels across the globe, overview 2: 1125 x 825), all of its chunks, nothing at full resolution.
    const map = await page.evaluate(() => [document.getElementById("field")?.clientWidth ?? 0, document.getElementById("field")?.clientHeight ?? 0]);
    report.push(`canvas ${map.join(" x ")} px`);
    expect(state.plan?.path).toBe("overviews/2");
      expect(state.plan?.chunks).toBe(6);
      let reads = chunkReads(requests, "rtofs");
      expect(countOf(reads, "overviews/2/ssh")).toBe(6);
      // Never the full resolution for the whole domain: no level-0 chunk of the field or of its coordinates.
      expect([countOf(reads, "ssh"), countOf(reads, "Longitude"), countOf(reads, "Latitude")]).toEqual([0, 0, 0]);
      report.push(`whole domain: ${state.plan?.path} window ${JSON.stringify(state.plan?.window)}, chunks read ${JSON.stringify(Object.fromEntries([...reads].map(([k, v]) => [k, v.length])))}`);
      // Land (NaN) is transparent and the ocean drawn: both show in a sample of the canvas.
      const opaque = await page.evaluate(() => {
        const c = document.getElementById("field") as HTMLCanvasElement;
        const gl = (c.getContext("webgl2") ?? c.getContext("webgl")) as WebGLRenderingContext | null;
        const px = new Uint8Array(4);
        let n = 0;
        let on = 0;
        for (let y = 80; y < c.height - 80; y += 37)
          for (let x = 80; x < c.width - 80; x += 37) {
            n++;
            if (gl !== null) gl.readPixels(x, c.height - 1 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
            else px.set((c.getContext("2d") as CanvasRenderingContext2D).getImageData(x, y, 1, 1).data);
            if ((px[3] ?? 0) > 0) on++;
          }
        return on / n;
      });
      expect(opaque).toBeGreaterThan(0.3);
      expect(opaque).toBeLessThan(0.95);

      // Time steps: the same 6 overview chunks of the next step, nothing at full resolution.
      // In the page: from the request of the step to its picture on screen; end to end adds the
    // test driver's click and polling.
    const stepMs: number[] = [];
    const stepE2e: number[] = [];
      // Four steps (0 -> 1 -> 2 -> 1 -> 2): the budget is asserted on their median.
      for (const [button, t] of [["#time-next", 1], ["#time-next", 2], ["#time-prev", 1], ["#time-next", 2]] as const) {
        const before = requests.length;
        const renders = (await viewerState(page)).renders;
        const s0 = performance.now();
        await page.click(button);
        await waitReady(page, renders);
        stepE2e.push(performance.now() - s0);
        stepMs.push((await viewerState(page)).timings.loadMs);
        const stepReads = chunkReads(requests.slice(before), "rtofs");
        expect([...stepReads.keys()]).toEqual(["overviews/2/ssh"]);
        expect(countOf(stepReads, "overviews/2/ssh")).toBe(6);
        expect(stepReads.get("overviews/2/ssh")?.every((k) => k.startsWith(`${t}.`))).toBe(true);
      }
      state = await viewerState(page);
      expect(state.timeIndex).toBe(2);
      report.push(`time step changes: ${stepMs.map((ms) => ms.toFixed(0)).join(" ms, ")} ms in the page (${stepE2e.map((ms) => ms.toFixed(0)).join(" ms, ")} ms end to end; last field read ${state.timings.fieldMs.toFixed(0)} ms, draw ${state.timings.drawMs.toFixed(0)} ms), 6 chunks each`);

      // Zoom in at the centre, x2 per click: overview 1 (x2), then full resolution (x4, x8), each
      // reading only the chunks of the window under the view; the whole level would be `whole`.
      const zooms = [
        { path: "overviews/1", field: "overviews/1/ssh", whole: 5 * 4, most: 5 * 4 - 1 },
        { path: "", field: "ssh", whole: 9 * 7, most: 16 },
        { path: "", field: "ssh", whole: 9 * 7, most: 9 },
      ];
      for (const [n, z] of zooms.entries()) {
        const before = requests.length;
        const previous = (await viewerState(page)).plan?.key;
        const z0 = performance.now();
        await page.click("#zoom-in");
        await waitPlan(page, previous);
        const zoomMs = performance.now() - z0;
        state = await viewerState(page);
        expect(state.plan?.path).toBe(z.path);
        const zoomReads = chunkReads(requests.slice(before), "rtofs");
        expect(countOf(zoomReads, z.field)).toBe(state.plan?.chunks);
        expect(countOf(zoomReads, z.field)).toBeLessThanOrEqual(z.most);
        report.push(`zoom x${2 ** (n + 1)} (${z.path === "" ? "full resolution" : z.path}): ${zoomMs.toFixed(0)} ms (of which 120 ms waiting for the view to rest), window ${JSON.stringify(state.plan?.window)}, ${countOf(zoomReads, z.field)} of the level's ${z.whole} field chunks; reads ${JSON.stringify(Object.fromEntries([...zoomReads].map(([k, v]) => [k, v.length])))}`);
      }
      // At full resolution the colours are xarray's values at level 0 (cells near the view's centre).
      const cells: Array<[number, number]> = [];
      for (let j = 1600; j <= 1700; j += 25) for (let i = 2200; i <= 2300; i += 25) cells.push([j, i]);
      const ref = await xarrayCells(stores.rtofs, "", 2, cells);
      let checked = 0;
      for (const [n, c] of ref.entries()) {
        const pixel = await fieldPixel(page, ...(await pixelOf(page, c.lon, c.lat)));
        if (c.value === null) expect(pixel[3], `land cell ${cells[n]?.join(",")}`).toBe(0);
        else {
          expectColour(pixel, c.value, state.range, `cell ${cells[n]?.join(",")}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(5);
      // A time step at full resolution reads the window's chunks only.
      {
        const before = requests.length;
        const renders = (await viewerState(page)).renders;
        const s0 = performance.now();
        await page.click("#time-prev");
        await waitReady(page, renders);
        const e2e = performance.now() - s0;
        const ms = (await viewerState(page)).timings.loadMs;
        const stepReads = chunkReads(requests.slice(before), "rtofs");
        expect(countOf(stepReads, "ssh")).toBe(state.plan?.chunks);
        report.push(`time step at full resolution: ${ms.toFixed(0)} ms in the page (${e2e.toFixed(0)} ms end to end), ${countOf(stepReads, "ssh")} of 63 chunks`);
        stepMs.push(ms);
      }
      // Pan by 400 CSS pixels: a new window, read at full resolution only where it is new or still shown.
      {
        const before = requests.length;
        const previous = (await viewerState(page)).plan?.key;
        const p0 = performance.now();
        await drag(page, -400, 0);
        await waitPlan(page, previous);
        const panMs = performance.now() - p0;
        state = await viewerState(page);
        const panReads = chunkReads(requests.slice(before), "rtofs");
        // Only full-resolution chunks near the view (a slow drag may rest, and read, on the way).
        expect(state.plan?.path).toBe("");
        expect([...panReads.keys()].every((k) => ["ssh", "Longitude", "Latitude"].includes(k))).toBe(true);
        expect(countOf(panReads, "ssh")).toBeGreaterThanOrEqual(state.plan?.chunks ?? 1);
        // Never the whole field: at most half of its 63 chunks, however often the drag rested.
        expect(new Set(panReads.get("ssh")).size).toBeLessThanOrEqual(31);
        report.push(`pan 400 px: ${panMs.toFixed(0)} ms, window ${JSON.stringify(state.plan?.window)} (${state.plan?.chunks} chunks), ${countOf(panReads, "ssh")} of 63 field chunks read on the way; reads ${JSON.stringify(Object.fromEntries([...panReads].map(([k, v]) => [k, v.length])))}`);
      }
      const allReads = chunkReads(requests, "rtofs");
      report.push(`all chunk reads of the session: ${JSON.stringify(Object.fromEntries([...allReads].map(([k, v]) => [k, v.length])))}`);
      const mem = await memory(page);
      report.push(
        `memory: V8 heap used ${mem.heapMB.toFixed(1)} MB + ArrayBuffer backing stores ${mem.backingMB.toFixed(1)} MB + GPU uploads (textures, buffers) ${mem.gpuMB.toFixed(1)} MB = ${mem.pageMB.toFixed(1)} MB (CDP Runtime.getHeapUsage after HeapProfiler.collectGarbage, plus the renderer's own count); PSS of all ${mem.processes} chromium processes ${mem.processesMB.toFixed(0)} MB, ${before.mb.toFixed(0)} MB with a blank tab before (${before.processes} processes): the viewer adds ${(mem.processesMB - before.mb).toFixed(0)} MB; by process type (MB) ${mem.byType}, before ${before.byType}`,
      );
      expect(vp.problems).toEqual([]);
      expect(vp.foreign).toEqual([]);
      expect(firstMs).toBeLessThan(BUDGET.rtofsFirstMs * SLACK);
      expect(median(stepMs)).toBeLessThan(BUDGET.stepMs * SLACK);
      expect(mem.pageMB).toBeLessThan(BUDGET.memoryMB);
      expect(mem.processesMB - before.mb).toBeLessThan(BUDGET.memoryMB);
    } finally {
      console.log(`viewer budgets, RTOFS-size field:\n  ${report.join("\n  ")}`);
      await page.close();
    }
  });

  it("CBOFS full size (291 x 332, 20 s-levels, no overviews): first picture, and the surface level drawn whole", async () => {
    const t0 = performance.now();
    const vp = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "temp", level: "19" }, SCREEN);
    const withPageMs = performance.now() - t0;
    const state = await viewerState(vp.page);
    const firstMs = state.firstPictureMs ?? withPageMs;
    expect(state.levels).toBe(1);
    expect(state.plan?.path).toBe("");
    expect(state.plan?.chunks).toBe(1);
    expect(state.levelIndex).toBe(19);
    const renders = state.renders;
    const s0 = performance.now();
    await vp.page.click("#time-next");
    await waitReady(vp.page, renders);
    const stepE2e = performance.now() - s0;
    const stepMs = (await viewerState(vp.page)).timings.loadMs;
    console.log(
      `viewer budgets, CBOFS full size (load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}): page timeline (ms): ${await timeline(vp.page)}; data API first open ${openMs["cbofs"]?.toFixed(0)} ms (once, before the clock); first picture ${firstMs.toFixed(0)} ms from navigation start (${withPageMs.toFixed(0)} ms with opening the tab; grid ${state.timings.geometryMs.toFixed(0)} ms, field ${state.timings.fieldMs.toFixed(0)} ms, renderer ${state.rendererNote}); time step ${stepMs.toFixed(0)} ms in the page (${stepE2e.toFixed(0)} ms end to end)`,
    );
    expect(vp.problems).toEqual([]);
    expect(firstMs).toBeLessThan(BUDGET.cbofsFirstMs * SLACK);
    await vp.page.close();
  });
});
