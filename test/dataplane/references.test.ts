// Acceptance for no-copy references: the kerchunk document opened by xarray through fsspec's
// reference:// file system equals the sources combined by xarray (xarray_compare.py), for the
// NetCDF-4 (ROMS, RTOFS) and NetCDF-3 (FVCOM classic and 64-bit offset) families, single files
// and each aggregation; and what cannot be referenced in place is refused with the reason.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReferences, openSource, writeReferences, type ReferenceOptions } from "../../dataplane/index.js";
import { hdf5Storage } from "../../dataplane/references/hdf5-storage.js";
import { netcdf3Storage } from "../../dataplane/references/netcdf3-storage.js";
import { compareWithXarray } from "./xarray.js";
import { expectedBest } from "./expected.js";
import { cycleAt, fvcomFile, fvcomTimes, romsFile, rtofsFile, rtofsValidTime, tempDir, validTime, type CycleFile } from "./fixtures.js";
import { forecasts, nowcasts } from "../support/cycle-files.js";

const tmp = tempDir("dmac-refs-");
afterAll(() => tmp.cleanup());

const c00 = cycleAt("2023-10-22T00:00:00Z");
const c06 = cycleAt("2023-10-22T06:00:00Z");
const FVCOM = { undecodable: ["Itime2"], drop: ["siglay", "siglev"] };
const rewrite = fileURLToPath(new URL("./rewrite_nc.py", import.meta.url));

let written = 0;
/** Builds the references, writes them, and returns the document's path with the report. */
async function references(inputs: string[], opts: Omit<ReferenceOptions, "inputs"> = {}) {
  const result = await buildReferences({ inputs: inputs.map((path) => ({ path })), ...opts });
  const out = join(tmp.path, `refs-${written++}.json`);
  if (result.document !== undefined) await writeReferences(out, result.document);
  return { out, ...result };
}

function viaReferences(out: string) {
  return { store: "reference://", storageOptions: { fo: out } };
}

type Doc = { version: number; refs: Record<string, unknown> };
const readDoc = (out: string): Doc => JSON.parse(readFileSync(out, "utf8")) as Doc;
const zarray = (doc: Doc, path: string): Record<string, unknown> => JSON.parse(doc.refs[`${path}/.zarray`] as string) as Record<string, unknown>;

describe("ROMS (NetCDF-4: deflate + shuffle chunks, contiguous grids)", () => {
  const src = join(tmp.path, "roms");

  it("one file: chunks referenced in place with their HDF5 codecs, equal to the source", async () => {
    const file = romsFile(src, { cycle: c00, kind: "f", hour: 1 });
    const r = await references([file], { inlineThreshold: 0 });
    expect(r.report.files).toEqual([{ input: file, status: "referenced", timeSteps: 1 }]);
    const doc = readDoc(r.out);
    expect(doc.version).toBe(1);
    expect(JSON.parse(doc.refs[".zmetadata"] as string)).toMatchObject({ zarr_consolidated_format: 1 });
    expect(zarray(doc, "temp")).toMatchObject({ dtype: "<f4", chunks: [1, 3, 5, 7], compressor: { id: "zlib", level: 1 }, filters: [{ id: "shuffle", elementsize: 4 }], fill_value: Math.fround(1e37) });
    expect(zarray(doc, "salt")).toMatchObject({ dtype: "<i2", compressor: { id: "zlib" }, filters: null, fill_value: -32767 });
    const ref = doc.refs["temp/0.0.0.0"] as [string, number, number];
    expect(ref[0]).toBe(file);
    expect(ref[1]).toBeGreaterThan(0);
    // The referenced bytes are the compressed chunk (zlib stream header 0x78).
    expect(readFileSync(file)[ref[1]]).toBe(0x78);
    // The one-value-per-step coordinate is always inlined; contiguous grids are referenced at threshold 0.
    expect(doc.refs["ocean_time/0"]).toMatch(/^base64:/);
    expect(doc.refs["h/0.0"]).toEqual([file, expect.any(Number), 280]);
    const cmp = await compareWithXarray({ ...viaReferences(r.out), concatDim: "ocean_time", sources: [[file, 0]] });
    expect(cmp.detail).toBe("");
    expect(cmp.identical).toBe(true);

    // With the default threshold (500 bytes) the small grids are inlined instead; same dataset.
    const small = await references([file]);
    expect(readDoc(small.out).refs["h/0.0"]).toMatch(/^base64:/);
    expect(small.report.arrays.inlined).toBeGreaterThan(r.report.arrays.inlined);
    expect((await compareWithXarray({ ...viaReferences(small.out), concatDim: "ocean_time", sources: [[file, 0]] })).detail).toBe("");
  });

  it("append: files in time order, a file on another grid refused by the grid check", async () => {
    const files = forecasts(c00, [1, 2, 3, 4]).map((f) => romsFile(src, f));
    const shifted = romsFile(join(src, "shifted"), { cycle: c00, kind: "f", hour: 5 }, { lonShift: 0.5 });
    const r = await references([files[2], files[0], shifted, files[3], files[1]] as string[], { inlineThreshold: 0 });
    expect(r.report.lengths).toEqual({ "": 4 });
    const refused = r.report.files.filter((f) => f.status === "refused");
    expect(refused).toEqual([{ input: shifted, status: "refused", reason: expect.stringMatching(/does not match the dataset's grid: variable lon_rho differs/), timeSteps: 0 }]);
    const doc = readDoc(r.out);
    expect(zarray(doc, "zeta")).toMatchObject({ shape: [4, 5, 7], chunks: [1, 5, 7] });
    expect((doc.refs["zeta/3.0.0"] as string[])[0]).toBe(files[3]);
    const cmp = await compareWithXarray({ ...viaReferences(r.out), concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(4);
  });

  it("model run: nowcast and forecast groups of one cycle; another cycle refused", async () => {
    const now = nowcasts(c06, [4, 5, 6]).map((f) => romsFile(src, f));
    const fore = forecasts(c06, [1, 2, 3]).map((f) => romsFile(src, f));
    const other = romsFile(src, { cycle: c00, kind: "f", hour: 2 });
    const r = await references([...fore, other, ...now], { aggregation: { type: "model-run" }, inlineThreshold: 0 });
    expect(r.report.lengths).toEqual({ forecast: 3, nowcast: 3 });
    expect(r.report.files.find((f) => f.input === other)).toMatchObject({ status: "refused", reason: expect.stringContaining("belongs to cycle 2023-10-22T00:00:00Z") });
    for (const [group, files] of [["forecast", fore], ["nowcast", now]] as const) {
      const cmp = await compareWithXarray({ ...viaReferences(r.out), group, concatDim: "ocean_time", sources: files.map((p) => [p, 0]) });
      expect(cmp.detail).toBe("");
    }
  });

  it("best forecast: the smallest lead per valid time, nowcasts skipped", async () => {
    const all = [...forecasts(c00, [1, 2, 3, 4, 5, 6, 7, 8]), ...forecasts(c06, [1, 2, 3, 4]), ...nowcasts(c06, [5, 6])].map((f) => ({ f, path: romsFile(src, f), valid: validTime(f).getTime() }));
    const r = await references(all.map((x) => x.path), { aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
    expect(r.report.lengths).toEqual({ "": 10 });
    // 06z f001/f002 supersede 00z f007/f008 (valid at the same times, shorter leads).
    expect(r.report.files.filter((f) => f.status === "skipped").map((f) => f.reason)).toEqual([
      expect.stringMatching(/f007\.20231022\.t00z\.nc: superseded/),
      expect.stringMatching(/f008\.20231022\.t00z\.nc: superseded/),
      expect.stringContaining("nowcast"),
      expect.stringContaining("nowcast"),
    ]);
    const cmp = await compareWithXarray({ ...viaReferences(r.out), concatDim: "ocean_time", sources: expectedBest(all) });
    expect(cmp.detail).toBe("");
    expect(cmp.times).toHaveLength(10);
  });

  it("a chunk spanning several steps: whole chunks are referenced, a chunk the best forecast splits is refused", async () => {
    const dir = join(src, "multi");
    // Two files of two steps in one chunk each: 00z f001-f002 and 01z f001-f002 (valid 01-03 h).
    const c01 = cycleAt("2023-10-22T01:00:00Z");
    const make = (cycle: Date): string => {
      const parts = forecasts(cycle, [1, 2]).map((f) => romsFile(join(dir, "parts", cycle.toISOString().slice(11, 13)), f));
      const out = join(dir, `cbofs.20231022/nos.cbofs.fields.f001.20231022.t${cycle.toISOString().slice(11, 13)}z.nc`);
      execFileSync("mkdir", ["-p", join(dir, "cbofs.20231022")]);
      execFileSync("/usr/bin/python3", [rewrite, JSON.stringify({ sources: parts, out, concatDim: "ocean_time", timeChunk: 2 })]);
      return out;
    };
    const a = make(c00);
    const b = make(c01);
    const append = await references([a], { inlineThreshold: 0 });
    expect(zarray(readDoc(append.out), "temp")).toMatchObject({ shape: [2, 3, 5, 7], chunks: [2, 3, 5, 7] });
    expect((await compareWithXarray({ ...viaReferences(append.out), concatDim: "ocean_time", sources: [[a, 0], [a, 1]] })).detail).toBe("");

    // Valid 02 h: 00z has lead 2 h, 01z lead 1 h, so the best forecast wants step 0 of a's chunk only.
    const best = await references([a, b], { aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
    const refusedA = best.report.files.find((f) => f.input === a);
    expect(refusedA?.status).toBe("refused");
    expect(refusedA?.reason).toMatch(/cannot be referenced without copying: variable \w+ keeps 2 steps of ocean_time per chunk, and the best-forecast aggregation takes step 0 of its chunk of steps 0-1 but not step 1/);
    expect(best.report.files.find((f) => f.input === b)).toMatchObject({ status: "referenced", timeSteps: 2 });
    expect((await compareWithXarray({ ...viaReferences(best.out), concatDim: "ocean_time", sources: [[b, 0], [b, 1]] })).detail).toBe("");
  });

  it("append of a file whose last chunk is partly empty: the next file cannot start mid-chunk", async () => {
    const dir = join(src, "ragged");
    execFileSync("mkdir", ["-p", join(dir, "cbofs.20231022")]);
    const merged = (hours: number[]): string => {
      const parts = forecasts(c00, hours).map((f) => romsFile(join(dir, "parts"), f));
      const out = join(dir, "cbofs.20231022", `nos.cbofs.fields.f${String(hours[0]).padStart(3, "0")}.20231022.t00z.nc`);
      execFileSync("/usr/bin/python3", [rewrite, JSON.stringify({ sources: parts, out, concatDim: "ocean_time", timeChunk: 2 })]);
      return out;
    };
    const a = merged([1, 2, 3]);
    const b = merged([4, 5]);
    const r = await references([a, b], { inlineThreshold: 0 });
    expect(r.report.files.find((f) => f.input === b)).toMatchObject({ status: "refused", reason: expect.stringContaining("puts its step 0 at index 3, so indices 2-3 of the combined array are not one whole chunk of one file") });
    expect(zarray(readDoc(r.out), "temp")).toMatchObject({ shape: [3, 3, 5, 7], chunks: [2, 3, 5, 7] });
    expect((await compareWithXarray({ ...viaReferences(r.out), concatDim: "ocean_time", sources: [[a, 0], [a, 1], [a, 2]] })).detail).toBe("");
  });

  it("a filter Zarr cannot decode (fletcher32): refused with the reason, or inlined when small enough", async () => {
    const file = romsFile(join(src, "f32"), { cycle: c00, kind: "f", hour: 1 });
    const out = join(src, "f32", "cbofs.20231022", "nos.cbofs.fields.f001.20231022.t00z.checksummed.nc");
    execFileSync("/usr/bin/python3", [rewrite, JSON.stringify({ sources: [file], out, concatDim: "ocean_time", fletcher32: ["h"] })]);
    const refused = await references([out], { inlineThreshold: 0 });
    expect(refused.document).toBeUndefined();
    expect(refused.report.files[0]?.reason).toBe(`${out}: cannot be referenced without copying: variable h: its HDF5 filter 3 (fletcher32 checksum) has no Zarr (numcodecs) codec that reads HDF5's encoding`);
    const inlined = await references([out]);
    expect(readDoc(inlined.out).refs["h/0.0"]).toMatch(/^base64:/);
    expect((await compareWithXarray({ ...viaReferences(inlined.out), concatDim: "ocean_time", sources: [[out, 0]] })).detail).toBe("");
  });
});

describe("FVCOM (NetCDF-3: big-endian, record variables strided)", () => {
  const src = join(tmp.path, "fvcom");

  it("one file, classic and 64-bit offset: each record one chunk, fixed variables one chunk", async () => {
    const classic = fvcomFile(src, { cycle: c00, kind: "f", hour: 1 });
    const offset64 = join(src, "64bit", "ngofs2.20231022", "nos.ngofs2.fields.f001.20231022.t00z.nc");
    execFileSync("mkdir", ["-p", join(src, "64bit", "ngofs2.20231022")]);
    execFileSync("nccopy", ["-k", "64-bit-offset", classic, offset64]);
    expect(readFileSync(offset64).subarray(0, 4)).toEqual(Buffer.from([0x43, 0x44, 0x46, 0x02]));
    for (const file of [classic, offset64]) {
      const r = await references([file], { inlineThreshold: 0 });
      const doc = readDoc(r.out);
      expect(zarray(doc, "temp")).toMatchObject({ dtype: ">f4", shape: [1, 2, 7], chunks: [1, 2, 7], compressor: null, filters: null });
      expect(zarray(doc, "nv")).toMatchObject({ dtype: ">i4", shape: [3, 6], chunks: [3, 6] });
      expect(doc.refs["temp/0.0.0"]).toEqual([file, expect.any(Number), 2 * 7 * 4]);
      const cmp = await compareWithXarray({ ...viaReferences(r.out), concatDim: "time", ...FVCOM, sources: [[file, 0]] });
      expect(cmp.detail).toBe("");
    }
  });

  it("append and best forecast equal xarray's combination", async () => {
    const a = forecasts(c00, [1, 2, 3, 4, 5, 6, 7]).map((f) => ({ f, path: fvcomFile(src, f), valid: validTime(f).getTime() }));
    const b = [...forecasts(c06, [1, 2, 3]), ...nowcasts(c06, [6])].map((f) => ({ f, path: fvcomFile(src, f), valid: validTime(f).getTime() }));
    const append = await references(a.map((x) => x.path), { inlineThreshold: 0 });
    expect((await compareWithXarray({ ...viaReferences(append.out), concatDim: "time", ...FVCOM, sources: a.map((x) => [x.path, 0]) })).detail).toBe("");

    const best = await references([...b, ...a].map((x) => x.path), { aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
    expect(best.report.lengths).toEqual({ "": 9 });
    expect((await compareWithXarray({ ...viaReferences(best.out), concatDim: "time", ...FVCOM, sources: expectedBest([...a, ...b]) })).detail).toBe("");
  });

  it("model run", async () => {
    const fore = forecasts(c06, [1, 2]).map((f) => fvcomFile(src, f));
    const now = nowcasts(c06, [5, 6]).map((f) => fvcomFile(src, f));
    const r = await references([...now, ...fore], { aggregation: { type: "model-run" } });
    expect(r.report.lengths).toEqual({ forecast: 2, nowcast: 2 });
    for (const [group, files] of [["forecast", fore], ["nowcast", now]] as const)
      expect((await compareWithXarray({ ...viaReferences(r.out), group, concatDim: "time", ...FVCOM, sources: files.map((p) => [p, 0]) })).detail).toBe("");
  });
});

describe("FVCOM with its char Times variable (NetCDF-3 classic and NetCDF-4)", () => {
  for (const format of ["classic", "nc4"] as const) {
    it(`${format}: Times is inlined as |S1 and reads as the same strings; append and best forecast`, async () => {
      const src = join(tmp.path, `fvcom-times-${format}`);
      const a = forecasts(c00, [1, 2, 3, 4]).map((f) => ({ f, path: fvcomFile(src, f, { times: true, format }), valid: validTime(f).getTime() }));
      const b = forecasts(c06, [1, 2]).map((f) => ({ f, path: fvcomFile(src, f, { times: true, format }), valid: validTime(f).getTime() }));
      const append = await references(a.map((x) => x.path), { inlineThreshold: 0 });
      const doc = readDoc(append.out);
      expect(zarray(doc, "Times")).toMatchObject({ dtype: "|S1", shape: [4, 26], compressor: null });
      expect(doc.refs["Times/0.0"]).toMatch(/^base64:/);
      expect((await compareWithXarray({ ...viaReferences(append.out), concatDim: "time", ...FVCOM, sources: a.map((x) => [x.path, 0]) })).detail).toBe("");
      const read = `import xarray as xr; ds = xr.open_zarr("reference://", storage_options={"fo": ${JSON.stringify(append.out)}}, decode_times=False, drop_variables=["siglay", "siglev"]); print(",".join(v.decode() for v in ds.Times.values))`;
      expect(execFileSync("/usr/bin/python3", ["-c", read], { encoding: "utf8" }).trim()).toBe(a.map((x) => fvcomTimes(x.valid)).join(","));

      const best = await references([...a, ...b].map((x) => x.path), { aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
      expect((await compareWithXarray({ ...viaReferences(best.out), concatDim: "time", ...FVCOM, sources: expectedBest([...a, ...b]) })).detail).toBe("");
    });
  }
});

describe("RTOFS (NetCDF-4: deflate without shuffle, MT)", () => {
  const src = join(tmp.path, "rtofs");
  const d1 = cycleAt("2023-09-22T00:00:00Z");
  const d2 = cycleAt("2023-09-23T00:00:00Z");

  it("single file, append, best forecast and model run", async () => {
    const files = [...forecasts(d1, [12, 24, 36]), ...forecasts(d2, [12, 24]), ...nowcasts(d2, [0])].map((f) => ({ f, path: rtofsFile(src, f), valid: rtofsValidTime(f).getTime() }));
    const one = await references([files[0]?.path as string], { inlineThreshold: 0 });
    expect(zarray(readDoc(one.out), "ssh")).toMatchObject({ compressor: { id: "zlib" }, filters: null, fill_value: expect.closeTo(1.267651e30, -25) });
    expect((await compareWithXarray({ ...viaReferences(one.out), concatDim: "MT", sources: [[files[0]?.path as string, 0]] })).detail).toBe("");

    const d1files = files.filter((x) => x.f.cycle === d1);
    const append = await references(d1files.map((x) => x.path), { inlineThreshold: 0 });
    expect((await compareWithXarray({ ...viaReferences(append.out), concatDim: "MT", sources: d1files.map((x) => [x.path, 0]) })).detail).toBe("");

    const best = await references(files.map((x) => x.path), { aggregation: { type: "best-forecast" }, inlineThreshold: 0 });
    expect(best.report.lengths).toEqual({ "": 4 });
    expect((await compareWithXarray({ ...viaReferences(best.out), concatDim: "MT", sources: expectedBest(files) })).detail).toBe("");

    const d2files = files.filter((x) => x.f.cycle === d2);
    const run = await references(d2files.map((x) => x.path), { aggregation: { type: "model-run" }, inlineThreshold: 0 });
    expect(run.report.lengths).toEqual({ forecast: 2, nowcast: 1 });
    for (const kind of ["forecast", "nowcast"] as const) {
      const sources = d2files.filter((x) => (x.f.kind === "f") === (kind === "forecast")).map((x): [string, number] => [x.path, 0]);
      expect((await compareWithXarray({ ...viaReferences(run.out), group: kind, concatDim: "MT", sources })).detail).toBe("");
    }
  });
});

describe("variables the reader does not carry", () => {
  // A reference built without them would silently drop data, so the builder refuses such files
  // (character variables before the reader carries them; NetCDF-4 variables in subgroups).
  it("are listed by both storage scanners, and netCDF-4's pure dimensions are not", async () => {
    const c = cycleAt("2023-10-22T00:00:00Z");
    for (const [path, scan, name] of [
      [romsFile(join(tmp.path, "omitted"), { cycle: c, kind: "f", hour: 1 }), hdf5Storage, { name: "h", type: "<d" }],
      [fvcomFile(join(tmp.path, "omitted"), { cycle: c, kind: "f", hour: 1 }), netcdf3Storage, { name: "h", type: "float" }],
    ] as const) {
      const src = await openSource(path);
      try {
        const all = await scan(path, src.variables);
        expect(all.omitted).toEqual([]);
        expect([...all.variables.keys()].sort()).toEqual(src.variables.map((v) => v.name).sort());
        const without = await scan(path, src.variables.filter((v) => v.name !== "h"));
        expect(without.omitted).toEqual([name]);
      } finally {
        src.close();
      }
    }
  });

  it("refuses a NetCDF-4 file with a subgroup, naming it", async () => {
    mkdirSync(join(tmp.path, "grouped"), { recursive: true });
    const path = join(tmp.path, "grouped", "grouped.nc");
    const make = "import netCDF4, sys\nd = netCDF4.Dataset(sys.argv[1], 'w')\nd.createDimension('time', None)\nt = d.createVariable('time', 'f8', ('time',))\nt.units = 'hours since 2020-01-01'\nt[:] = [0]\nd.createGroup('extra').createVariable('x', 'f4', ())\nd.close()\n";
    execFileSync("/usr/bin/python3", ["-c", make, path]);
    const r = await buildReferences({ inputs: [{ path }] });
    expect(r.document).toBeUndefined();
    expect(r.report.files).toEqual([{ input: path, status: "refused", reason: `${path}: cannot be referenced: the reader does not carry variable(s) extra/ (group), so the references would leave them out`, timeSteps: 0 }]);
  });
});
