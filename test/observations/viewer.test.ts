// The viewer draws observing stations over the model field and plots a station's series on click
// (issue #20). Real data API and viewer server, Debian's chromium through playwright-core; the
// model store is a CBOFS-like ROMS ingest and the station store an observations ingest of an
// ERDDAP CSV, both made in this run. The series on the page equals the station's input values.
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../../dataplane/index.js";
import { stationFixture, writeCsv, type StationDef, type StationFixture } from "../../samples/stations.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { launchBrowser, openViewer, pixelOf, startStack, viewerState, type Stack } from "../viewer/harness.js";

// Inside the test ROMS grid (lon -76.5..-76.16, lat 37.0..37.19), so they are on the fitted map.
const STATIONS: StationDef[] = [
  { id: "gauge-a", name: "Test gauge A", platform: "water level station", lon: -76.42, lat: 37.06, z: 0, variable: "water_level" },
  { id: "buoy-b", name: "Test buoy B", platform: "moored buoy", lon: -76.28, lat: 37.14, z: -1, variable: "sea_water_temperature" },
];

describe("viewer: stations over the model field", () => {
  const tmp = tempDir("dmac-obs-viewer-");
  let stack: Stack;
  let browser: Browser;
  let fixture: StationFixture;

  beforeAll(async () => {
    const cycle = cycleAt("2026-12-01T00:00:00Z");
    const model = join(tmp.path, "cbofs.zarr");
    await ingest({ store: model, inputs: [1, 2, 3].map((hour) => romsFile(join(tmp.path, "src"), { cycle, kind: "f", hour })), concurrency: 0 });
    fixture = stationFixture({ stations: STATIONS, hours: 6 });
    const stations = join(tmp.path, "stations.zarr");
    await ingest({ store: stations, inputs: [writeCsv(join(tmp.path, "obs.csv"), fixture)], featureType: "timeSeries" });
    stack = await startStack([{ id: "cbofs", url: model }, { id: "stations", url: stations }]);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    tmp.cleanup();
  });

  it("draws the gauges as points, leaves station collections out of the dataset picker, and a click on a gauge plots its series", async () => {
    const { page, problems, foreign } = await openViewer(browser, stack.viewer.url, { dataset: "cbofs", variable: "zeta" });
    expect(await page.$$eval("#dataset option", (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["cbofs"]);
    const gauge = fixture.records[0] as StationFixture["records"][number];
    const [x, y] = await pixelOf(page, gauge.station.lon, gauge.station.lat);
    // The station is drawn on the overlay canvas: its fill colour at the station's pixel.
    const rgba = await page.evaluate(([px, py]) => Array.from((document.getElementById("overlay") as HTMLCanvasElement).getContext("2d")!.getImageData(Math.floor(px), Math.floor(py), 1, 1).data), [x, y] as const);
    expect(rgba).toEqual([0xdc, 0x26, 0x7f, 255]);

    const box = await page.locator("#overlay").boundingBox();
    const ratio = await page.evaluate(() => window.devicePixelRatio || 1);
    // 3 px off centre: a click near the point picks the station, not the model cell.
    await page.mouse.click(box!.x + x / ratio + 3, box!.y + y / ratio - 2);
    await page.waitForSelector("#series[data-state=ready][data-station=gauge-a]", { timeout: 30_000 });
    const points = await page.$$eval("#series circle.series-point", (cs) => cs.map((c) => ({ t: c.getAttribute("data-t") ?? "", v: Number(c.getAttribute("data-v")) })));
    expect(points).toEqual(gauge.times.map((t, i) => ({ t: new Date(t).toISOString(), v: gauge.values[i] })));
    expect(await page.textContent("#series .series-title")).toContain("Test gauge A (gauge-a): water_level");
    // The model's current time (its first step, 01:00, as the viewer decodes it) is marked on the station's series.
    const now = Date.parse((await page.getAttribute("#series line.series-now", "data-t")) ?? "");
    expect(Math.abs(now - Date.UTC(2026, 11, 1, 1))).toBeLessThan(60_000);
    expect((await viewerState(page)).dataset).toBe("cbofs");

    // A click away from the stations plots the model series as before.
    const [mx, my] = await pixelOf(page, -76.35, 37.02);
    await page.mouse.click(box!.x + mx / ratio, box!.y + my / ratio);
    await page.waitForFunction(() => document.querySelector("#series")?.getAttribute("data-state") === "ready" && !document.querySelector("#series")?.hasAttribute("data-station"), undefined, { timeout: 30_000 });
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  }, 120_000);
});
