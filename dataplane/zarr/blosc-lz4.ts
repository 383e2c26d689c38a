// Blosc (format version 2, as c-blosc 1.x writes it) with LZ4 blocks compressed natively by
// lz4-napi on libuv's thread pool, all blocks of a chunk at once. numcodecs' WebAssembly
// blosc was the bottleneck of the whole ingest (one thread, a byte-by-byte copy into its heap,
// and no typesize, so no useful shuffle). Any blosc decoder reads these frames.
//
// Frame: 16-byte header [version 2, lz4 format 1, flags, typesize, nbytes, blocksize, cbytes],
// one int32 start offset per block, then per block one stream (no split): int32 size + LZ4
// block. A stream whose size equals the block's is stored raw; an incompressible chunk is
// stored whole with the "memcpyed" flag.
import { compress } from "lz4-napi";

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

export async function encodeBloscLz4(raw: Uint8Array, typesize: number, shuffle: boolean): Promise<Uint8Array> {
  const nbytes = raw.byteLength;
  const flags = LZ4_CODE | FLAG_NOSPLIT | (shuffle && typesize > 1 ? FLAG_SHUFFLE : 0);
  const blocksize = Math.max(typesize, Math.min(BLOCK - (BLOCK % typesize), nbytes));
  const memcpy = (): Uint8Array => Buffer.concat([header(flags | FLAG_MEMCPYED, typesize, nbytes, blocksize, nbytes + HEADER), raw]);
  if (nbytes < 128) return memcpy();
  const nblocks = Math.ceil(nbytes / blocksize);
  const streams = await Promise.all(
    Array.from({ length: nblocks }, async (_, b) => {
      const block = raw.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize));
      const input = flags & FLAG_SHUFFLE ? shuffleBlock(block, typesize) : block;
      // lz4-napi prepends the uncompressed size (4 bytes); blosc wants the bare LZ4 block.
      const packed = (await compress(Buffer.from(input.buffer, input.byteOffset, input.byteLength))).subarray(4);
      return packed.length < block.length ? packed : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    }),
  );
  const cbytes = HEADER + 4 * nblocks + streams.reduce((n, s) => n + 4 + s.length, 0);
  if (cbytes >= nbytes + HEADER) return memcpy();
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
