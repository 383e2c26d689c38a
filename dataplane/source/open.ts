// Opens a local NetCDF file with the reader its magic bytes call for, after checking
// that the file is complete (a cut-off download is refused, never half-read).
import { stat } from "node:fs/promises";
import { detectFormat, hdf5EndOfFile, readHead } from "./magic.js";
import { openNetcdf3 } from "./netcdf3.js";
import { openNetcdf4, type OpenOptions } from "./netcdf4.js";
import { SourceError, type SourceDataset } from "./types.js";

export type { OpenOptions } from "./netcdf4.js";

/** IngestJob `spec.format`: what a file must be; auto takes either. */
export type InputFormat = "auto" | "netcdf3" | "netcdf4";

const FORMAT_NAMES = { netcdf4: "netcdf4 (HDF5)", "netcdf3-classic": "netcdf3 (classic)", "netcdf3-64bit-offset": "netcdf3 (64-bit offset)" } as const;

/**
 * `opts.attributes` false skips what a copy does not need (NetCDF-4; NetCDF-3 headers are read
 * whole anyway). `expect` refuses a file whose magic bytes say another format, naming both.
 */
export async function openSource(path: string, opts: OpenOptions & { expect?: InputFormat } = {}): Promise<SourceDataset> {
  let size: number;
  try {
    ({ size } = await stat(path));
  } catch (err) {
    throw new SourceError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const head = await readHead(path, 64);
  const format = detectFormat(head);
  if (format === undefined) throw new SourceError(path, "not a NetCDF file (unknown magic bytes)");
  const expect = opts.expect ?? "auto";
  if (expect !== "auto" && !format.startsWith(expect)) throw new SourceError(path, `is ${FORMAT_NAMES[format]} by its magic bytes, not ${expect} as the IngestJob's format says`);
  if (format === "netcdf4") {
    const eof = hdf5EndOfFile(head);
    if (eof !== undefined && size < eof) throw new SourceError(path, `truncated: the HDF5 superblock records ${eof} bytes but the file has ${size}`);
    return openNetcdf4(path, opts);
  }
  return openNetcdf3(path);
}
