// Blosc (format version 2, as c-blosc 1.x writes it) with LZ4 blocks. With the native codecs
// (dataplane/native-codecs.ts) blocks are shuffled and compressed by C liblz4 on libuv's thread
// pool at c-blosc's own acceleration for the clevel; without them, by lz4-napi on this thread.
// numcodecs' WebAssembly blosc was the bottleneck of the whole ingest (one thread, a
// byte-by-byte copy into its heap, and no typesize, so no useful shuffle). Any blosc decoder
// reads these frames.
//
// Frame: 16-byte header [version 2, lz4 format 1, flags, typesize, nbytes, blocksize, cbytes],
// one int32 start offset per block, then per block one stream (no split): int32 size + LZ4
// block. A stream whose size equals the block's is stored raw; an incompressible chunk is
// stored whole with the "memcpyed" flag.
import { createRequire } from "node:module";
import { bytePool } from "../buffer-pool.js";
import { inLanes } from "../lanes.js";
import { nativeCodecs } from "../native-codecs.js";

type Lz4Napi = typeof import("lz4-napi");
// lz4-napi is only the fallback: loaded when the native codecs are not there.
let lz4Napi: Lz4Napi | undefined;

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
  lz4Napi ??= createRequire(import.meta.url)("lz4-napi") as Lz4Napi;
  const packed = lz4Napi.compressSync(buf).subarray(4);
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

export async function encodeBloscLz4(raw: Uint8Array, typesize: number, shuffle: boolean, clevel = 5): Promise<Uint8Array> {
  const nbytes = raw.byteLength;
  const flags = LZ4_CODE | FLAG_NOSPLIT | (shuffle && typesize > 1 ? FLAG_SHUFFLE : 0);
  const blocksize = Math.max(typesize, Math.min(BLOCK - (BLOCK % typesize), nbytes));
  const memcpy = (): Uint8Array => Buffer.concat([header(flags | FLAG_MEMCPYED, typesize, nbytes, blocksize, nbytes + HEADER), raw]);
  if (nbytes < 128) return memcpy();
  const nblocks = Math.ceil(nbytes / blocksize);
  if (nativeCodecs !== undefined && (shuffle || typesize <= 1)) {
    const frame = await encodeBloscLz4Blocks({ typesize, blocksize, nblocks, nbytes, clevel, block: async (b) => ({ bytes: raw.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize)), shuffled: false }) });
    return frame.byteLength >= nbytes + HEADER ? memcpy() : frame;
  }
  const streams = Array.from({ length: nblocks }, (_, b) => {
    const block = raw.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize));
    return lz4Stream(flags & FLAG_SHUFFLE ? shuffleBlock(block, typesize) : block);
  });
  const cbytes = HEADER + 4 * nblocks + streams.reduce((n, s) => n + 4 + s.length, 0);
  if (cbytes >= nbytes + HEADER) return memcpy();
  return frame(flags, typesize, nbytes, blocksize, streams);
}

/** c-blosc 1.x's LZ4 acceleration for a compression level (its get_accel: 10 - clevel). */
export function lz4Acceleration(clevel: number): number {
  return Math.max(1, 10 - clevel);
}

/**
 * A blosc-lz4 frame from blocks that arrive already in blosc's shuffled byte order: HDF5's
 * shuffle of a whole chunk is blosc's shuffle of one block of that size, so inflated NetCDF-4
 * chunks go straight into LZ4 with no pass over their bytes in JavaScript. Every block but the
 * last has `blocksize` bytes. `shuffled` false means the blocks are plain (shuffled here);
 * `pooled` blocks are given back to `bytePool` once compressed.
 * `room` (a pooled buffer, say) must hold 16 + 8 * nblocks + nbytes bytes: with the native
 * codecs each block compresses into its own slot of it and the streams are closed up at the
 * end; without them streams are placed as they finish (blosc's offset table allows any order).
 */
export async function encodeBloscLz4Blocks(opts: {
  typesize: number;
  blocksize: number;
  nblocks: number;
  nbytes: number;
  block: (i: number) => Promise<{ bytes: Uint8Array; shuffled: boolean; pooled?: boolean }>;
  /** Blocks in flight at once (bounds memory to about this many blocks). */
  parallel?: number;
  /** Where the frame is assembled; a fresh buffer by default. */
  room?: Uint8Array;
  /** blosc clevel (1-9), which sets LZ4's acceleration as c-blosc does; default 5. */
  clevel?: number;
}): Promise<Uint8Array> {
  const { typesize, blocksize, nblocks, nbytes } = opts;
  if (nblocks < 1 || blocksize < 128 || nbytes > blocksize * nblocks || nbytes <= blocksize * (nblocks - 1)) throw new RangeError(`blosc frame of ${nblocks} blocks of ${blocksize} bytes cannot hold ${nbytes} bytes`);
  const capacity = HEADER + 8 * nblocks + nbytes;
  const room = opts.room ?? new Uint8Array(capacity);
  if (room.byteLength < capacity) throw new RangeError(`blosc frame room of ${room.byteLength} bytes, ${capacity} needed`);
  const out = Buffer.from(room.buffer, room.byteOffset, capacity);
  const shuffle = typesize > 1;
  const flags = LZ4_CODE | FLAG_NOSPLIT | (shuffle ? FLAG_SHUFFLE : 0);
  const table = HEADER + 4 * nblocks;
  const native = nativeCodecs;
  const acceleration = lz4Acceleration(opts.clevel ?? 5);
  // Native: block b's stream is written at its slot (size word + up to a whole block).
  const slot = (b: number): number => table + b * (4 + blocksize);
  const sizes = new Array<number>(nblocks).fill(0);
  let at = table;
  await inLanes(0, nblocks, opts.parallel ?? 4, async (b) => {
    const { bytes, shuffled, pooled } = await opts.block(b);
    try {
      if (native !== undefined) {
        const into = slot(b) + 4;
        const n = await native.lz4(bytes, out.subarray(into, into + bytes.byteLength), acceleration, shuffle && !shuffled ? typesize : 1);
        // Incompressible: stored raw, in the shuffled order the decoder will undo.
        if (n === 0) out.set(shuffle && !shuffled ? shuffleBlock(bytes, typesize) : bytes, into);
        sizes[b] = n === 0 ? bytes.byteLength : n;
        return;
      }
      const stream = lz4Stream(shuffle && !shuffled ? shuffleBlock(bytes, typesize) : bytes);
      out.writeUInt32LE(at, HEADER + 4 * b);
      out.writeUInt32LE(stream.length, at);
      stream.copy(out, at + 4);
      at += 4 + stream.length;
    } finally {
      if (pooled === true) bytePool.give(bytes);
    }
  });
  if (native !== undefined) {
    // Close up the slots in block order; each stream moves left (or stays), so none is overwritten.
    for (let b = 0; b < nblocks; b++) {
      const size = sizes[b] as number;
      out.writeUInt32LE(at, HEADER + 4 * b);
      out.writeUInt32LE(size, at);
      out.copyWithin(at + 4, slot(b) + 4, slot(b) + 4 + size);
      at += 4 + size;
    }
  }
  header(flags, typesize, nbytes, blocksize, at).copy(out, 0);
  return out.subarray(0, at);
}
