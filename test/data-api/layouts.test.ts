// The data API reads a Dataset's time-series layout (a rechunk derivative) for position queries:
// same values as the original layout and as xarray on the source store, the layout named in a
// response header; area and cube queries keep the original; a layout that lags its source (not yet
// derived from the newest steps) is not used.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataApi } from "../../apps/data-api/app.js";
import { derive } from "../../dataplane/transform/derive.js";
import { transformOptionsFor } from "../../dataplane/transform/options.js";
import { tempDir } from "../dataplane/fixtures.js";
import { ingestSample, sampleCycles } from "../transform/samples.js";

const run = promisify(execFile);
const pointScript = fileURLToPath(new URL("./xarray_point.py", import.meta.url));
const tmp = tempDir("dmac-layouts-");
const cycles = sampleCycles();
const source = join(tmp.path, "best.zarr");
const series = join(tmp.path, "series.zarr");
const transform = transformOptionsFor({ select: { variables: ["zeta", "temp"] }, rechunk: { tile: 8 } });
let app: FastifyInstance;

beforeAll(async () => {
  await ingestSample(source, cycles.flatMap((c) => c.files));
  await derive({ source, target: series, transform, layout: { sourceName: "maracoos/cbofs-best-forecast" } });
  app = await buildDataApi({ datasets: [{ id: "cbofs", url: source }, { id: "cbofs-series", url: series }], revalidateMs: 0 });
}, 120_000);
afterAll(async () => {
  await app?.close();
  tmp.cleanup();
});

type Coverage = { ranges: Record<string, { values: Array<number | null> }> };

describe("time-series layouts in the data API", () => {
  const points: [number, number][] = [[-76.31, 37.11], [-76.0, 37.3], [-76.5, 37.0]];

  it("position queries read the layout (header), with the original's values and xarray's", async () => {
    const original = await buildDataApi({ datasets: [{ id: "cbofs", url: source }] });
    try {
      for (const [lon, lat] of points) {
        const url = `/collections/cbofs/position?coords=${encodeURIComponent(`POINT(${lon} ${lat})`)}&parameter-name=zeta,temp`;
        const viaLayout = await app.inject(url);
        const viaOriginal = await original.inject(url);
        expect(viaLayout.statusCode).toBe(200);
        expect(viaLayout.headers["dmac-data-layout"]).toBe("time-series; collection=cbofs-series");
        expect(viaOriginal.headers["dmac-data-layout"]).toBe("original");
        expect(viaLayout.json()).toEqual(viaOriginal.json());
        const specs = [{ store: source, variable: "zeta", lon, lat, grid: { kind: "curvilinear", lon: "lon_rho", lat: "lat_rho", mask: "mask_rho" } }];
        const [py] = JSON.parse((await run("/usr/bin/python3", [pointScript, JSON.stringify(specs)])).stdout) as { values: Array<Array<number | null>> }[];
        // One parameter, one coverage: compared with xarray's series at the nearest wet cell.
        const zeta = await app.inject(`/collections/cbofs/position?coords=${encodeURIComponent(`POINT(${lon} ${lat})`)}&parameter-name=zeta`);
        expect(zeta.headers["dmac-data-layout"]).toBe("time-series; collection=cbofs-series");
        const ours = (zeta.json() as Coverage).ranges.zeta?.values ?? [];
        expect(ours.length).toBe(py?.values.length);
        ours.forEach((v, i) => {
          const want = py?.values[i]?.[0] ?? null;
          if (want === null) expect(v).toBeNull();
          else expect(v).toBeCloseTo(want, 5);
        });
      }
    } finally {
      await original.close();
    }
  }, 120_000);

  it("area and cube queries, and parameters the layout lacks, keep the original layout", async () => {
    const cube = await app.inject("/collections/cbofs/cube?bbox=-76.4,37.0,-76.2,37.2&parameter-name=zeta");
    expect(cube.statusCode).toBe(200);
    expect(cube.headers["dmac-data-layout"]).toBe("original");
    const salt = await app.inject(`/collections/cbofs/position?coords=${encodeURIComponent("POINT(-76.31 37.11)")}&parameter-name=salt`);
    expect(salt.statusCode).toBe(200);
    expect(salt.headers["dmac-data-layout"]).toBe("original");
  });

  it("a layout that lags its source is not used until it catches up", async () => {
    const growing = join(tmp.path, "growing.zarr");
    const lagging = join(tmp.path, "growing-series.zarr");
    await ingestSample(growing, cycles[0]?.files ?? []);
    await derive({ source: growing, target: lagging, transform, layout: { sourceName: "test/growing" } });
    await ingestSample(growing, cycles.slice(1).flatMap((c) => c.files));
    const api = await buildDataApi({ datasets: [{ id: "g", url: growing }, { id: "g-series", url: lagging }], revalidateMs: 0 });
    try {
      const url = `/collections/g/position?coords=${encodeURIComponent("POINT(-76.31 37.11)")}&parameter-name=zeta`;
      expect((await api.inject(url)).headers["dmac-data-layout"]).toBe("original");
      await derive({ source: growing, target: lagging, transform, layout: { sourceName: "test/growing" } });
      expect((await api.inject(url)).headers["dmac-data-layout"]).toBe("time-series; collection=g-series");
    } finally {
      await api.close();
    }
  }, 120_000);
});
