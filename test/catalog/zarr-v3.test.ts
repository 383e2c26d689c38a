// STAC records of a Zarr v3 Dataset (storage.format zarr-v3): the collection and its item, built
// as the CatalogEntry operator builds them from the store, validate and say what the same files
// ingested as v2 say (bbox, time interval, cube dimensions and variables).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCycleItem, buildDatasetCollection, type StacCollection, type StacItem } from "../../catalog/index.js";
import type { CatalogEntry, Dataset } from "../../crds/index.js";
import { ingest, openStore } from "../../dataplane/index.js";
import { readExtent } from "../../operators/dataset/extent.js";
import { collectionInput, datasetItemInput } from "../../operators/catalogentry/stac.js";
import { cycleAt, romsFile, tempDir } from "../dataplane/fixtures.js";
import { forecasts } from "../support/cycle-files.js";
import { loadStacValidators, schemaErrors } from "./stac-schemas.js";

const tmp = tempDir("dmac-stac-v3-");
const v = loadStacValidators();
const records: Record<string, { collection: StacCollection; item: StacItem | undefined }> = {};

const entry = (): CatalogEntry => ({
  apiVersion: "dmac.ioos.us/v1alpha1",
  kind: "CatalogEntry",
  metadata: { name: "cbofs", namespace: "maracoos" },
  spec: { datasetRef: { name: "cbofs" }, collection: { id: "cbofs", title: "CBOFS", description: "Chesapeake Bay", license: "CC0-1.0" }, itemGranularity: "dataset" },
}) as CatalogEntry;

const dataset = (format: "zarr-v2" | "zarr-v3"): Dataset => ({
  apiVersion: "dmac.ioos.us/v1alpha1",
  kind: "Dataset",
  metadata: { name: "cbofs", namespace: "maracoos" },
  spec: { storage: { url: "file:///cbofs.zarr", format }, model: "roms", aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, catalog: { enabled: false }, deletionPolicy: "Retain" },
}) as Dataset;

beforeAll(async () => {
  const files = forecasts(cycleAt("2023-10-22T00:00:00Z"), [1, 2, 3]).map((f) => romsFile(join(tmp.path, "src"), f));
  for (const format of ["zarr-v2", "zarr-v3"] as const) {
    const store = join(tmp.path, `${format}.zarr`);
    await ingest({ store, inputs: files, format, concurrency: 0 });
    const extent = await readExtent(await openStore(store));
    if (extent === undefined) throw new Error(`${format}: no extent`);
    const item = datasetItemInput(entry(), dataset(format), extent);
    records[format] = { collection: buildDatasetCollection(collectionInput(entry(), dataset(format), extent)), item: item === undefined ? undefined : buildCycleItem(item) };
  }
});
afterAll(() => tmp.cleanup());

describe("STAC from a Zarr v3 store", () => {
  it("the collection validates and equals the v2 twin's: bbox, time interval, cube dimensions and variables", () => {
    const { collection } = records["zarr-v3"] ?? {};
    expect(schemaErrors(v.collection, collection)).toBe("");
    expect(schemaErrors(v.datacube, collection)).toBe("");
    expect(collection?.extent.temporal.interval).toEqual([["2023-10-22T01:00:00Z", "2023-10-22T03:00:00Z"]]);
    expect(collection?.extent.spatial.bbox[0]?.every(Number.isFinite)).toBe(true);
    expect(collection).toEqual(records["zarr-v2"]?.collection);
  });

  it("the dataset item validates and covers the store's time range", () => {
    const { item } = records["zarr-v3"] ?? {};
    expect(item).toBeDefined();
    expect(schemaErrors(v.item, item)).toBe("");
    expect(item?.properties.start_datetime).toBe("2023-10-22T01:00:00.000Z");
    expect(item?.properties.end_datetime).toBe("2023-10-22T03:00:00.000Z");
    expect(item).toEqual(records["zarr-v2"]?.item);
  });
});
