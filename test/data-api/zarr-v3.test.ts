// A Zarr v3 Dataset (storage.format zarr-v3) served by the data API: every query answers what the
// same files ingested as v2 answer (the v3 chunk keys are c/i/j/k; reading them as v2 keys gave
// fill values), the passthrough serves the v3 keys, and a new commit is seen (the v3 commit point
// is the root zarr.json). Also the shipped CBOFS sample: u and v on their own staggered grids.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { ingest } from "../../dataplane/index.js";
import { buildDataApi } from "../../apps/data-api/index.js";
import { romsFile, tempDir, type CycleFile } from "../dataplane/fixtures.js";
import { CYCLE } from "./stores.js";

const tmp = tempDir("dmac-data-api-v3-");
const forecast = (hours: number[]): CycleFile[] => hours.map((hour) => ({ cycle: CYCLE, kind: "f" as const, hour }));
const src = join(tmp.path, "src");
const v2 = join(tmp.path, "v2.zarr");
const v3 = join(tmp.path, "v3.zarr");
const sample = join(tmp.path, "sample.zarr");
let app: FastifyInstance;

beforeAll(async () => {
  const files = forecast([1, 2, 3]).map((f) => romsFile(src, f));
  await ingest({ store: v2, inputs: files, concurrency: 0 });
  await ingest({ store: v3, inputs: files, format: "zarr-v3", concurrency: 0 });
  const samples = fileURLToPath(new URL("../../samples/data/cbofs/cbofs.20231022/", import.meta.url));
  await ingest({ store: sample, inputs: readdirSync(samples).filter((f) => f.includes("t00z")).map((f) => join(samples, f)), format: "zarr-v3", concurrency: 0 });
  app = await buildDataApi({ datasets: [{ id: "v2", url: v2 }, { id: "v3", url: v3 }, { id: "sample", url: sample }], maxValues: 5000, revalidateMs: 0 });
});
afterAll(async () => {
  await app?.close();
  tmp.cleanup();
});

const q = (wkt: string) => encodeURIComponent(wkt);
/** A response with the collection id and links taken out, for comparing two collections' answers. */
const body = (raw: string, id: string) => raw.split(`/${id}/`).join("/ID/").split(`"${id}"`).join('"ID"');

describe("data API on a Zarr v3 store", () => {
  for (const [name, path] of [
    ["position", `position?coords=${q("POINT(-76.4 37.05)")}&parameter-name=zeta,temp,salt`],
    ["area", `area?coords=${q("POLYGON((-76.5 37,-76.3 37,-76.3 37.1,-76.5 37.1,-76.5 37))")}&parameter-name=temp`],
    ["cube", `cube?bbox=-76.5,37,-76.3,37.1&parameter-name=zeta&f=CSV`],
  ] as const) {
    it(`${name}: the same answer as the v2 store of the same files`, async () => {
      const a = await app.inject(`/collections/v2/${path}`);
      const b = await app.inject(`/collections/v3/${path}`);
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(200);
      expect(body(b.body, "v3")).toEqual(body(a.body, "v2"));
      // Not fill values: the v2 answer has real numbers.
      expect(a.body).toMatch(/\d\.\d/);
    });
  }

  it("the collection links the v3 metadata and the extents equal the v2 store's", async () => {
    const a = (await app.inject("/collections/v2")).json();
    const b = (await app.inject("/collections/v3")).json();
    expect(b.extent).toEqual(a.extent);
    expect(b.links.find((l: { rel: string }) => l.rel === "alternate").href).toMatch(/\/datasets\/v3\/zarr\/zarr\.json$/);
  });

  it("the passthrough serves the root zarr.json, array zarr.json and c/ chunk keys, and nothing else", async () => {
    const root = await app.inject("/datasets/v3/zarr/zarr.json");
    expect(root.statusCode).toBe(200);
    expect(root.json().consolidated_metadata.metadata.zeta.shape).toEqual([3, 5, 7]);
    expect((await app.inject("/datasets/v3/zarr/zeta/zarr.json")).json().dimension_names).toEqual(["ocean_time", "eta_rho", "xi_rho"]);
    const chunk = await app.inject("/datasets/v3/zarr/zeta/c/1/0/0");
    expect(chunk.statusCode).toBe(200);
    expect(Buffer.compare(chunk.rawPayload, readFileSync(join(v3, "zeta", "c", "1", "0", "0")))).toBe(0);
    for (const bad of ["/datasets/v3/zarr/.zmetadata", "/datasets/v3/zarr/zeta/1.0.0", "/datasets/v3/zarr/zeta/c/9/0/0", "/datasets/v3/zarr/zeta/c/1/0", "/datasets/v3/zarr/zeta/c/01/0/0"])
      expect((await app.inject(bad)).statusCode, bad).toBe(404);
  });

  it("a new commit to the v3 store is served (the root zarr.json is the freshness signature)", async () => {
    const before = (await app.inject("/collections/v3")).json().extent.temporal.interval[0];
    await ingest({ store: v3, inputs: forecast([4]).map((f) => romsFile(src, f)), concurrency: 0 });
    const after = (await app.inject("/collections/v3")).json().extent.temporal.interval[0];
    expect(after[1]).not.toEqual(before[1]);
    expect(after[1]).toBe("2023-10-22T04:00:00Z");
  });

  it("the CBOFS sample: u and v are served on their own staggered grids, with values", async () => {
    const grids = (await app.inject("/datasets/sample")).json().grids.map((g: { lon: string; mask?: string }) => `${g.lon} ${g.mask}`);
    expect(grids).toEqual(["lon_rho mask_rho", "lon_u mask_u", "lon_v mask_v"]);
    for (const p of ["u", "v", "temp"]) {
      const res = await app.inject(`/collections/sample/position?coords=${q("POINT(-76.2 37.2)")}&parameter-name=${p}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().ranges[p].values.some((x: number | null) => typeof x === "number"), p).toBe(true);
    }
  });
});
