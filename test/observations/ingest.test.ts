// Station observations (issue #20): the three CF DSG timeSeries layouts and ERDDAP CSV ingest to
// the same store, which xarray (/usr/bin/python3, no DSG code) opens and matches to the inputs
// value by value; appends are idempotent; overlaps keep the newer file's values and say so; a
// file with an unknown station or other units is refused naming both. Fixtures are written at
// test time by ncgen (Debian netcdf-bin) from samples/stations.ts.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ingest } from "../../dataplane/index.js";
import { storeFiles } from "../dataplane/store-snapshot.js";
import { dsgCdl, stationFixture, writeCsv, writeDsg, type StationFixture } from "../../samples/stations.js";

const dir = mkdtempSync(join(tmpdir(), "dmac-obs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = fileURLToPath(new URL("./observations_xarray.py", import.meta.url));

function expectedJson(f: StationFixture, name: string, flags?: Record<string, Record<string, number[]>>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({
    times: f.times,
    variables: ["sea_water_temperature", "water_level"],
    units: { water_level: "m", sea_water_temperature: "degree_C" },
    records: f.records.map((r) => ({ id: r.station.id, name: r.station.name, platform: r.station.platform, lon: r.station.lon, lat: r.station.lat, z: r.station.z, variable: r.station.variable, times: r.times, values: r.values })),
    ...(flags !== undefined ? { flags } : {}),
  }));
  return path;
}

function xarrayCheck(expected: string, ...stores: string[]): void {
  expect(execFileSync("/usr/bin/python3", [script, expected, ...stores], { encoding: "utf8" }).trim()).toBe("ok");
}

/** Every file of a store with its bytes: "nothing changed" means this is equal before and after. */
const snapshot = (root: string) => storeFiles(root);

const obs = (store: string, inputs: string[], extra: Partial<Parameters<typeof ingest>[0]> = {}) => ingest({ store, inputs, featureType: "timeSeries", ...extra });

describe("observations ingest", () => {
  const fixture = stationFixture({ hours: 48 });
  const inputs = {
    orthogonal: writeDsg(join(dir, "orthogonal.nc"), fixture, "orthogonal", "nc4"),
    "contiguous-ragged": writeDsg(join(dir, "contiguous.nc"), fixture, "contiguous-ragged", "classic"),
    "indexed-ragged": writeDsg(join(dir, "indexed.nc"), fixture, "indexed-ragged", "nc4"),
    "erddap-csv": writeCsv(join(dir, "erddap.csv"), fixture),
  };

  it("each DSG layout and the ERDDAP CSV make the same store, equal to the inputs value by value (xarray)", async () => {
    const stores: string[] = [];
    for (const [layout, input] of Object.entries(inputs)) {
      const store = join(dir, `${layout}.zarr`);
      const report = await obs(store, [input]);
      expect(report.files[0]?.status, report.files[0]?.reason).toBe("ingested");
      expect(report.files[0]?.reason).toContain(`(${layout})`);
      expect(report.lengths[""]).toBe(fixture.times.length);
      stores.push(store);
    }
    xarrayCheck(expectedJson(fixture, "all"), ...stores);
  });

  it("ingesting the same file again changes nothing (every byte of the store stays)", async () => {
    for (const [layout, input] of Object.entries(inputs)) {
      const store = join(dir, `${layout}.zarr`);
      const before = snapshot(store);
      const report = await obs(store, [input]);
      expect(report.files[0]?.status).toBe("skipped");
      expect(report.files[0]?.reason).toContain("already in the store");
      expect(report.bytesWritten).toBe(0);
      expect(snapshot(store)).toEqual(before);
    }
    // Another layout of the same observations is the same data too.
    const store = join(dir, "orthogonal.zarr");
    const before = snapshot(store);
    const report = await obs(store, [inputs["erddap-csv"], inputs["indexed-ragged"]]);
    expect(report.files.map((f) => f.status)).toEqual(["skipped", "skipped"]);
    expect(snapshot(store)).toEqual(before);
  });

  it("appends later times; overlapping times keep the newer file's values and the report says which", async () => {
    const store = join(dir, "append.zarr");
    const first = stationFixture({ hours: 48 });
    const later = stationFixture({ start: Date.UTC(2026, 11, 2), hours: 48, offset: 0.5 });
    await obs(store, [writeDsg(join(dir, "first.nc"), first, "orthogonal")]);
    const report = await obs(store, [writeCsv(join(dir, "later.csv"), later)]);
    const outcome = report.files[0];
    expect(outcome?.status).toBe("ingested");
    expect(outcome?.reason).toMatch(/overlapping times: kept this file's newer values for 24 values of water_level at station 8574680 \(2026-12-02T00:00:00Z to 2026-12-02T23:00:00Z\)/);
    expect(report.timeSteps).toBe(24);
    // The expected store: first's values, then later's wherever later has a value.
    const merged: StationFixture = {
      times: [...new Set([...first.times, ...later.times])].sort((a, b) => a - b),
      records: first.records.map((r, i) => {
        const l = later.records[i] as (typeof later.records)[number];
        const byTime = new Map(r.times.map((t, k) => [t, r.values[k] as number]));
        l.times.forEach((t, k) => byTime.set(t, l.values[k] as number));
        const times = [...byTime.keys()].sort((a, b) => a - b);
        return { station: r.station, times, values: times.map((t) => byTime.get(t) as number) };
      }),
    };
    xarrayCheck(expectedJson(merged, "merged"), store);
  });

  it("refuses a file with mismatched units or an unknown station, naming both, and leaves the store as it was", async () => {
    const store = join(dir, "refusals.zarr");
    await obs(store, [inputs.orthogonal]);
    const before = snapshot(store);
    const feet = writeDsg(join(dir, "feet.nc"), stationFixture({ hours: 72 }), "contiguous-ragged", "nc4", { water_level: "ft" });
    const unknownCdl = dsgCdl(stationFixture({ hours: 72 }), "indexed-ragged").replace(/ station_index = 0,/, " station_index = 9,");
    writeFileSync(join(dir, "unknown.cdl"), unknownCdl);
    execFileSync("ncgen", ["-k", "nc4", "-o", join(dir, "unknown.nc"), join(dir, "unknown.cdl")]);
    const moved = stationFixture({ hours: 72 });
    const movedCsv = writeCsv(join(dir, "moved.csv"), { ...moved, records: moved.records.map((r, i) => (i === 1 ? { ...r, station: { ...r.station, lat: r.station.lat + 0.01 } } : r)) });
    const report = await obs(store, [feet, join(dir, "unknown.nc"), movedCsv]);
    expect(report.files.map((f) => f.status)).toEqual(["refused", "refused", "refused"]);
    expect(report.files[0]?.reason).toBe(`${feet}: variable water_level is in "ft" here but "m" in the store; convert it (UDUNITS-2 converts one to the other) or use another Dataset`);
    expect(report.files[1]?.reason).toBe(`${join(dir, "unknown.nc")}: observation 0 belongs to station index 9 (station_index), which is no station of the 7 in station_id: an unknown station`);
    expect(report.files[2]?.reason).toContain(`${movedCsv}: station 8575512 is at lon -76.4816, lat 38.9933`);
    expect(report.files[2]?.reason).toContain("but at lon -76.4816, lat 38.9833, z 0 in the store");
    expect(snapshot(store)).toEqual(before);
    // Units are compared by UDUNITS-2, not by spelling: "meter" is the store's "m".
    const meters = writeDsg(join(dir, "meters.nc"), stationFixture({ hours: 72 }), "contiguous-ragged", "nc4", { water_level: "meter" });
    const seconds = writeDsg(join(dir, "seconds.nc"), stationFixture({ hours: 72 }), "contiguous-ragged", "nc4", { water_level: "s" });
    const again = await obs(store, [meters, seconds]);
    expect(again.files[0]?.status).not.toBe("refused");
    expect(again.files[1]?.reason).toBe(`${seconds}: variable water_level is in "s" here but "m" in the store, which are not even the same quantity; use another variable name or Dataset`);
  });

  it("refuses a grid file or a trajectory, and options that do not apply to station stores", async () => {
    const store = join(dir, "kinds.zarr");
    writeFileSync(join(dir, "traj.cdl"), dsgCdl(fixture, "orthogonal").replace(':featureType = "timeSeries"', ':featureType = "trajectory"'));
    execFileSync("ncgen", ["-k", "nc4", "-o", join(dir, "traj.nc"), join(dir, "traj.cdl")]);
    const report = await obs(store, [join(dir, "traj.nc")]);
    expect(report.files[0]?.reason).toBe(`${join(dir, "traj.nc")}: featureType is trajectory; this Dataset takes timeSeries (trajectories, e.g. gliders, are not supported yet)`);
    await expect(obs(store, [inputs.orthogonal], { format: "zarr-v3" })).rejects.toThrow("featureType timeSeries: not supported for station observations: storage format zarr-v3");
  });

  it("stores QARTOD flags from the IngestJob's tests beside each variable, along each station's own series", async () => {
    const store = join(dir, "qc.zarr");
    const f = stationFixture({ hours: 48 });
    const gauge = f.records[0] as (typeof f.records)[number];
    gauge.values[10] = 3; // a 3 m spike at Baltimore
    const qualityControl = { enabled: true, onFailure: "flag" as const, cfChecks: false, variables: [{ variable: "water_level", grossRange: { failMin: -2, failMax: 2.5, suspectMin: -1, suspectMax: 1 } }] };
    const report = await obs(store, [writeDsg(join(dir, "spike.nc"), f, "indexed-ragged")], { qualityControl });
    expect(report.files[0]?.status).toBe("ingested");
    const flags = gauge.values.map((v) => (v > 2.5 ? 4 : v > 1 || v < -1 ? 3 : 1));
    const expected = Array.from(f.times, (t) => flags[gauge.times.indexOf(t)] ?? 9);
    xarrayCheck(expectedJson(f, "qc", { water_level: { [gauge.station.id]: expected } }), store);
    const refused = await obs(join(dir, "qc-refuse.zarr"), [join(dir, "spike.nc")], { qualityControl: { ...qualityControl, onFailure: "refuse" } });
    expect(refused.files[0]?.reason).toBe(`${join(dir, "spike.nc")}: refused by quality control (onFailure: refuse): 1 value of water_level at station 8574680 fail`);
  });
});

describe("dmac convert --feature-type timeSeries", () => {
  const bin = fileURLToPath(new URL("../../bin/dmac.js", import.meta.url));
  const dmac = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, DMAC_FROM_SOURCE: "1" }, encoding: "utf8" });

  it("converts DSG and CSV files into a station store, with --qc setting the flags, and refuses --references", () => {
    const f = stationFixture({ hours: 24 });
    const nc = writeDsg(join(dir, "cli", "gauges.nc"), f, "contiguous-ragged");
    const csv = writeCsv(join(dir, "cli", "later.csv"), stationFixture({ start: Date.UTC(2026, 11, 2), hours: 24 }));
    const qc = join(dir, "cli", "qc.yaml");
    writeFileSync(qc, "variables:\n  - variable: water_level\n    grossRange: { failMin: -3, failMax: 3, suspectMin: -0.2, suspectMax: 0.6 }\n");
    const out = join(dir, "cli", "stations.zarr");
    const run = dmac(["convert", nc, csv, "--out", out, "--feature-type", "timeSeries", "--qc", qc, "--no-progress"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("2 given, 2 ingested, 0 skipped, 0 refused");
    expect(run.stdout).toContain("store now 48");
    const flags = JSON.parse(execFileSync("/usr/bin/python3", ["-c", `import xarray as xr, json\nds = xr.open_zarr(${JSON.stringify(out)})\nprint(json.dumps(sorted(set(int(x) for x in ds.water_level_qc.values.ravel()))))`], { encoding: "utf8" })) as number[];
    expect(flags).toEqual([1, 3, 9]);
    const refs = dmac(["convert", nc, "--references", join(dir, "cli", "refs.json"), "--feature-type", "timeSeries"]);
    expect(refs.status).toBe(1);
    expect(refs.stderr).toContain("--feature-type timeSeries: station observations are copied into a station store (--out), not referenced");
  });
});
