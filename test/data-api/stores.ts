// Test stores for the data API, one per grid type, built the way production builds them:
// ROMS (curvilinear + land mask), FVCOM (unstructured nodes and elements) and RTOFS (curvilinear,
// 0..360 longitudes) by the data plane's ingest from ncgen-made NetCDF; a regular 0..360 grid by
// xarray's own to_zarr.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { ingest } from "../../dataplane/index.js";
import { cycleAt, fvcomFile, romsFile, rtofsFile, tempDir, type CycleFile } from "../dataplane/fixtures.js";

const run = promisify(execFile);
export const PYTHON = "/usr/bin/python3";
const here = fileURLToPath(new URL(".", import.meta.url));

export interface TestStores {
  dir: string;
  roms: string;
  fvcom: string;
  rtofs: string;
  regular: string;
  /** ROMS source files not yet ingested (for invalidation tests). */
  romsLater: string[];
  cleanup(): void;
}

export const CYCLE = cycleAt("2023-10-22T00:00:00Z");
const forecast = (hours: number[]): CycleFile[] => hours.map((hour) => ({ cycle: CYCLE, kind: "f" as const, hour }));

export async function makeRegularStore(path: string, dims?: [number, number, number]): Promise<string> {
  await run(PYTHON, [join(here, "make_regular.py"), path, ...(dims ?? []).map(String)]);
  return path;
}

export async function buildTestStores(): Promise<TestStores> {
  const tmp = tempDir("dmac-data-api-");
  const src = join(tmp.path, "src");
  const roms = join(tmp.path, "roms.zarr");
  const fvcom = join(tmp.path, "fvcom.zarr");
  const rtofs = join(tmp.path, "rtofs.zarr");
  const regular = join(tmp.path, "regular.zarr");
  const regularDone = makeRegularStore(regular);
  await ingest({ store: roms, inputs: forecast([1, 2, 3, 4]).map((f) => romsFile(src, f)), concurrency: 0 });
  await ingest({ store: fvcom, inputs: forecast([1, 2, 3]).map((f) => fvcomFile(src, f)), concurrency: 0 });
  await ingest({ store: rtofs, inputs: forecast([1, 2, 3]).map((f) => rtofsFile(src, f)), concurrency: 0 });
  await regularDone;
  return { dir: tmp.path, roms, fvcom, rtofs, regular, romsLater: forecast([5, 6]).map((f) => romsFile(src, f)), cleanup: tmp.cleanup };
}

export function testDatasets(s: TestStores): Array<{ id: string; url: string }> {
  return [
    { id: "cbofs", url: s.roms },
    { id: "ngofs2", url: `file://${s.fvcom}` },
    { id: "rtofs", url: s.rtofs },
    { id: "regular", url: s.regular },
  ];
}
