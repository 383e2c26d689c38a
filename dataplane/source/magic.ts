// Format detection by magic bytes, and the completeness check a truncated download fails:
// both formats record how long the file must be, so a short file is refused before any read.
import { open } from "node:fs/promises";

export type SourceFormat = "netcdf4" | "netcdf3-classic" | "netcdf3-64bit-offset";

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function detectFormat(head: Uint8Array): SourceFormat | undefined {
  if (HDF5_SIGNATURE.every((b, i) => head[i] === b)) return "netcdf4";
  if (head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46) {
    if (head[3] === 1) return "netcdf3-classic";
    if (head[3] === 2) return "netcdf3-64bit-offset";
  }
  return undefined;
}

export async function readHead(path: string, length: number): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const buf = new Uint8Array(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * The end-of-file address the HDF5 superblock records (versions 0-3, at file offset 0),
 * or undefined when the superblock is not one we know. A shorter file was cut off.
 */
export function hdf5EndOfFile(head: Uint8Array): number | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = head[8];
  let sizeOfOffsets: number | undefined;
  let eofAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = head[13];
    const base = version === 0 ? 24 : 28;
    eofAt = base + 2 * (sizeOfOffsets ?? 8);
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = head[9];
    eofAt = 12 + 2 * (sizeOfOffsets ?? 8);
  } else return undefined;
  if (sizeOfOffsets !== 8 && sizeOfOffsets !== 4) return undefined;
  if (head.byteLength < eofAt + sizeOfOffsets) return undefined;
  return sizeOfOffsets === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
}
