// Native chunk reads for NetCDF-4: h5wasm gives the dataset's object-header address (an
// old-style object reference); we parse that header's layout message and walk the v1 B-tree of
// chunks ourselves, then read each chunk by byte offset and inflate it on libuv's thread pool
// (the native codecs, or node:zlib without them). Inflating inside WebAssembly was measured ~3x
// slower and holds every slice in the 2 GiB WASM heap. Anything this reader does not know (layout v4 indexes, other filters)
// returns undefined and the caller falls back to h5wasm.
import { inflate } from "node:zlib";
import { promisify } from "node:util";
import type { FileHandle } from "node:fs/promises";
import { bytePool } from "../buffer-pool.js";
import { nativeCodecs } from "../native-codecs.js";

const inflateAsync = promisify(inflate);

export interface ChunkRef {
  /** Element coordinates of the chunk's first element. */
  offset: number[];
  address: number;
  size: number;
  filterMask: number;
}

export type StorageLayout =
  | { kind: "chunked"; chunkShape: number[]; chunks: ChunkRef[] }
  | { kind: "contiguous"; address: number; size: number };

const UNDEFINED_ADDRESS = 0xffffffffffffffffn;

async function readAt(fh: FileHandle, address: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, address);
  if (bytesRead < length) throw new Error(`HDF5 structure at ${address} runs past the end of the file`);
  return buf;
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v === UNDEFINED_ADDRESS ? -1 : Number(v);
}

/** Collects the raw messages (type, body) of an object header, following continuations. */
async function headerMessages(fh: FileHandle, address: number): Promise<Array<{ type: number; body: Buffer }>> {
  const out: Array<{ type: number; body: Buffer }> = [];
  const head = await readAt(fh, address, 64);
  const pending: Array<{ address: number; length: number; v2: boolean; first: boolean }> = [];
  let v2 = false;
  let flags = 0;
  if (head.toString("latin1", 0, 4) === "OHDR") {
    v2 = true;
    flags = head[5] ?? 0;
    let at = 6;
    if (flags & 0x20) at += 16;
    if (flags & 0x10) at += 4;
    const width = 1 << (flags & 3);
    const size = width === 1 ? head.readUInt8(at) : width === 2 ? head.readUInt16LE(at) : width === 4 ? head.readUInt32LE(at) : Number(head.readBigUInt64LE(at));
    at += width;
    pending.push({ address: address + at, length: size, v2: true, first: true });
  } else if (head[0] === 1) {
    const size = head.readUInt32LE(8);
    pending.push({ address: address + 16, length: size, v2: false, first: true });
  } else throw new Error(`unknown HDF5 object header version at ${address}`);
  while (pending.length > 0) {
    const block = pending.shift();
    if (block === undefined) break;
    let buf = await readAt(fh, block.address, block.length);
    let at = 0;
    let end = buf.length;
    if (v2) {
      if (!block.first) {
        if (buf.toString("latin1", 0, 4) !== "OCHK") throw new Error(`bad HDF5 continuation block at ${block.address}`);
        at = 4;
      }
      end -= block.first ? 0 : 4;
    }
    if (v2 && block.first) {
      // The first chunk's length excludes its checksum, which follows it.
      buf = buf.subarray(0, block.length);
    }
    while (at < end) {
      let type: number;
      let size: number;
      if (v2) {
        if (end - at < 4) break;
        type = buf[at] ?? 0;
        size = buf.readUInt16LE(at + 1);
        at += 4 + (flags & 0x04 ? 2 : 0);
      } else {
        if (end - at < 8) break;
        type = buf.readUInt16LE(at);
        size = buf.readUInt16LE(at + 2);
        at += 8;
      }
      const body = buf.subarray(at, at + size);
      at += size;
      if (type === 0x10) pending.push({ address: u64(body, 0), length: u64(body, 8), v2, first: false });
      else out.push({ type, body });
    }
  }
  return out;
}

async function walkBtree(fh: FileHandle, address: number, rank: number, chunks: ChunkRef[]): Promise<void> {
  const keySize = 8 + 8 * (rank + 1);
  const head = await readAt(fh, address, 24);
  if (head.toString("latin1", 0, 4) !== "TREE" || head[4] !== 1) throw new Error(`bad chunk B-tree node at ${address}`);
  const level = head[5] ?? 0;
  const used = head.readUInt16LE(6);
  const body = await readAt(fh, address + 24, used * (keySize + 8) + keySize);
  const children: number[] = [];
  for (let i = 0; i < used; i++) {
    const k = i * (keySize + 8);
    const child = u64(body, k + keySize);
    if (level === 0) {
      const offset: number[] = [];
      for (let d = 0; d < rank; d++) offset.push(Number(body.readBigUInt64LE(k + 8 + 8 * d)));
      chunks.push({ offset, address: child, size: body.readUInt32LE(k), filterMask: body.readUInt32LE(k + 4) });
    } else children.push(child);
  }
  for (const c of children) await walkBtree(fh, c, rank, chunks);
}

/** The storage layout of the dataset whose object header is at `address`, or undefined if unsupported. */
export async function storageLayout(fh: FileHandle, address: number, rank: number): Promise<StorageLayout | undefined> {
  for (const m of await headerMessages(fh, address)) {
    if (m.type !== 0x08) continue;
    const version = m.body[0];
    if (version !== 3) return undefined;
    const cls = m.body[1];
    if (cls === 1) return { kind: "contiguous", address: u64(m.body, 2), size: u64(m.body, 10) };
    if (cls !== 2) return undefined;
    const dimensionality = m.body[2] ?? 0;
    if (dimensionality !== rank + 1) return undefined;
    const btree = u64(m.body, 3);
    const chunkShape: number[] = [];
    for (let d = 0; d < rank; d++) chunkShape.push(m.body.readUInt32LE(11 + 4 * d));
    const chunks: ChunkRef[] = [];
    if (btree >= 0) await walkBtree(fh, btree, rank, chunks);
    return { kind: "chunked", chunkShape, chunks };
  }
  return undefined;
}

/**
 * Undoes the HDF5 shuffle filter (bytes grouped by significance -> grouped by element), into
 * `out` when given (decoding straight into an output chunk saves a copy and an allocation).
 */
export function unshuffle(src: Uint8Array, itemsize: number, out?: Uint8Array): Uint8Array {
  if (itemsize <= 1) {
    if (out === undefined) return src;
    out.set(src);
    return out;
  }
  const n = Math.floor(src.length / itemsize);
  const dst = out ?? Buffer.allocUnsafe(src.length);
  if (itemsize === 4 && dst.byteOffset % 4 === 0) {
    // Whole 32-bit words at a time (little-endian host): a quarter of the stores.
    const words = new Uint32Array(dst.buffer, dst.byteOffset, n);
    for (let i = 0; i < n; i++) words[i] = ((src[i] as number) | ((src[n + i] as number) << 8) | ((src[2 * n + i] as number) << 16) | ((src[3 * n + i] as number) << 24)) >>> 0;
  } else {
    for (let b = 0; b < itemsize; b++) {
      const base = b * n;
      for (let i = 0; i < n; i++) dst[i * itemsize + b] = src[base + i] as number;
    }
  }
  dst.set(src.subarray(n * itemsize), n * itemsize);
  return dst;
}

export type Hdf5Filter = "shuffle" | "deflate";

/** A decoded chunk; `pooled` = its bytes came from `bytePool` and may be given back once read. */
export interface ChunkBytes {
  bytes: Uint8Array;
  /** Still in HDF5 shuffle byte order (only with `keepShuffle`). */
  shuffled: boolean;
  pooled: boolean;
}

async function readRaw(fh: FileHandle, ref: ChunkRef): Promise<Buffer> {
  const raw = bytePool.take(ref.size);
  const { bytesRead } = await fh.read(raw, 0, ref.size, ref.address);
  if (bytesRead < ref.size) {
    bytePool.give(raw);
    throw new Error(`HDF5 chunk at ${ref.address} runs past the end of the file`);
  }
  return raw;
}

/**
 * Reads and decodes one chunk's bytes; `filterMask` bit i set = filter i was skipped.
 * With `keepShuffle`, a shuffle that is the first filter of the pipeline (the last to undo, as
 * libnetcdf writes it) is left in place and `shuffled` says so: blosc stores the same byte order.
 * With the native codecs and a known `expectedBytes`, every stage decodes into a pooled buffer.
 */
export async function readChunk(
  fh: FileHandle,
  ref: ChunkRef,
  filters: Hdf5Filter[],
  itemsize: number,
  expectedBytes = 0,
  keepShuffle = false,
): Promise<ChunkBytes> {
  const raw = await readRaw(fh, ref);
  let bytes: Uint8Array = raw;
  let pooled = true;
  let shuffled = false;
  const native = expectedBytes > 0 ? nativeCodecs : undefined;
  try {
    for (let i = filters.length - 1; i >= 0; i--) {
      if (ref.filterMask & (1 << i)) continue;
      const before = bytes;
      if (filters[i] === "deflate") {
        if (native !== undefined) {
          const out = bytePool.take(expectedBytes);
          const n = await native.inflate(before, out, 0, false).catch((err: Error) => {
            bytePool.give(out);
            throw new Error(`HDF5 chunk at ${ref.address}: ${err.message}`);
          });
          bytes = out.subarray(0, n);
        } else {
          // One output buffer a little larger than the known size: zlib's default 16 KB pieces cost a
          // thread hop each, and an output that fills its buffer exactly makes node:zlib allocate a
          // second one and go round the thread pool again to learn that the stream has ended.
          bytes = await inflateAsync(before, { chunkSize: Math.max(64 * 1024, expectedBytes + 64) });
        }
      } else if (keepShuffle && i === 0 && itemsize > 1) {
        shuffled = true;
        continue;
      } else if (native !== undefined && itemsize > 1) {
        const out = bytePool.take(before.byteLength);
        await native.unshuffle(before, out, itemsize);
        bytes = out;
      } else bytes = unshuffle(before, itemsize);
      if (bytes !== before && pooled) bytePool.give(before);
      pooled = native !== undefined;
    }
  } catch (err) {
    if (pooled) bytePool.give(bytes);
    throw err;
  }
  return { bytes, shuffled, pooled };
}

/**
 * Decodes one chunk straight into `dst` (plain byte order) with the native codecs: no buffer
 * in between. Returns false, having read nothing, when that is not possible here (no addon, or
 * a filter pipeline other than [shuffle,] deflate); the caller then uses `readChunk`.
 */
export async function readChunkInto(fh: FileHandle, ref: ChunkRef, filters: Hdf5Filter[], itemsize: number, dst: Uint8Array): Promise<boolean> {
  const native = nativeCodecs;
  const active = filters.filter((_, i) => (ref.filterMask & (1 << i)) === 0);
  const plan = active.join(",");
  if (native === undefined || !["", "deflate", "shuffle", "shuffle,deflate"].includes(plan)) return false;
  const raw = await readRaw(fh, ref);
  try {
    let n = raw.byteLength;
    if (plan === "") dst.set(raw.subarray(0, Math.min(n, dst.byteLength)));
    else if (plan === "shuffle") await native.unshuffle(raw.subarray(0, Math.min(n, dst.byteLength)), dst, itemsize);
    else n = await native.inflate(raw, dst, plan === "shuffle,deflate" ? itemsize : 0, false).catch((err: Error) => Promise.reject(new Error(`HDF5 chunk at ${ref.address}: ${err.message}`)));
    if (n !== dst.byteLength) throw new Error(`HDF5 chunk at ${ref.address} decodes to ${n} bytes, expected ${dst.byteLength}`);
    return true;
  } finally {
    bytePool.give(raw);
  }
}
