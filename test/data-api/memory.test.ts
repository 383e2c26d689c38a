// The data API's memory is bounded by one setting (cacheBytes, `--cache-mb`): decoded chunks,
// opened datasets (coordinates, masks, k-d trees, station tables) and encoded station documents
// all draw on one budget (apps/data-api/cache-budget.ts). On small real stores (a CBOFS-like ROMS
// store and a station store, both made by the ingest) and a budget far smaller than what the
// queries touch, hundreds of distinct queries, some concurrent, keep the total under the setting
// at every step, answer exactly as with a roomy budget, and really evict (chunks are read again).
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDataApi } from "../../apps/data-api/app.js";
import { CacheBudget } from "../../apps/data-api/cache-budget.js";
import { DatasetRegistry } from "../../apps/data-api/registry.js";
import { FileStore, ingest } from "../../dataplane/index.js";
import { stationFixture, writeDsg } from "../../samples/stations.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { mulberry32 } from "../support/prng.js";

const tmp = tempDir("dmac-data-api-memory-");
const roms = join(tmp.path, "cbofs.zarr");
const stations = join(tmp.path, "stations.zarr");
const datasets = [{ id: "cbofs", url: roms }, { id: "stations", url: stations }];
const HOURS = 24;
const q = encodeURIComponent;
let fixture: ReturnType<typeof stationFixture>;

beforeAll(async () => {
  const cycle = cycleAt("2026-12-01T00:00:00Z");
  await ingest({ store: roms, inputs: Array.from({ length: HOURS }, (_, h) => romsFile(join(tmp.path, "src"), { cycle, kind: "f", hour: h + 1 })), concurrency: 0 });
  fixture = stationFixture({ start: Date.UTC(2026, 11, 1, 0, 30), hours: 24 });
  await ingest({ store: stations, inputs: [writeDsg(join(tmp.path, "obs.nc"), fixture, "indexed-ragged")], featureType: "timeSeries" });
});
afterAll(() => tmp.cleanup());

/** Queries over both collections: distinct positions, areas and cubes (places, times, levels); station series. */
function distinctQueries(n: number): string[] {
  const r = mulberry32(21);
  const hour = (h: number) => new Date(Date.UTC(2026, 11, 1, 1 + h)).toISOString().replace(".000Z", "Z");
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const h0 = Math.floor(r() * (HOURS - 1));
    const h1 = h0 + 1 + Math.floor(r() * (HOURS - 1 - h0));
    const when = r() < 0.5 ? `&datetime=${hour(h0)}/${hour(h1)}` : `&datetime=${hour(h0)}`;
    const lon = -76.5 + 0.3 * r();
    const lat = 37.0 + 0.16 * r();
    const param = ["temp", "salt", "zeta"][k % 3] as string;
    switch (k % 5) {
      case 0:
      case 1:
        out.push(`/collections/cbofs/position?coords=${q(`POINT(${lon.toFixed(4)} ${lat.toFixed(4)})`)}&parameter-name=${param}${when}`);
        break;
      case 2:
        out.push(`/collections/cbofs/area?coords=${q(`POLYGON((${lon} ${lat}, ${lon + 0.15} ${lat}, ${lon + 0.15} ${lat + 0.1}, ${lon} ${lat + 0.1}, ${lon} ${lat}))`)}&parameter-name=${param}${when}`);
        break;
      case 3:
        out.push(`/collections/cbofs/cube?bbox=${[lon - 0.2, lat - 0.1, lon + 0.2, lat + 0.1].map((v) => v.toFixed(4)).join(",")}&parameter-name=${param === "zeta" ? "temp" : param}&z=${-0.9 + 0.4 * (k % 3)}${when}`);
        break;
      default: {
        const station = fixture.records[k % fixture.records.length]?.station.id ?? "";
        out.push(`/collections/stations/locations/${encodeURIComponent(station)}`);
      }
    }
  }
  return out;
}

async function answers(app: FastifyInstance, urls: string[], concurrency: number, check?: () => void): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < urls.length; i += concurrency) {
    const batch = await Promise.all(urls.slice(i, i + concurrency).map((url) => app.inject(url)));
    for (const r of batch) out.push(`${r.statusCode} ${r.body}`);
    check?.();
  }
  return out;
}

describe("one memory budget for every cache", () => {
  it("hundreds of distinct queries keep every cache together under the setting, answering as with a roomy budget", async () => {
    // What the two opened datasets and a few chunks need: far less than the queries touch.
    const probe = new DatasetRegistry({ datasets });
    const held = ((await probe.get("cbofs"))?.heldBytes ?? 0) + ((await probe.get("stations"))?.heldBytes ?? 0);
    const temp = (await probe.get("cbofs"))?.model.parameters.find((p) => p.name === "temp");
    const chunkBytes = (temp?.meta.chunks ?? []).reduce((a, b) => a * b, 4);
    expect(chunkBytes).toBeGreaterThan(0);
    const cacheBytes = held + 12 * chunkBytes;
    const urls = distinctQueries(300);
    // Grid queries are all distinct; a station's whole series repeats (that is what its document cache is for).
    const grid = urls.filter((u) => !u.includes("/locations/"));
    expect(new Set(grid).size).toBe(grid.length);

    const roomy = await buildDataApi({ datasets, revalidateMs: 60_000 });
    const tight = await buildDataApi({ datasets, cacheBytes, revalidateMs: 60_000 });
    try {
      const budget = tight.dataApi.registry.cache;
      expect(budget.maxBytes).toBe(cacheBytes);
      let peak = 0;
      const regionsSeen = new Set<string>();
      const within = () => {
        const s = budget.stats();
        peak = Math.max(peak, s.bytes);
        expect(s.bytes).toBeLessThanOrEqual(cacheBytes);
        // The regions and the room reserved for chunks being decoded add up to the total.
        expect(Object.values(s.regions).reduce((a, r) => a + r.bytes, s.reserved)).toBe(s.bytes);
        for (const [name, r] of Object.entries(s.regions)) if (r.entries > 0) regionsSeen.add(name);
      };
      const expected = await answers(roomy, urls, 8);
      const got = await answers(tight, urls, 8, within);
      expect(got).toEqual(expected);
      expect(got.filter((a) => a.startsWith("200 ")).length).toBeGreaterThan(urls.length * 0.9);
      // Every kind of cache was used, and the budget was full at some point: it bounded something.
      expect([...regionsSeen].sort()).toEqual(["chunks", "datasets", "documents"]);
      expect(peak).toBeGreaterThan(cacheBytes - 2 * chunkBytes);
      // The tight budget evicted: it decoded far more chunks than the roomy one (which kept all).
      const roomyChunks = roomy.dataApi.registry.chunks;
      const tightChunks = tight.dataApi.registry.chunks;
      expect(roomyChunks.budget.bytes).toBeGreaterThan(cacheBytes);
      expect(tightChunks.misses).toBeGreaterThan(1.5 * roomyChunks.misses);
      // Evicted chunks' memory was decoded into again (the store is zlib, inflated natively).
      expect(tightChunks.reused).toBeGreaterThan(0);
      expect(budget.stats().reserved).toBe(0);
    } finally {
      await roomy.close();
      await tight.close();
    }
  });

  it("a dataset larger than the whole budget is answered, reopened per request, not kept, and warned about once", async () => {
    const warnings: string[] = [];
    const registry = new DatasetRegistry({ datasets, cacheBytes: 1024, warn: (m) => warnings.push(m) });
    const a = await registry.get("cbofs");
    const b = await registry.get("cbofs");
    expect(a).toBeDefined();
    expect(b).not.toBe(a);
    expect(registry.cache.bytes).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^dataset cbofs: .* more than the whole cache budget \(0 MiB, --cache-mb\)/);
  });

  it("an opened dataset is charged up front for the k-d tree it builds later", async () => {
    const registry = new DatasetRegistry({ datasets });
    const ds = await registry.get("cbofs");
    const grid = ds?.grids.values().next().value;
    if (ds === undefined || grid === undefined) throw new Error("cbofs not opened");
    const wet = grid.wet.reduce((a, w) => a + w, 0);
    const before = registry.cache.stats().regions.datasets.bytes;
    expect(before).toBe(ds.heldBytes);
    expect(ds.heldBytes).toBeGreaterThanOrEqual(grid.lon.byteLength + grid.lat.byteLength + grid.wet.byteLength + wet * 28);
    grid.index().nearest(-76.4, 37.05);
    expect(registry.cache.stats().regions.datasets.bytes).toBe(before);
  });

  it("regions share one LRU but never each other's keys", () => {
    const budget = new CacheBudget(1000);
    const chunks = budget.chunks<Uint8Array>();
    const docs = budget.region<Buffer>("documents");
    chunks.set(7, new Uint8Array(400), 400);
    docs.set("7", Buffer.alloc(300), 300);
    expect(chunks.get(7)?.byteLength).toBe(400);
    expect(docs.get("7")?.byteLength).toBe(300);
    docs.set("8", Buffer.alloc(400), 400);
    // 1100 > 1000: the least recently used (chunk 7) went.
    expect(chunks.get(7)).toBeUndefined();
    expect(budget.stats()).toMatchObject({ bytes: 700, reserved: 0, entries: 2, regions: { chunks: { bytes: 0, entries: 0 }, documents: { bytes: 700, entries: 2 } } });
    // A reservation counts against the budget, evicts the oldest, and hands back a value of its own region.
    chunks.set(9, new Uint8Array(200), 200);
    expect(docs.deleteWhere((k) => k === "7")).toBe(1);
    // Held: document 8 (400), chunk 9 (200). 600 + 500 > 1000: document 8 goes; chunk 9 stays.
    expect(chunks.reserve(500, () => true)).toBeUndefined();
    expect(budget.stats()).toMatchObject({ bytes: 700, reserved: 500, regions: { chunks: { entries: 1 }, documents: { entries: 0 } } });
    // 200 + 500 + 400 > 1000: chunk 9 goes, and is handed back for reuse.
    expect(chunks.reserve(400, (v) => v.byteLength === 200)?.byteLength).toBe(200);
    chunks.release(900);
    expect(budget.bytes).toBe(0);
    docs.set("8", Buffer.alloc(400), 400);
    expect(docs.deleteWhere((k) => k === "8")).toBe(1);
    expect(docs.set("big", Buffer.alloc(1001), 1001)).toBe(false);
    expect(() => new CacheBudget(0)).toThrow(/cache budget: expected a positive number of bytes, got 0/);
  });

  it("serves Zarr passthrough requests from the metadata alone when the opened dataset does not fit the budget", async () => {
    const reads: string[] = [];
    const app = await buildDataApi({
      datasets,
      cacheBytes: 4096,
      revalidateMs: 60_000,
      openStore: async (url) => {
        const store = new FileStore(url.replace(/^file:\/\//, ""));
        const get = store.get.bind(store);
        store.get = async (key) => {
          reads.push(key);
          return get(key);
        };
        return store;
      },
    });
    try {
      const metadata = await app.inject({ url: "/datasets/cbofs/zarr/.zmetadata" });
      expect(metadata.statusCode).toBe(200);
      const zeta = (JSON.parse(metadata.body) as { metadata: Record<string, { chunks?: number[] }> }).metadata["zeta/.zarray"];
      expect(zeta?.chunks?.length).toBe(3);
      for (let step = 0; step < 10; step++) expect((await app.inject({ url: `/datasets/cbofs/zarr/zeta/${step}.0.0` })).statusCode).toBe(200);
      // Ten chunks and one metadata document served: the coordinates were never read, the
      // consolidated metadata once for the model (and once more served), nothing reopened.
      expect(reads.filter((k) => /lon_rho|lat_rho|mask_rho|ocean_time\//.test(k))).toEqual([]);
      expect(reads.filter((k) => k === "/.zmetadata").length).toBeLessThanOrEqual(2);
      expect(reads.filter((k) => k.startsWith("/zeta/"))).toHaveLength(10);
      // An EDR query still opens the dataset (reopened per request at this budget, with a warning).
      expect((await app.inject({ url: "/collections/cbofs/position?coords=POINT(-76.4%2037.05)&parameter-name=zeta" })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
