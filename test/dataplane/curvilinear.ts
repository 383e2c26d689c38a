// ROMS-like NetCDF-4 files of any size (make_curvilinear.py, with Debian's netCDF4-python): the
// samples of the overview and default-chunking tests.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./make_curvilinear.py", import.meta.url));
export const ROMS_EPOCH = Date.UTC(2016, 0, 1);

export interface CurvilinearSpec {
  ny: number;
  nx: number;
  /** s-levels (default 2). */
  ns?: number;
  /** Valid times (UTC) of the file's steps. */
  times: Date[];
  /** Changes every value: a newer forecast cycle of the same valid times. */
  seed?: number;
  /** Degrees added to every longitude; with `wrap360` longitudes are stored in [0, 360), so a grid across 0/360 jumps by 360. */
  lonOffset?: number;
  wrap360?: boolean;
}

export function curvilinearFile(root: string, name: string, spec: CurvilinearSpec): string {
  const path = join(root, name);
  mkdirSync(dirname(path), { recursive: true });
  const times = spec.times.map((t) => (t.getTime() - ROMS_EPOCH) / 1000);
  execFileSync("/usr/bin/python3", [script, JSON.stringify({ path, ny: spec.ny, nx: spec.nx, ns: spec.ns ?? 2, times, seed: spec.seed ?? 0, lonOffset: spec.lonOffset ?? 0, wrap360: spec.wrap360 ?? false })]);
  return path;
}

export const hoursAfter = (start: string, h: number): Date => new Date(Date.parse(start) + h * 3_600_000);
