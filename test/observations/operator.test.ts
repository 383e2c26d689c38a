// Station observations through the operators (issue #20): a Dataset with featureType timeSeries
// and an IngestJob listing an ERDDAP CSV and a CF DSG NetCDF file; the job Succeeds, the Dataset
// reports its extent, the QARTOD tests of the IngestJob set the stored flags, and the catalog holds
// one STAC Item per station (Point geometry, datacube) valid against the official schemas
// (../shared/schemas). Real embedded control plane, operator and catalog (test/support/operator-stack.ts).
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCatalogApi } from "../../apps/catalog-api/app.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { datasets, ingestJobs, ResourceClient } from "../../operators/client.js";
import { CHESAPEAKE_STATIONS, stationFixture, writeCsv, writeDsg } from "../../samples/stations.js";
import { loadStacValidators, schemaErrors } from "../catalog/stac-schemas.js";
import { startOperatorStack, type OperatorStack } from "../support/operator-stack.js";
import { until } from "../support/until.js";

describe("station observations through the operators", () => {
  let stack: OperatorStack;
  beforeAll(async () => {
    stack = await startOperatorStack({ tempPrefix: "dmac-obs-operator-", namespace: "maracoos", servedKind: { apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset" }, operator: { identity: "test-operator", resyncMs: 2000 } });
  }, 120_000);
  afterAll(() => stack.stop());

  it("ingests CSV and DSG files into a station store with QARTOD flags, and publishes one valid STAC item per station", async () => {
    const first = stationFixture({ hours: 24 });
    const second = stationFixture({ start: Date.UTC(2026, 11, 2), hours: 24 });
    const csv = writeCsv(join(stack.inputs, "erddap", "day1.csv"), first);
    const nc = writeDsg(join(stack.inputs, "dsg", "day2.nc"), second, "contiguous-ragged");
    const fileUrl = (p: string) => `file:///${relative(stack.inputs, p)}`;
    const sets = new ResourceClient<Dataset>(stack.kc, datasets);
    const jobs = new ResourceClient<IngestJob>(stack.kc, ingestJobs);
    await sets.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "Dataset", metadata: { name: "stations", namespace: "maracoos" },
      spec: {
        storage: { url: "file:///stations.zarr", format: "zarr-v2" }, featureType: "timeSeries", model: "generic",
        aggregation: { type: "append", concatDim: "time" }, encoding: { codec: "zlib", level: 1 },
        catalog: { enabled: true, title: "Chesapeake stations", license: "CC0-1.0", description: "tide gauges and buoys" }, deletionPolicy: "Retain",
      },
    });
    await jobs.create({
      apiVersion: "dmac.ioos.us/v1alpha1", kind: "IngestJob", metadata: { name: "stations", namespace: "maracoos" },
      spec: {
        source: { urls: [fileUrl(csv), fileUrl(nc)], credentials: { anonymous: true } }, format: "auto",
        qualityControl: { enabled: true, onFailure: "flag", cfChecks: true, variables: [{ variable: "water_level", grossRange: { failMin: -3, failMax: 3, suspectMin: -0.2, suspectMax: 0.6 } }] },
        datasetRef: { name: "stations" }, executor: { type: "local" }, parallelism: 1, retryLimit: 1, suspend: false,
      },
    });
    const job = await until("IngestJob Succeeded", async () => {
      const j = await jobs.get("maracoos", "stations");
      return j?.status?.phase === "Succeeded" ? j : undefined;
    }, 60_000);
    expect(job.status?.items).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    const ds = await until("Dataset extent", async () => {
      const d = await sets.get("maracoos", "stations");
      return d?.status?.timeSteps === 48 ? d : undefined;
    }, 30_000);
    expect(ds.status?.extent?.timeStart).toBe("2026-12-01T00:00:00Z");
    expect(ds.status?.extent?.timeEnd).toBe("2026-12-02T23:00:00Z");
    const lons = CHESAPEAKE_STATIONS.map((s) => s.lon);
    expect(ds.status?.extent?.bbox).toEqual([Math.min(...lons), Math.min(...CHESAPEAKE_STATIONS.map((s) => s.lat)), Math.max(...lons), Math.max(...CHESAPEAKE_STATIONS.map((s) => s.lat))]);

    // The IngestJob's gross range test set the flags (suspect above 0.6 m), computed here independently.
    const store = join(stack.stores, "stations.zarr");
    const flags = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `import xarray as xr, json\nds = xr.open_zarr(${JSON.stringify(store)}, consolidated=True)\ns = ds.sel(station="8575512")\nprint(json.dumps({"v": [None if x != x else float(x) for x in s.water_level.values], "f": [int(x) for x in s.water_level_qc.values]}))`], { encoding: "utf8" })) as { v: (number | null)[]; f: number[] };
    expect(flags.f).toEqual(flags.v.map((v) => (v === null ? 9 : v > 0.6 || v < -0.2 ? 3 : 1)));
    expect(flags.f).toContain(3);

    const items = await until("station items published", async () => {
      const page = await stack.catalog.searchItems({ collections: ["maracoos-stations"], limit: 100, offset: 0 });
      return page.records.length === CHESAPEAKE_STATIONS.length ? page.records : undefined;
    }, 30_000);
    // As the STAC API serves them (it adds the links the store leaves to it).
    const api = await buildCatalogApi({ store: stack.catalog });
    const served = (await api.inject({ url: "/collections/maracoos-stations/items?limit=100" })).json() as { features: typeof items };
    await api.close();
    expect(served.features).toHaveLength(CHESAPEAKE_STATIONS.length);
    const validators = loadStacValidators();
    for (const item of served.features) {
      expect(schemaErrors(validators.item, item), item.id).toBe("");
      expect(schemaErrors(validators.datacube, item), item.id).toBe("");
    }
    const annapolis = items.find((i) => i.id === "maracoos-stations-8575512");
    expect(annapolis?.geometry).toEqual({ type: "Point", coordinates: [-76.4816, 38.9833] });
    expect(annapolis?.properties).toMatchObject({ title: "Annapolis, MD", "dmac:station_id": "8575512", "dmac:platform": "water level station", start_datetime: "2026-12-01T00:00:00.000Z", end_datetime: "2026-12-02T23:00:00.000Z" });
    expect(annapolis?.properties["cube:variables"]).toEqual({ water_level: { dimensions: ["station", "time"], type: "data", unit: "m", description: "water level above MLLW" } });
    const collection = await stack.catalog.getCollection("maracoos-stations");
    expect(schemaErrors(validators.collection, collection)).toBe("");
    expect(schemaErrors(validators.datacube, collection)).toBe("");
  }, 120_000);
});
