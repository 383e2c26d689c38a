// A truncated file, or one on another grid, is refused with a message naming the file and the
// problem; nothing of it lands in the store, and the other files are still ingested.
import { afterAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ingest, openSource, readConsolidated, FileStore, type Ledger } from "../../dataplane/index.js";
import { compareWithXarray } from "./xarray.js";
import { cycleAt, fvcomFile, romsFile, tempDir, truncatedCopy } from "./fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const c00 = cycleAt("2023-10-22T00:00:00Z");

describe("refused files", () => {
  it("truncated NetCDF-4 and NetCDF-3 files are refused before any read", async () => {
    const roms = romsFile(join(tmp.path, "ok"), { cycle: c00, kind: "f", hour: 1 });
    const fvcom = fvcomFile(join(tmp.path, "ok"), { cycle: c00, kind: "f", hour: 1 });
    const cutRoms = truncatedCopy(roms, join(tmp.path, "cut", "roms.nc"), 0.7);
    const cutFvcom = truncatedCopy(fvcom, join(tmp.path, "cut", "fvcom.nc"), 0.9);
    await expect(openSource(cutRoms)).rejects.toThrow(/roms\.nc: truncated/);
    await expect(openSource(cutFvcom)).rejects.toThrow(/fvcom\.nc: truncated/);
    await expect(openSource(join(tmp.path, "nope.nc"))).rejects.toThrow(/nope\.nc: cannot read/);
  });

  it("an ingest refuses the bad files, keeps the good ones, and writes nothing of the bad", async () => {
    const src = join(tmp.path, "mixed");
    const good = [1, 2, 3].map((hour) => romsFile(src, { cycle: c00, kind: "f", hour }));
    const otherGrid = romsFile(join(tmp.path, "shifted"), { cycle: c00, kind: "f", hour: 4 }, { lonShift: 0.5 });
    const cut = truncatedCopy(romsFile(join(tmp.path, "tocut"), { cycle: c00, kind: "f", hour: 5 }), join(tmp.path, "cut2", "nos.cbofs.fields.f005.20231022.t00z.nc"), 0.5);
    const fvcom = fvcomFile(join(tmp.path, "fv"), { cycle: c00, kind: "f", hour: 6 });
    const store = join(tmp.path, "mixed.zarr");
    const report = await ingest({ store, inputs: [good[0] as string, otherGrid, good[1] as string, cut, fvcom, good[2] as string], concurrency: 0 });

    const byInput = new Map(report.files.map((f) => [f.input, f]));
    expect(good.map((g) => byInput.get(g)?.status)).toEqual(["ingested", "ingested", "ingested"]);
    expect(byInput.get(otherGrid)?.status).toBe("refused");
    expect(byInput.get(otherGrid)?.reason).toMatch(new RegExp(`^${otherGrid}: does not match the dataset's grid: variable lon_rho differs`));
    expect(byInput.get(cut)?.reason).toMatch(new RegExp(`^${cut}: truncated`));
    expect(byInput.get(fvcom)?.reason).toMatch(/nos.ngofs2.fields.f006.20231022.t00z.nc: has no dimension ocean_time/);
    expect(report.lengths[""]).toBe(3);

    // Only the good files' time steps exist: in the ledger, in the metadata and as chunks.
    const state = await readConsolidated<Ledger>(new FileStore(store));
    expect(state?.ledger?.groups[""]?.map((s) => s.source)).toEqual(good.map((g) => g.split("/").pop()));
    expect(state?.hierarchy.arrays.zeta?.meta.shape[0]).toBe(3);
    expect(readdirSync(join(store, "zeta")).filter((f) => !f.startsWith("."))).toEqual(["0.0.0", "1.0.0", "2.0.0"]);
    const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: good.map((p) => [p, 0]) });
    expect(cmp.detail).toBe("");
  });

  it("a file with the right grid but an out-of-order time is refused for append", async () => {
    const src = join(tmp.path, "order");
    const store = join(tmp.path, "order.zarr");
    await ingest({ store, inputs: [romsFile(src, { cycle: c00, kind: "f", hour: 3 })], concurrency: 0 });
    const early = romsFile(src, { cycle: c00, kind: "f", hour: 1 });
    const r = await ingest({ store, inputs: [early], concurrency: 0 });
    expect(r.files[0]?.status).toBe("refused");
    expect(r.files[0]?.reason).toContain(`${early}: time 2023-10-22T01:00:00Z falls before the first time 2023-10-22T03:00:00Z of the aggregation's time axis`);
  });

  // Mid-axis insertion: a file whose steps fall between steps already in the store.
  for (const type of ["append", "best-forecast"] as const) {
    it(`${type}: a time between two stored steps is refused, naming its neighbours; the store is unchanged`, async () => {
      const src = join(tmp.path, `mid-${type}`);
      const store = join(tmp.path, `mid-${type}.zarr`);
      const kept = [1, 3, 5].map((hour) => romsFile(src, { cycle: c00, kind: "f", hour }));
      await ingest({ store, inputs: kept, aggregation: { type }, concurrency: 0 });
      const before = readdirSync(join(store, "temp")).sort();
      const mid = romsFile(src, { cycle: c00, kind: "f", hour: 4 });
      const later = romsFile(src, { cycle: c00, kind: "f", hour: 6 });
      const r = await ingest({ store, inputs: [mid, later], aggregation: { type }, concurrency: 0 });
      const byInput = new Map(r.files.map((f) => [f.input, f]));
      expect(byInput.get(mid)?.status).toBe("refused");
      expect(byInput.get(mid)?.reason).toBe(
        `${mid}: time 2023-10-22T04:00:00Z falls between 2023-10-22T03:00:00Z and 2023-10-22T05:00:00Z (indices 1 and 2) of the aggregation's time axis; ` +
          "steps are only added after its last time 2023-10-22T05:00:00Z (inserting would rewrite every later chunk), so ingest such files into a new store in time order",
      );
      // The file after the axis's end still goes in; nothing of the refused one does.
      expect(byInput.get(later)?.status).toBe("ingested");
      expect(r.lengths[""]).toBe(4);
      expect(readdirSync(join(store, "temp")).sort()).toEqual([...before, "3.0.0.0"].sort());
      const cmp = await compareWithXarray({ store, concatDim: "ocean_time", sources: [...kept, later].map((p) => [p, 0]) });
      expect(cmp.detail).toBe("");
    });
  }
});
