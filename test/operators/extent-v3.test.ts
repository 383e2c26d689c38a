// The Dataset operator's extent reader on a Zarr v3 store (storage.format zarr-v3): bbox, time
// range, shape and steps equal those of the same files ingested as v2. Reading v3 chunks with v2
// keys gave fill values, so the bbox and times came out empty or wrong.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest, openStore } from "../../dataplane/index.js";
import { readExtent, type DatasetExtent } from "../../operators/dataset/extent.js";
import { cycleAt, fvcomFile, romsFile, tempDir } from "../dataplane/fixtures.js";
import { forecasts, nowcasts } from "../support/cycle-files.js";

const tmp = tempDir("dmac-extent-v3-");
const c00 = cycleAt("2023-10-22T00:00:00Z");
const extents: Record<string, DatasetExtent | undefined> = {};

beforeAll(async () => {
  const roms = forecasts(c00, [1, 2, 3]).map((f) => romsFile(join(tmp.path, "src"), f));
  const fvcom = nowcasts(c00, [1, 2]).map((f) => fvcomFile(join(tmp.path, "src"), f, { times: false }));
  for (const format of ["zarr-v2", "zarr-v3"] as const) {
    await ingest({ store: join(tmp.path, `roms-${format}.zarr`), inputs: roms, format, concurrency: 0 });
    await ingest({ store: join(tmp.path, `fvcom-${format}.zarr`), inputs: fvcom, format, concurrency: 0 });
    extents[`roms-${format}`] = await readExtent(await openStore(join(tmp.path, `roms-${format}.zarr`)));
    extents[`fvcom-${format}`] = await readExtent(await openStore(join(tmp.path, `fvcom-${format}.zarr`)));
  }
});
afterAll(() => tmp.cleanup());

describe("extent reader on Zarr v3", () => {
  for (const model of ["roms", "fvcom"]) {
    it(`${model}: the v3 store's extent equals its v2 twin's, with a real bbox and time range`, () => {
      const v2 = extents[`${model}-zarr-v2`];
      const v3 = extents[`${model}-zarr-v3`];
      expect(v2?.bbox).toHaveLength(4);
      expect(v2?.bbox?.every(Number.isFinite)).toBe(true);
      expect(v3?.bbox).toEqual(v2?.bbox);
      expect(v3?.timeStart).toBe(v2?.timeStart);
      expect(v3?.timeEnd).toBe(v2?.timeEnd);
      expect(v3?.times).toEqual(v2?.times);
      expect(v3?.shape).toEqual(v2?.shape);
      expect(v3?.timeSteps).toBe(v2?.timeSteps);
    });
  }
  it("roms: the time range is the files' valid times", () => {
    expect(extents["roms-zarr-v3"]?.timeStart).toBe("2023-10-22T01:00:00Z");
    expect(extents["roms-zarr-v3"]?.timeEnd).toBe("2023-10-22T03:00:00Z");
  });
});
