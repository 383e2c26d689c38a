import { describe, expect, it } from "vitest";
import { buildCycleItem, buildDatasetCollection, CatalogInputError } from "../../catalog/index.js";
import { cbofsCollection, cycleItems } from "./fixtures.js";
import { loadStacValidators, schemaErrors } from "./stac-schemas.js";

const v = loadStacValidators();

describe("STAC builders", () => {
  it("builds a CBOFS collection that validates against STAC 1.0.0 and datacube 2.2.0", () => {
    const c = cbofsCollection();
    expect(schemaErrors(v.collection, c)).toBe("");
    expect(schemaErrors(v.datacube, c)).toBe("");
    expect(c.assets?.zarr).toMatchObject({ type: "application/vnd+zarr", roles: ["data", "zarr"], href: "s3://ioos-dmac/cbofs/cbofs.zarr" });
    expect(c["cube:dimensions"]?.ocean_time).toMatchObject({ type: "temporal", extent: ["2026-11-01T00:00:00Z", null] });
    expect(c["cube:dimensions"]?.s_rho).toMatchObject({ type: "spatial", axis: "z" });
    expect(c["cube:variables"]?.mask_rho).toMatchObject({ type: "auxiliary", dimensions: ["eta_rho", "xi_rho"] });
  });

  it("builds a regular-grid collection with x/y spatial dimensions", () => {
    const c = buildDatasetCollection({
      id: "rtofs-global", title: "RTOFS", description: "Global HYCOM", license: "CC0-1.0", bbox: [0, -80, 360, 90],
      timeInterval: ["2026-11-01T00:00:00Z", "2026-11-09T00:00:00Z"],
      dimensions: [
        { name: "time", kind: "time", values: ["2026-11-01T00:00:00Z"] },
        { name: "lat", kind: "y", extent: [-80, 90] },
        { name: "lon", kind: "x", extent: [0, 360] },
      ],
      variables: [{ name: "sst", dimensions: ["time", "lat", "lon"], unit: "degC" }],
      storeUrl: "file:///data/rtofs.zarr",
    });
    expect(schemaErrors(v.collection, c)).toBe("");
    expect(schemaErrors(v.datacube, c)).toBe("");
    expect(c["cube:dimensions"]?.lon).toEqual({ type: "spatial", axis: "x", extent: [0, 360], reference_system: 4326 });
  });

  it("builds cycle items that validate, with the cycle as datetime and the forecast range", () => {
    const [item] = cycleItems("cbofs", 1);
    expect(schemaErrors(v.item, item)).toBe("");
    expect(item?.properties).toMatchObject({ datetime: "2026-11-01T00:00:00.000Z", start_datetime: "2026-11-01T00:00:00.000Z", end_datetime: "2026-11-03T00:00:00.000Z" });
    expect(item?.id).toBe("cbofs-20261101T0000Z");
  });

  it("validates items that carry the datacube fields", () => {
    const c = cbofsCollection();
    const item = buildCycleItem({
      collectionId: "cbofs", cycleTime: "2026-11-02T06:00:00Z", timeInterval: ["2026-11-02T06:00:00Z", "2026-11-04T06:00:00Z"],
      bbox: [-77.3, 36.7, -75.5, 39.6], storeUrl: "s3://b/c.zarr", cube: { dimensions: c["cube:dimensions"] ?? {}, variables: c["cube:variables"] ?? {} },
    });
    expect(schemaErrors(v.item, item)).toBe("");
    expect(schemaErrors(v.datacube, item)).toBe("");
  });

  it("builds an item for the whole dataset: no cycle, datetime null, the interval alone, still valid STAC", () => {
    const item = buildCycleItem({ collectionId: "cbofs", timeInterval: ["2026-11-02T06:00:00Z", "2026-11-04T06:00:00Z"], bbox: [-77.3, 36.7, -75.5, 39.6], storeUrl: "s3://b/c.zarr" });
    expect(item.id).toBe("cbofs-all");
    expect(item.properties.datetime).toBeNull();
    expect(item.properties).toMatchObject({ start_datetime: "2026-11-02T06:00:00.000Z", end_datetime: "2026-11-04T06:00:00.000Z" });
    expect(item.properties["dmac:cycle_time"]).toBeUndefined();
    expect(schemaErrors(v.item, item)).toBe("");
  });

  it.each([
    [{ id: "bad id" }, "id"],
    [{ bbox: [1, 2, 3] }, "bbox"],
    [{ bbox: [0, 50, 1, 40] }, "bbox"],
    [{ timeInterval: ["2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z"] }, "timeInterval"],
    [{ timeInterval: ["yesterday", null] }, "timeInterval[0]"],
    [{ storeUrl: "not a url" }, "storeUrl"],
    [{ variables: [{ name: "temp", dimensions: ["nope"] }] }, "variables[0].dimensions[0]"],
    [{ dimensions: [{ name: "lon", kind: "x" }] }, "dimensions[0].extent"],
  ])("rejects bad input %j naming the field", (patch, field) => {
    const base = { ...cbofsInput(), ...patch } as Parameters<typeof buildDatasetCollection>[0];
    let caught: unknown;
    try {
      buildDatasetCollection(base);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CatalogInputError);
    expect((caught as CatalogInputError).field).toBe(field);
  });
});

function cbofsInput(): Parameters<typeof buildDatasetCollection>[0] {
  return {
    id: "cbofs", title: "CBOFS", description: "d", license: "CC0-1.0", bbox: [-77.3, 36.7, -75.5, 39.6], timeInterval: ["2026-11-01T00:00:00Z", null],
    dimensions: [{ name: "ocean_time", kind: "time", extent: ["2026-11-01T00:00:00Z", null] }], variables: [{ name: "zeta", dimensions: ["ocean_time"] }],
    storeUrl: "s3://b/cbofs.zarr",
  };
}
