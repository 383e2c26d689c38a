// The viewer as `dmac up` serves it: the local platform ingests the shipped CBOFS (ROMS) and
// NGOFS2 (FVCOM) samples, and the viewer (port base + 4) draws both from the platform's data API
// in chromium without a console error, and plots a series on a click.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startLocalPlatform, type LocalPlatform } from "../../apps/local-platform/index.js";
import { createLogger } from "../../operators/runtime/index.js";
import { until } from "../support/until.js";
import { ARTIFACTS, launchBrowser, openViewer, viewerState } from "./harness.js";

const repoRoot = join(import.meta.dirname, "../..");
const silent = createLogger("test", "silent", new Writable({ write: (_c, _e, cb) => cb() }));

describe("the viewer on the local platform", () => {
  const dir = mkdtempSync(join(tmpdir(), "dmac-up-viewer-"));
  let platform: LocalPlatform | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("draws every sample dataset the platform serves", async () => {
    platform = await startLocalPlatform({ dataDir: dir, portBase: 0, repoRoot, log: silent });
    const viewerUrl = platform.viewerUrl;
    // The gridded samples, the derived daily maximum (issue #18) among them; the station sample
    // (issue #20) is drawn as markers over a field, not as a field of its own.
    const grids = ["gcoos-ngofs2-nowcast", "maracoos-cbofs-best-forecast", "maracoos-cbofs-zeta-daily-max"];
    const ids = await until(
      "the gridded samples in the data API",
      async () => {
        const listed = (await (await fetch(`${viewerUrl}/data/datasets`)).json()) as string[];
        return grids.every((g) => listed.includes(g)) && grids;
      },
      240_000,
      { intervalMs: 500 },
    );
    // The page reads a dataset's catalog entry once, when it loads: the data API serves a Dataset
    // as soon as it is Ready, its STAC Collection follows from the CatalogEntry a moment later.
    await until(
      "the gridded samples' collections in the STAC API",
      async () => {
        const body = (await (await fetch(`${viewerUrl}/catalog/collections`)).json()) as { collections?: Array<{ id?: string }> };
        const listed = (body.collections ?? []).map((c) => c.id ?? "");
        // A CatalogEntry the operator makes names its collection <namespace>-<Dataset> (maracoos-cbofs-zeta-daily-max);
        // the viewer matches a collection by either form.
        return ["cbofs-best-forecast", "gcoos-ngofs2-nowcast", "cbofs-zeta-daily-max"].every((id) => listed.some((l) => l === id || l.endsWith(`-${id}`)));
      },
      120_000,
      { intervalMs: 500 },
    );
    browser = await launchBrowser();
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const id of ids) {
      const { page, problems, foreign } = await openViewer(browser, platform.viewerUrl, { dataset: id });
      const state = await viewerState(page);
      expect(state.dataset).toBe(id);
      expect(await page.textContent("#status")).toMatch(/cells as triangles/);
      // The STAC API is wired in too: the page shows the catalog entry of the dataset.
      await page.waitForSelector("#info p.catalog");
      const box = await page.locator("#overlay").boundingBox();
      if (box === null) throw new Error("no map");
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector("#series[data-state=ready], #series[data-state=error]");
      expect(await page.getAttribute("#series", "data-state")).toBe("ready");
      // The derived daily maximum (issue #18) of the 12-hour sample best forecast holds one day.
      expect(await page.$$eval("#series circle.series-point", (cs) => cs.length)).toBeGreaterThan(id.endsWith("-zeta-daily-max") ? 0 : 1);
      await page.screenshot({ path: join(ARTIFACTS, `platform-${id}.png`) });
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
      await page.close();
    }
  });
});
