// Test harness for the viewer: the data API (buildDataApi) and the viewer server on ephemeral
// ports, and Debian's chromium driven by playwright-core. Every page records console errors,
// uncaught exceptions and any request that leaves the viewer's origin.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import type { FastifyInstance } from "fastify";
import { buildDataApi } from "../../apps/data-api/index.js";
import { serveViewer, type RunningViewer } from "../../apps/viewer/index.js";
import type { ViewerState } from "../../apps/viewer/src/page-state.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(here, "..", "..", "test-artifacts", "viewer");

export interface Stack {
  dataApi: FastifyInstance;
  dataApiUrl: string;
  viewer: RunningViewer;
  close(): Promise<void>;
}

/** The data API and the viewer; `cacheBytes` is the data API's memory budget (its default otherwise). */
export async function startStack(datasets: Array<{ id: string; url: string }>, options: { cacheBytes?: number } = {}): Promise<Stack> {
  const dataApi = await buildDataApi({ datasets, ...options });
  let viewer: RunningViewer;
  let dataApiUrl: string;
  try {
    dataApiUrl = await dataApi.listen({ port: 0, host: "127.0.0.1" });
    viewer = await serveViewer({ port: 0, dataApiUrl });
  } catch (error) {
    // The suite's afterAll only sees a stack that started: close the half-started one here.
    await dataApi.close();
    throw error;
  }
  return {
    dataApi,
    dataApiUrl,
    viewer,
    close: async () => {
      await viewer.close();
      await dataApi.close();
    },
  };
}

export async function makeCurvilinearStore(path: string, steps: number, ny: number, nx: number): Promise<string> {
  await run("/usr/bin/python3", [join(here, "make_curvilinear.py"), path, String(steps), String(ny), String(nx)]);
  return path;
}

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", ...extraArgs] });
}

export interface ViewerPage {
  page: Page;
  /** Console errors, page errors and failed requests, as text. */
  problems: string[];
  /** Requests to anything but the viewer's own origin. */
  foreign: string[];
  /** Paths (with queries) of every request to the viewer's origin, in order: what the page read. */
  requests: string[];
}

export async function openViewer(browser: Browser, viewerUrl: string, query: Record<string, string>, size = { width: 1000, height: 640 }, deviceScaleFactor = 1): Promise<ViewerPage> {
  const page = await browser.newPage({ viewport: size, deviceScaleFactor });
  const problems: string[] = [];
  const foreign: string[] = [];
  const requests: string[] = [];
  const origin = new URL(viewerUrl).origin;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("request", (r) => {
    const u = r.url();
    if (u.startsWith(origin)) requests.push(u.slice(origin.length));
    else if (!u.startsWith("data:") && !u.startsWith("blob:")) foreign.push(u);
  });
  const q = new URLSearchParams(query).toString();
  await page.goto(`${viewerUrl}/${q ? `?${q}` : ""}`);
  await waitReady(page);
  return { page, problems, foreign, requests };
}

/** Waits until the page has drawn its current selection (or failed, which throws with the message). */
export async function waitReady(page: Page, afterRenders = 0): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const s = document.body.dataset.status;
      return s === "error" || (s === "ready" && Number(document.body.dataset.renders ?? 0) > n);
    },
    afterRenders,
    { timeout: 60_000 },
  );
  const status = await page.getAttribute("body", "data-status");
  if (status === "error") throw new Error(`viewer error: ${await page.textContent("#status")}`);
}

export type { ViewerState };

export const viewerState = (page: Page): Promise<ViewerState> => page.evaluate(() => window.dmacViewer.state());

/** Canvas pixel (device pixels in the map) where the page draws lon/lat. */
export async function pixelOf(page: Page, lon: number, lat: number): Promise<[number, number]> {
  const p = await page.evaluate(([x, y]) => window.dmacViewer.toPixel(x, y), [lon, lat] as const);
  if (p === undefined) throw new Error("viewer has no view yet");
  return p;
}

/** RGBA of the field canvas at pixel (x, y), read back from whichever renderer drew it. */
export function fieldPixel(page: Page, x: number, y: number): Promise<[number, number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.getElementById("field") as HTMLCanvasElement;
      const ix = Math.floor(px);
      const iy = Math.floor(py);
      if (canvas.dataset.renderer === "webgl") {
        const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext;
        const out = new Uint8Array(4);
        gl.readPixels(ix, canvas.height - 1 - iy, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
        return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0, out[3] ?? 0] as [number, number, number, number];
      }
      const d = (canvas.getContext("2d") as CanvasRenderingContext2D).getImageData(ix, iy, 1, 1).data;
      return [d[0] ?? 0, d[1] ?? 0, d[2] ?? 0, d[3] ?? 0] as [number, number, number, number];
    },
    [x, y] as const,
  );
}

/** A digest of the whole field canvas (to see that the picture changed). */
export function fieldDigest(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const canvas = document.getElementById("field") as HTMLCanvasElement;
    const bytes = new TextEncoder().encode(canvas.toDataURL("image/png"));
    const hash = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  });
}
