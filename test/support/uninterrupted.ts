// "The store equals an uninterrupted run": the same files ingested in one go, in this process, into
// a reference store, then compared with xarray (Debian's /usr/bin/python3), which also refuses a
// time axis that holds a step twice. Returns the number of time steps.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ingest } from "../../dataplane/index.js";

const run = promisify(execFile);

const compare = [
  "import sys, xarray as xr",
  "a = xr.open_zarr(sys.argv[1], consolidated=True).load()",
  "b = xr.open_zarr(sys.argv[2], consolidated=True).load()",
  "assert a.sizes['ocean_time'] == len(set(a.ocean_time.values)), 'duplicate time steps'",
  "xr.testing.assert_identical(a, b)",
  "print(a.sizes['ocean_time'])",
].join("\n");

/** Ingests `inputs` (append along ocean_time, zlib 1) into `reference`, then asserts `store` is identical. */
export async function sameAsUninterrupted(store: string, inputs: string[], reference: string): Promise<number> {
  await ingest({ store: reference, inputs, aggregation: { type: "append", concatDim: "ocean_time" }, encoding: { codec: "zlib", level: 1 }, concurrency: 0 });
  const { stdout } = await run("/usr/bin/python3", ["-c", compare, store, reference]);
  return Number(stdout.trim());
}
