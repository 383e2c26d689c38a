// Runs the xarray acceptance comparison (xarray_compare.py) with Debian's Python.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const script = fileURLToPath(new URL("./xarray_compare.py", import.meta.url));

export interface Comparison {
  identical: boolean;
  detail: string;
  times: string[];
}

export async function compareWithXarray(spec: { store: string; group?: string; storageOptions?: Record<string, unknown>; concatDim: string; sources: Array<[string, number]>; undecodable?: string[]; drop?: string[] }): Promise<Comparison> {
  const { stdout } = await run("/usr/bin/python3", [script, JSON.stringify(spec)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Comparison;
}
