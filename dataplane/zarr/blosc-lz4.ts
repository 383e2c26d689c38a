// Blosc (format version 2, as c-blosc 1.x writes it) with LZ4 blocks compressed natively by
// lz4-napi (synchronously: see lz4Stream). numcodecs' WebAssembly
// blosc was the bottleneck of the whole ingest (one thread, a byte-by-byte copy into its heap,
// and no typesize, so no useful shuffle). Any blosc decoder reads these frames.
//
// Frame: 16-byte header [version 2, lz4 format 1, flags, typesize, nbytes, blocksize, cbytes],
// one int32 start offset per block, then per block one stream (no split): int32 size + LZ4
// block. A stream whose size equals the block's is stored raw; an incompressible chunk is
// stored whole with the "memcpyed" flag.
import { compressSync } from "lz4-napi";

const HEADER = 16;
const BLOCK = 256 * 1024;
const FLAG_SHUFFLE = 0x01;
const FLAG_MEMCPYED = 0x02;
const FLAG_NOSPLIT = 0x10;
const LZ4_CODE = 1 << 5;

/** Blosc's byte shuffle of one block: byte j of element i goes to j * n + i. */
export function shuffleBlock(src: Uint8Array, typesize: number): Uint8Array {
  if (typesize <= 1) return src;
  const n = Math.floor(src.length / typesize);
  const out = Buffer.allocUnsafe(src.length);
  if (typesize === 4 && src.byteOffset % 4 === 0) {
    const words = new Uint32Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const w = words[i] as number;
      out[i] = w & 0xff;
      out[n + i] = (w >>> 8) & 0xff;
      out[2 * n + i] = (w >>> 16) & 0xff;
      out[3 * n + i] = w >>> 24;
    }
  } else {
    for (let i = 0; i < n; i++) for (let j = 0; j < typesize; j++) out[j * n + i] = src[i * typesize + j] as number;
  }
  out.set(src.subarray(n * typesize), n * typesize);
  return out;
}

function header(flags: number, typesize: number, nbytes: number, blocksize: number, cbytes: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h[0] = 2;
  h[1] = 1;
  h[2] = flags;
  h[3] = Math.min(typesize, 255);
  h.writeUInt32LE(nbytes, 4);
  h.writeUInt32LE(blocksize, 8);
  h.writeUInt32LE(cbytes, 12);
  return h;
}

/**
 * The bare LZ4 block of `input` (lz4-napi prepends the uncompressed size; blosc wants none), or
 * `input` when it does not shrink. Synchronous on purpose: lz4-napi's async outputs are allocated
 * on libuv's threads and freed on this one, which grew the peak RSS of a 960 MB ingest from
 * ~250 to ~450 MB for the same CPU time (measured); inflates still run on the thread pool.
 */
function lz4Stream(input: Uint8Array): Buffer {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const packed = compressSync(buf).subarray(4);
  return packed.length < input.byteLength ? packed : buf;
}

function frame(flags: number, typesize: number, nbytes: number, blocksize: number, streams: Buffer[]): Buffer {
  const nblocks = streams.length;
  const cbytes = HEADER + 4 * nblocks + streams.reduce((n, s) => n + 4 + s.length, 0);
  const out = Buffer.allocUnsafe(cbytes);
  header(flags, typesize, nbytes, blocksize, cbytes).copy(out, 0);
  let at = HEADER + 4 * nblocks;
  streams.forEach((s, b) => {
    out.writeUInt32LE(at, HEADER + 4 * b);
    out.writeUInt32LE(s.length, at);
    s.copy(out, at + 4);
    at += 4 + s.length;
  });
  return out;
}

export async function encodeBloscLz4(raw: Uint8Array, typesize: number, shuffle: boolean): Promise<Uint8Array> {
  const nbytes = raw.byteLength;
  const flags = LZ4_CODE | FLAG_NOSPLIT | (shuffle && typesize > 1 ? FLAG_SHUFFLE : 0);
  const blocksize = Math.max(typesize, Math.min(BLOCK - (BLOCK % typesize), nbytes));
  const memcpy = (): Uint8Array => Buffer.concat([header(flags | FLAG_MEMCPYED, typesize, nbytes, blocksize, nbytes + HEADER), raw]);
  if (nbytes < 128) return memcpy();
  const nblocks = Math.ceil(nbytes / blocksize);
  const streams = Array.from({ length: nblocks }, (_, b) => {
    const block = raw.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize));
    return lz4Stream(flags & FLAG_SHUFFLE ? shuffleBlock(block, typesize) : block);
  });
  const cbytes = HEADER + 4 * nblocks + streams.reduce((n, s) => n + 4 + s.length, 0);
  if (cbytes >= nbytes + HEADER) return memcpy();
  return frame(flags, typesize, nbytes, blocksize, streams);
}

/**
 * A blosc-lz4 frame from blocks that arrive already in blosc's shuffled byte order: HDF5's
 * shuffle of a whole chunk is blosc's shuffle of one block of that size, so inflated NetCDF-4
 * chunks go straight into LZ4 with no pass over their bytes in JavaScript. Every block but the
 * last has `blocksize` bytes. `shuffled` false means the blocks are plain (shuffled here).
 * Streams are placed in `room` as they finish (blosc's offset table allows any order), so no
 * compressed block outlives its copy; `room` must hold 16 + 8 * nblocks + nbytes bytes.
 */
export async function encodeBloscLz4Blocks(opts: {
  typesize: number;
  blocksize: number;
  nblocks: number;
  nbytes: number;
  block: (i: number) => Promise<{ bytes: Uint8Array; shuffled: boolean }>;
  /** Blocks in flight at once (bounds memory to about this many blocks). */
  parallel?: number;
  /** Where the frame is assembled (a pooled buffer, say); a fresh buffer by default. */
  room?: Uint8Array;
}): Promise<Uint8Array> {
  const { typesize, blocksize, nblocks, nbytes } = opts;
  if (nblocks < 1 || blocksize < 128 || nbytes > blocksize * nblocks || nbytes <= blocksize * (nblocks - 1)) throw new RangeError(`blosc frame of ${nblocks} blocks of ${blocksize} bytes cannot hold ${nbytes} bytes`);
  const capacity = HEADER + 8 * nblocks + nbytes;
  const room = opts.room ?? new Uint8Array(capacity);
  if (room.byteLength < capacity) throw new RangeError(`blosc frame room of ${room.byteLength} bytes, ${capacity} needed`);
  const out = Buffer.from(room.buffer, room.byteOffset, capacity);
  const shuffle = typesize > 1;
  const flags = LZ4_CODE | FLAG_NOSPLIT | (shuffle ? FLAG_SHUFFLE : 0);
  let at = HEADER + 4 * nblocks;
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let b = next++; b < nblocks; b = next++) {
      const { bytes, shuffled } = await opts.block(b);
      const stream = lz4Stream(shuffle && !shuffled ? shuffleBlock(bytes, typesize) : bytes);
      out.writeUInt32LE(at, HEADER + 4 * b);
      out.writeUInt32LE(stream.length, at);
      stream.copy(out, at + 4);
      at += 4 + stream.length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(nblocks, opts.parallel ?? 4) }, lane));
  header(flags, typesize, nbytes, blocksize, at).copy(out, 0);
  return out.subarray(0, at);
}
