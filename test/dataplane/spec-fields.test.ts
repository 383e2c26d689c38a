// Each API field the ingest used to drop, made real: IngestJob variables (include/exclude with the
// coordinates and grid variables they need), format (magic bytes), Dataset aggregation cycle and
// runType (other cycles skipped), dimensions[].size (refused, naming dimension, expected and
// found), storage.format zarr-v3. Stores are checked with xarray (the reference reader) where it
// can read them.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ingest, ingestOptionsFor, openStore, readConsolidated, type Ledger } from "../../dataplane/index.js";
import { sampleDomains } from "../../crds/samples.js";
import type { Dataset, IngestJob } from "../../crds/index.js";
import { cycleAt, fvcomFile, romsFile, tempDir } from "./fixtures.js";
import { forecasts, nowcasts } from "../support/cycle-files.js";

const tmp = tempDir("dmac-fields-");
afterAll(() => tmp.cleanup());
const c00 = cycleAt("2023-10-22T00:00:00Z");
const c06 = cycleAt("2023-10-22T06:00:00Z");
const samples = fileURLToPath(new URL("../../samples/data/cbofs/", import.meta.url));

/** Variables of a store as xarray opens it: data variables and coordinates, by name. */
function xarrayVariables(store: string): { data: string[]; coords: string[] } {
  const out = execFileSync("/usr/bin/python3", ["-c", `import json, xarray as xr
ds = xr.open_zarr(${JSON.stringify(store)}, consolidated=True)
print(json.dumps({"data": sorted(ds.data_vars), "coords": sorted(ds.coords)}))`], { encoding: "utf8" });
  return JSON.parse(out) as { data: string[]; coords: string[] };
}

async function arrays(store: string): Promise<string[]> {
  const state = await readConsolidated<Ledger>(await openStore(store));
  return Object.keys(state?.hierarchy.arrays ?? {}).sort();
}

describe("IngestJob spec.variables", () => {
  it("the shipped CBOFS sample writes exactly its six variables plus the coordinates and grid variables they need (xarray)", async () => {
    const domain = sampleDomains("local", "unused").find((d) => d.objects.some((o) => o.kind === "IngestJob" && o.metadata.name === "cbofs-forecast"));
    const job = domain?.objects.find((o): o is IngestJob => o.kind === "IngestJob");
    const dataset = domain?.objects.find((o): o is Dataset => o.kind === "Dataset" && o.metadata.name === job?.spec.datasetRef.name);
    if (job === undefined || dataset === undefined) throw new Error("no CBOFS sample");
    expect(job.spec.variables?.include).toEqual(["temp", "salt", "zeta", "u", "v", "mask_rho"]);
    const inputs = readdirSync(samples, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".nc")).map((f) => join(samples, f));
    const store = join(tmp.path, "sample.zarr");
    const report = await ingest({ ...ingestOptionsFor(dataset, job), store, inputs, concurrency: 0 });
    expect(report.files.filter((f) => f.status === "refused")).toEqual([]);
    const { data, coords } = xarrayVariables(store);
    // Time-dependent data: exactly the listed ones. The rest is what they need: CF coordinates
    // (lon/lat of each grid, s_rho), s_rho's formula terms (h, hc), ROMS land masks per grid.
    expect(data.filter((v) => !["h", "hc", "mask_rho", "mask_u", "mask_v"].includes(v))).toEqual(["salt", "temp", "u", "v", "zeta"]);
    expect([...data, ...coords].sort()).toEqual(["h", "hc", "lat_rho", "lat_u", "lat_v", "lon_rho", "lon_u", "lon_v", "mask_rho", "mask_u", "mask_v", "ocean_time", "s_rho", "salt", "temp", "u", "v", "zeta"]);
    // Cs_w (on s_w, which no kept variable uses) is not.
    expect(await arrays(store)).not.toContain("Cs_w");
  });

  it("include: a listed variable a file lacks refuses that file, naming the variable", async () => {
    const src = join(tmp.path, "inc-src");
    const files = forecasts(c00, [1, 2]).map((f) => romsFile(src, f));
    const store = join(tmp.path, "include.zarr");
    const r = await ingest({ store, inputs: files, variables: { include: ["zeta", "u"] }, concurrency: 0 });
    expect(r.files.map((f) => f.status)).toEqual(["refused", "refused"]);
    expect(r.files[0]?.reason).toContain("variable u listed in variables.include is not in the file");
    expect(existsSync(join(store, ".zmetadata"))).toBe(false);
  });

  it("include: only zeta, its coordinates and the ROMS mask of its grid", async () => {
    const src = join(tmp.path, "zeta-src");
    const files = forecasts(c00, [1, 2]).map((f) => romsFile(src, f));
    const store = join(tmp.path, "zeta.zarr");
    const r = await ingest({ store, inputs: files, variables: { include: ["zeta"] }, model: "roms", concurrency: 0 });
    expect(r.timeSteps).toBe(2);
    expect(await arrays(store)).toEqual(["lat_rho", "lon_rho", "mask_rho", "ocean_time", "zeta"]);
    const { data } = xarrayVariables(store);
    expect(data).toEqual(["mask_rho", "zeta"]);
  });

  it("exclude: the excluded data variables are gone, what the others need stays", async () => {
    const src = join(tmp.path, "exc-src");
    const files = forecasts(c00, [1]).map((f) => romsFile(src, f));
    const store = join(tmp.path, "exclude.zarr");
    await ingest({ store, inputs: files, variables: { exclude: ["salt", "zeta", "lon_rho"] }, concurrency: 0 });
    const names = await arrays(store);
    expect(names).not.toContain("salt");
    expect(names).toContain("temp");
    // zeta was excluded although s_rho's formula_terms name it (time-dependent data, not grid);
    // lon_rho comes back: temp's coordinates need it.
    expect(names).not.toContain("zeta");
    expect(names).toContain("lon_rho");
  });

  it("FVCOM: a node variable keeps the triangle table nv (the model's grid) and its coordinates", async () => {
    const src = join(tmp.path, "fvcom-src");
    const files = nowcasts(c00, [1, 2]).map((f) => fvcomFile(src, f));
    const store = join(tmp.path, "fvcom.zarr");
    const without = await ingest({ store: join(tmp.path, "fvcom-generic.zarr"), inputs: files, variables: { include: ["zeta"] }, concurrency: 0 });
    expect(without.timeSteps).toBe(2);
    expect(await arrays(join(tmp.path, "fvcom-generic.zarr"))).not.toContain("nv");
    await ingest({ store, inputs: files, variables: { include: ["zeta"] }, model: "fvcom", concurrency: 0 });
    expect(await arrays(store)).toEqual(["lat", "lon", "nv", "time", "zeta"]);
  });
});

describe("IngestJob spec.format", () => {
  it("a file whose magic bytes disagree is refused, naming both formats", async () => {
    const nc4 = forecasts(c00, [1]).map((f) => romsFile(join(tmp.path, "fmt-roms"), f));
    const nc3 = nowcasts(c00, [1]).map((f) => fvcomFile(join(tmp.path, "fmt-fvcom"), f));
    const a = await ingest({ store: join(tmp.path, "fmt-a.zarr"), inputs: nc4, inputFormat: "netcdf3", concurrency: 0 });
    expect(a.files[0]?.status).toBe("refused");
    expect(a.files[0]?.reason).toContain("is netcdf4 (HDF5) by its magic bytes, not netcdf3");
    const b = await ingest({ store: join(tmp.path, "fmt-b.zarr"), inputs: nc3, inputFormat: "netcdf4", concurrency: 0 });
    expect(b.files[0]?.reason).toContain("is netcdf3 (classic) by its magic bytes, not netcdf4");
    const ok = await ingest({ store: join(tmp.path, "fmt-c.zarr"), inputs: nc4, inputFormat: "netcdf4", concurrency: 0 });
    expect(ok.files[0]?.status).toBe("ingested");
  });
});

describe("Dataset spec.dimensions[].size", () => {
  it("a file with another length is refused, naming dimension, expected and found", async () => {
    const files = forecasts(c00, [1, 2]).map((f) => romsFile(join(tmp.path, "dims-src"), f));
    const store = join(tmp.path, "dims.zarr");
    const r = await ingest({ store, inputs: files, dimensionSizes: { xi_rho: 8, eta_rho: 5 }, concurrency: 0 });
    expect(r.files.map((f) => f.status)).toEqual(["refused", "refused"]);
    expect(r.files[0]?.reason).toContain("dimension xi_rho has length 7; the Dataset's dimensions expect 8");
    const missing = await ingest({ store, inputs: files, dimensionSizes: { node: 3 }, concurrency: 0 });
    expect(missing.files[0]?.reason).toContain("has no dimension node (the Dataset's dimensions expect length 3)");
    const right = await ingest({ store, inputs: files, dimensionSizes: { xi_rho: 7, eta_rho: 5 }, concurrency: 0 });
    expect(right.timeSteps).toBe(2);
  });
});

describe("Dataset spec.aggregation.cycle and runType (model-run)", () => {
  it("from a prefix holding two cycles, only the Dataset's cycle is ingested; the other is skipped, not failed", async () => {
    const src = join(tmp.path, "cycles");
    const files = [...forecasts(c00, [1, 2, 3]), ...forecasts(c06, [1, 2, 3])].map((f) => romsFile(src, f));
    const store = join(tmp.path, "cycle.zarr");
    // Without a cycle the newest is taken; with one, that one, although it is older.
    const r = await ingest({ store, inputs: files, aggregation: { type: "model-run", cycle: "2023-10-22T00:00:00Z" }, concurrency: 0 });
    expect(r.files.slice(0, 3).map((f) => f.status)).toEqual(["ingested", "ingested", "ingested"]);
    expect(r.files.slice(3).map((f) => f.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(r.files[3]?.reason).toContain("belongs to cycle 2023-10-22T06:00:00Z; the Dataset's aggregation.cycle is 2023-10-22T00:00:00Z");
    const state = await readConsolidated<Ledger>(await openStore(store));
    expect(state?.ledger?.cycleMs).toBe(c00.getTime());
    expect(state?.ledger?.groups.forecast?.map((s) => s.cycleMs)).toEqual([c00.getTime(), c00.getTime(), c00.getTime()]);
    // Another cycle for an existing store is refused whole.
    await expect(ingest({ store, inputs: files, aggregation: { type: "model-run", cycle: "2023-10-22T06:00:00Z" } })).rejects.toThrow("aggregation.cycle: the store holds cycle 2023-10-22T00:00:00Z, not 2023-10-22T06:00:00Z");
  });

  it("runType keeps only forecast or only nowcast files; the others are skipped", async () => {
    const src = join(tmp.path, "runtype");
    const files = [...nowcasts(c00, [4, 5]), ...forecasts(c00, [1, 2])].map((f) => romsFile(src, f));
    const store = join(tmp.path, "runtype.zarr");
    const r = await ingest({ store, inputs: files, aggregation: { type: "model-run", cycle: "2023-10-22T00:00:00Z", runType: "forecast" }, concurrency: 0 });
    expect(r.files.map((f) => f.status)).toEqual(["skipped", "skipped", "ingested", "ingested"]);
    expect(r.files[0]?.reason).toContain("is a nowcast file; the Dataset's aggregation.runType is forecast");
    expect(r.lengths).toEqual({ forecast: 2 });
  });

  it("cycle and runType are refused on other aggregations", async () => {
    await expect(ingest({ store: join(tmp.path, "x.zarr"), inputs: [], aggregation: { type: "append", cycle: "2023-10-22T00:00:00Z" } })).rejects.toThrow("apply only to the model-run aggregation");
  });
});

describe("Dataset spec.storage.format", () => {
  it("zarr-v3 writes a v3 store (root zarr.json, no .zmetadata)", async () => {
    const files = forecasts(c00, [1, 2]).map((f) => romsFile(join(tmp.path, "v3-src"), f));
    const store = join(tmp.path, "v3.zarr");
    mkdirSync(store, { recursive: true });
    await ingest({ ...ingestOptionsFor({ spec: { storage: { format: "zarr-v3" } } }, { spec: {} }), store, inputs: files, concurrency: 0 });
    expect(existsSync(join(store, "zarr.json"))).toBe(true);
    expect(existsSync(join(store, ".zmetadata"))).toBe(false);
    expect(existsSync(join(store, "zeta", "c", "0", "0", "0"))).toBe(true);
  });
});
