// Benchmark: STAC /search with bbox and datetime over 100,000 items in the embedded (PGlite)
// catalog, over a real HTTP socket. Target: p50 under 20 ms.
//   npx tsx bench/api/search.ts [--items 100000] [--queries 500] [--catalog <dir>]
// A given --catalog directory is reused when it already holds the items (faster reruns).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startCatalogApi } from "../../apps/catalog-api/server.js";
import { buildCycleItem, buildDatasetCollection, openCatalog } from "../../catalog/index.js";
import type { StacItem } from "../../catalog/index.js";

const { values: args } = parseArgs({ options: { items: { type: "string", default: "100000" }, queries: { type: "string", default: "500" }, catalog: { type: "string" } } });
const ITEMS = Number(args.items);
const QUERIES = Number(args.queries);
const COLLECTIONS = 20;
const T0 = Date.parse("2024-01-01T00:00:00Z");
const CYCLE_MS = 6 * 3600_000;

/** Deterministic pseudo-random numbers so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(7);

/** Model domains tiled along the US coasts, 6 x 4 degrees each. */
function domain(k: number): [number, number, number, number] {
  const west = -98 + (k % 10) * 3;
  const south = 24 + Math.floor(k / 10) * 10;
  return [west, south, west + 6, south + 4];
}

async function fill(location: string): Promise<void> {
  const store = await openCatalog(location);
  try {
    const existing = await store.searchItems({ limit: 1, offset: ITEMS - 1 });
    if (existing.records.length === 1) return;
    const perCollection = Math.ceil(ITEMS / COLLECTIONS);
    const started = performance.now();
    for (let c = 0; c < COLLECTIONS; c++) {
      const id = `model${String(c).padStart(2, "0")}`;
      const bbox = domain(c);
      await store.upsertCollection(buildDatasetCollection({
        id, title: `Model ${c}`, description: "benchmark collection", license: "CC0-1.0", bbox,
        timeInterval: [new Date(T0).toISOString(), null],
        dimensions: [{ name: "time", kind: "time", extent: [new Date(T0).toISOString(), null] }],
        variables: [{ name: "zeta", dimensions: ["time"] }], storeUrl: `s3://bench/${id}.zarr`,
      }));
      const items: StacItem[] = [];
      for (let k = 0; k < perCollection && c * perCollection + k < ITEMS; k++) {
        const cycle = T0 + k * CYCLE_MS;
        items.push(buildCycleItem({
          collectionId: id, cycleTime: new Date(cycle).toISOString(), timeInterval: [new Date(cycle).toISOString(), new Date(cycle + 48 * 3600_000).toISOString()],
          bbox, storeUrl: `s3://bench/${id}/${k}.zarr`, properties: { "dmac:cycle": k },
        }));
      }
      await store.upsertItems(id, items);
    }
    console.log(`loaded ${ITEMS} items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await store.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const ownDir = args.catalog === undefined ? mkdtempSync(join(tmpdir(), "dmac-bench-search-")) : undefined;
  const location = args.catalog ?? join(ownDir as string, "catalog");
  await fill(location);
  const server = await startCatalogApi({ catalog: location, port: 0 });
  try {
    const spanMs = (Math.ceil(ITEMS / COLLECTIONS) - 1) * CYCLE_MS;
    const query = () => {
      const [w, s, e, n] = domain(Math.floor(rnd() * COLLECTIONS));
      const x = w + rnd() * (e - w - 1);
      const y = s + rnd() * (n - s - 1);
      const start = T0 + rnd() * spanMs;
      const bbox = `${x.toFixed(3)},${y.toFixed(3)},${(x + 1.5).toFixed(3)},${(y + 1).toFixed(3)}`;
      const datetime = `${new Date(start).toISOString()}/${new Date(start + 3 * 86_400_000).toISOString()}`;
      return `${server.url}/search?bbox=${bbox}&datetime=${encodeURIComponent(datetime)}`;
    };
    for (let i = 0; i < 30; i++) await (await fetch(query())).arrayBuffer();
    const times: number[] = [];
    let returned = 0;
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      const r = await fetch(query());
      const body = (await r.json()) as { features: unknown[] };
      times.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`search answered ${r.status}`);
      returned += body.features.length;
    }
    times.sort((a, b) => a - b);
    const result = {
      benchmark: "STAC /search bbox+datetime, embedded PGlite catalog, HTTP",
      items: ITEMS,
      queries: QUERIES,
      meanFeaturesReturned: +(returned / QUERIES).toFixed(1),
      p50_ms: +percentile(times, 50).toFixed(2),
      p90_ms: +percentile(times, 90).toFixed(2),
      p99_ms: +percentile(times, 99).toFixed(2),
      target_p50_ms: 20,
    };
    console.log(JSON.stringify(result, null, 2));
    if (result.p50_ms >= 20) process.exitCode = 1;
  } finally {
    await server.close();
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
}

await main();
