// The native codec addon (native/dmac_codecs.c over libdeflate and liblz4) against decoders that
// share no code with it: node:zlib, Python's zlib/gzip, lz4-napi (lz4_flex, Rust), numcodecs'
// c-blosc, HDF5 itself (h5wasm), and this data plane's pure-Node path run in a child process with
// DMAC_NATIVE_CODECS=off. The addon is required here (CI builds it with DMAC_NATIVE_REQUIRED=1).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import h5wasm from "h5wasm/node";
import { uncompressSync } from "lz4-napi";
import { ingest } from "../../dataplane/index.js";
import { bytePool } from "../../dataplane/buffer-pool.js";
import { nativeCodecs as maybeNative, type NativeCodecs } from "../../dataplane/native-codecs.js";
import { readChunk, readChunkInto, storageLayout, unshuffle, type Hdf5Filter, type StorageLayout } from "../../dataplane/source/hdf5-chunks.js";
import { encodeBloscLz4, encodeBloscLz4Blocks, lz4Acceleration } from "../../dataplane/zarr/blosc-lz4.js";
import { compressorConfig, decodeChunk, encodeChunk, encodeChunkPooled, type V2Compressor } from "../../dataplane/zarr/codecs.js";
import type { ChildAnswer, ChildJob } from "./native-codecs-child.js";
import { cycleAt, romsFile, rtofsFile, selfeFile, tempDir } from "./fixtures.js";
import { compareWithXarray } from "./xarray.js";

const run = promisify(execFile);
const tmp = tempDir("dmac-native-");
afterAll(() => tmp.cleanup());
const childScript = fileURLToPath(new URL("./native-codecs-child.ts", import.meta.url));
const pythonScript = fileURLToPath(new URL("./native_codecs_check.py", import.meta.url));
const addonFile = fileURLToPath(new URL("../../native/build/dmac_codecs.node", import.meta.url));

// Asserted in the first test; the rest of the suite uses it without `!`.
const native = maybeNative as NativeCodecs;

// --- data -----------------------------------------------------------------------------------

/** A smooth float32 field (a 512-wide grid of a slowly varying surface), as model output is. */
function smoothF32(count: number, phase = 0): Uint8Array {
  const f = new Float32Array(count).map((_, k) => {
    const i = k % 512;
    const j = Math.floor(k / 512);
    return 15 + 5 * Math.sin(i / 40 + phase) * Math.cos(j / 30) + 0.001 * i;
  });
  return new Uint8Array(f.buffer);
}

/** Smooth values of an element size: uint8, int16, float32 or float64. */
function smooth(itemsize: 1 | 2 | 4 | 8, count: number, phase = 0): Uint8Array {
  const wave = (i: number): number => Math.sin(i / 300 + phase) + 0.3 * Math.cos(i / 47);
  if (itemsize === 1) return new Uint8Array(count).map((_, i) => Math.round(120 + 100 * wave(i)));
  if (itemsize === 2) return new Uint8Array(new Int16Array(count).map((_, i) => Math.round(2000 * wave(i))).buffer);
  if (itemsize === 4) return smoothF32(count, phase);
  return new Uint8Array(new Float64Array(count).map((_, i) => 10 * wave(i)).buffer);
}

/** xorshift32 bytes: no compressor can shrink them. */
function noise(length: number, seed = 2463534242): Uint8Array {
  let s = seed >>> 0;
  return new Uint8Array(length).map(() => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  });
}

/** HDF5's (and blosc's) byte shuffle written out plainly: byte j of element i goes to j * n + i. */
function refShuffle(plain: Uint8Array, itemsize: number): Uint8Array {
  const n = Math.floor(plain.length / itemsize);
  const out = new Uint8Array(plain.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < itemsize; j++) out[j * n + i] = plain[i * itemsize + j] as number;
  out.set(plain.subarray(n * itemsize), n * itemsize);
  return out;
}

const sha = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** The error a call throws or rejects with (the addon throws argument errors synchronously). */
async function errorOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return undefined;
}

// --- the other decoders ---------------------------------------------------------------------

async function python(spec: Record<string, unknown>): Promise<{ decoded?: string[]; bloscSize?: number[] }> {
  const { stdout } = await run("/usr/bin/python3", [pythonScript, JSON.stringify(spec)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { decoded?: string[]; bloscSize?: number[] };
}

/** Runs native-codecs-child.ts with DMAC_NATIVE_CODECS=off: the data plane's pure-Node codecs. */
async function pureNode(job: ChildJob): Promise<ChildAnswer> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", childScript, JSON.stringify(job)], {
    env: { ...process.env, DMAC_NATIVE_CODECS: "off" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const answer = JSON.parse(stdout) as ChildAnswer;
  expect(answer.native, "the child loaded the addon despite DMAC_NATIVE_CODECS=off").toBe(false);
  return answer;
}

/** Decodes a bare LZ4 block with lz4-napi (lz4_flex), which wants the size as a prefix. */
function unlz4(block: Uint8Array, size: number): Buffer {
  const prefixed = Buffer.alloc(4 + block.length);
  prefixed.writeUInt32LE(size, 0);
  prefixed.set(block, 4);
  return uncompressSync(prefixed);
}

let fileCount = 0;
function saved(bytes: Uint8Array, name: string): string {
  const dir = join(tmp.path, "bytes");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${fileCount++}-${name.replace(/[^\w.-]+/g, "_")}`);
  writeFileSync(path, bytes);
  return path;
}

// ---------------------------------------------------------------------------------------------

describe("native codec addon", () => {
  it("is built and loaded", () => {
    expect(existsSync(addonFile), `${addonFile} (node native/build.mjs)`).toBe(true);
    expect(maybeNative, "nativeCodecs is undefined: the addon did not load").toBeDefined();
  });
});

describe("inflate", () => {
  const data = { smooth: smoothF32(60_000), random: noise(150_000) };
  const cases = (["zlib", "gzip"] as const).flatMap((format) => ([1, 6, 9] as const).flatMap((level) => (["smooth", "random"] as const).map((kind) => [format, level, kind] as const)));

  it.each(cases)("%s level %d, %s bytes, inflates to the original", async (format, level, kind) => {
    const plain = data[kind];
    const gzip = format === "gzip";
    const stream = (gzip ? gzipSync : deflateSync)(plain, { level });
    const exact = Buffer.alloc(plain.length);
    expect(await native.inflate(stream, exact, 0, gzip)).toBe(plain.length);
    expect(same(exact, plain)).toBe(true);
    // A view into a larger buffer with room to spare (as pooled buffers are): the byte count is
    // the stream's, and nothing outside the view is touched.
    const whole = Buffer.alloc(plain.length + 96, 0xee);
    const view = whole.subarray(16, 16 + plain.length + 64);
    expect(await native.inflate(stream, view, 0, gzip)).toBe(plain.length);
    expect(same(view.subarray(0, plain.length), plain)).toBe(true);
    expect(whole.subarray(0, 16).every((b) => b === 0xee) && whole.subarray(16 + plain.length + 64).every((b) => b === 0xee)).toBe(true);
  });

  it.each([2, 4, 8])("with unshuffle itemsize %d undoes the HDF5 shuffle as hdf5-chunks' unshuffle does", async (itemsize) => {
    // 3 trailing bytes that make no whole element: HDF5 leaves them where they are.
    const plain = smooth(itemsize as 2 | 4 | 8, 7_002).subarray(0, 7_000 * itemsize + 3);
    expect(plain.length % itemsize).not.toBe(0);
    for (const gzip of [false, true]) {
      const stream = (gzip ? gzipSync : deflateSync)(refShuffle(plain, itemsize), { level: 6 });
      const dst = Buffer.alloc(plain.length);
      expect(await native.inflate(stream, dst, itemsize, gzip)).toBe(plain.length);
      const js = unshuffle((gzip ? gunzipSync : inflateSync)(stream), itemsize);
      expect(same(dst, js), `${gzip ? "gzip" : "zlib"} itemsize ${itemsize}: native != JS unshuffle`).toBe(true);
      expect(same(dst, plain)).toBe(true);
      // A destination with room to spare: the shuffle is undone over the bytes the stream holds.
      const roomy = Buffer.alloc(plain.length + 40, 0xee);
      expect(await native.inflate(stream, roomy, itemsize, gzip)).toBe(plain.length);
      expect(same(roomy.subarray(0, plain.length), plain), `${gzip ? "gzip" : "zlib"} itemsize ${itemsize} into a larger buffer`).toBe(true);
    }
  });

  it.each([1, 2, 3, 4, 8])("native unshuffle (itemsize %d) matches hdf5-chunks' unshuffle", async (itemsize) => {
    const src = noise(10_007, 99 + itemsize);
    const dst = Buffer.alloc(src.length);
    await native.unshuffle(src, dst, itemsize);
    expect(same(dst, unshuffle(src, itemsize))).toBe(true);
    expect(same(refShuffle(dst, itemsize), src)).toBe(true);
  });

  it("rejects a truncated or corrupt stream and a destination too small, saying which", async () => {
    const plain = smoothF32(20_000);
    for (const gzip of [false, true]) {
      const stream = (gzip ? gzipSync : deflateSync)(plain, { level: 6 });
      for (const itemsize of [0, 4]) {
        await expect(native.inflate(stream.subarray(0, stream.length >> 1), Buffer.alloc(plain.length), itemsize, gzip)).rejects.toThrow(/corrupt or truncated/);
        // The checksum at the end (adler32 / crc32) is part of the stream. (Into a buffer of
        // exactly the output's size, libdeflate reports a stream cut by 1-2 bytes as too long.)
        for (const cut of [1, 2, 4]) {
          await expect(native.inflate(stream.subarray(0, stream.length - cut), Buffer.alloc(plain.length + 64), itemsize, gzip)).rejects.toThrow(/corrupt or truncated/);
          await expect(native.inflate(stream.subarray(0, stream.length - cut), Buffer.alloc(plain.length), itemsize, gzip)).rejects.toThrow(Error);
        }
        await expect(native.inflate(stream, Buffer.alloc(plain.length - 1), itemsize, gzip)).rejects.toThrow(/inflates to more bytes than expected/);
      }
      await expect(native.inflate(stream, Buffer.alloc(plain.length), 0, !gzip)).rejects.toThrow(/corrupt or truncated/);
    }
    const flipped = Buffer.from(deflateSync(plain));
    // A wrong adler32: the data inflates, the check does not.
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0xff, flipped.length - 1);
    await expect(native.inflate(flipped, Buffer.alloc(plain.length), 0, false)).rejects.toThrow(/corrupt or truncated/);
  });
});

describe("deflate", () => {
  it("zlib and gzip at levels 1 and 9 inflate with node:zlib and with Python's zlib and gzip", async () => {
    const inputs = { smooth: smoothF32(80_000), random: noise(200_000, 5) };
    const checks: Array<{ name: string; path: string; codec: "zlib" | "gzip"; want: string }> = [];
    const sizes = new Map<string, number>();
    for (const [kind, plain] of Object.entries(inputs))
      for (const gzip of [false, true])
        for (const level of [1, 9]) {
          const name = `${gzip ? "gzip" : "zlib"} level ${level} ${kind}`;
          const bound = native.deflateBound(plain.length, gzip);
          const dst = Buffer.alloc(bound);
          const n = await native.deflate(plain, dst, level, gzip);
          expect(n, name).toBeGreaterThan(0);
          expect(n, name).toBeLessThanOrEqual(bound);
          const out = dst.subarray(0, n);
          expect(same((gzip ? gunzipSync : inflateSync)(out), plain), `${name}: node:zlib`).toBe(true);
          sizes.set(name, n);
          checks.push({ name, path: saved(out, name), codec: gzip ? "gzip" : "zlib", want: sha(plain) });
        }
    const { decoded } = await python({ decode: checks.map(({ path, codec }) => ({ path, codec })) });
    checks.forEach((c, i) => expect(decoded?.[i], `${c.name}: Python`).toBe(c.want));
    // The level reaches libdeflate (which does not promise level 9 is smaller on every input).
    expect(sizes.get("zlib level 9 smooth")).not.toBe(sizes.get("zlib level 1 smooth"));
    expect(sizes.get("gzip level 9 smooth")).not.toBe(sizes.get("gzip level 1 smooth"));
  });

  it("is what encodeChunk writes for the zlib and gzip compressors, into pooled buffers when asked", async () => {
    const plain = smoothF32(100_000);
    const checks: Array<{ path: string; codec: "zlib" | "gzip" }> = [];
    for (const compressor of [compressorConfig({ codec: "zlib", level: 5 }, 2), compressorConfig({ codec: "zlib", level: 5 }, 3)]) {
      const id = compressor?.id as "zlib" | "gzip";
      const pooled = await encodeChunkPooled(compressor, plain, 4, bytePool);
      expect(pooled.pooled, id).toBe(true);
      // libdeflate at the same level: the bytes deflate() makes.
      const direct = Buffer.alloc(native.deflateBound(plain.length, id === "gzip"));
      const n = await native.deflate(plain, direct, 5, id === "gzip");
      expect(same(pooled.bytes, direct.subarray(0, n)), `${id}: encodeChunkPooled != deflate`).toBe(true);
      const own = await encodeChunk(compressor, plain, 4);
      expect(same(own, pooled.bytes), id).toBe(true);
      expect(same(await decodeChunk(compressor, own), plain), `${id}: decodeChunk`).toBe(true);
      checks.push({ path: saved(own, `encodeChunk-${id}`), codec: id });
      bytePool.give(pooled.bytes);
    }
    const { decoded } = await python({ decode: checks });
    expect(decoded).toEqual(checks.map(() => sha(plain)));
  });

  it("stays within deflateBound for incompressible and empty input, and rejects a smaller buffer", async () => {
    for (const gzip of [false, true]) {
      for (const plain of [noise(1 << 20, 11), new Uint8Array(0)]) {
        const bound = native.deflateBound(plain.length, gzip);
        expect(bound).toBeGreaterThanOrEqual(plain.length);
        const dst = Buffer.alloc(bound);
        const n = await native.deflate(plain, dst, 9, gzip);
        expect(n).toBeLessThanOrEqual(bound);
        expect(same((gzip ? gunzipSync : inflateSync)(dst.subarray(0, n)), plain)).toBe(true);
      }
      await expect(native.deflate(smoothF32(10_000), Buffer.alloc(16), 1, gzip)).rejects.toThrow(/smaller than the deflate bound/);
    }
  });
});

describe("lz4 and blosc-lz4", () => {
  it("lz4 writes a bare block of the (shuffled) input, or 0 when it does not shrink", async () => {
    for (const itemsize of [1, 2, 4, 8] as const) {
      const src = smooth(itemsize, 20_001);
      const dst = Buffer.alloc(src.length);
      const n = await native.lz4(src, dst, 1, itemsize);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(src.length);
      expect(same(unlz4(dst.subarray(0, n), src.length), itemsize > 1 ? refShuffle(src, itemsize) : src), `itemsize ${itemsize}`).toBe(true);
    }
    expect(await native.lz4(noise(50_000), Buffer.alloc(50_000), 1, 4)).toBe(0);
    // A destination too short for the compressed block: "does not shrink enough", not an overflow.
    const guard = Buffer.alloc(64 + 8, 0xee);
    expect(await native.lz4(smoothF32(50_000), guard.subarray(0, 64), 1, 4)).toBe(0);
    expect(guard.subarray(64).every((b) => b === 0xee)).toBe(true);
  });

  it("takes c-blosc 1.x's acceleration for the clevel, and the clevel changes the frame", async () => {
    expect([1, 2, 5, 8, 9, 10].map(lz4Acceleration)).toEqual([9, 8, 5, 2, 1, 1]);
    const data = smoothF32(300_000);
    const fast = await encodeBloscLz4(data, 4, true, 1);
    const best = await encodeBloscLz4(data, 4, true, 9);
    expect(same(fast, best)).toBe(false);
    expect(best.length).toBeLessThanOrEqual(fast.length);
  });

  it("frames decode with c-blosc (numcodecs) and with the pure-Node path to the original bytes", async () => {
    const frames: Array<{ name: string; frame: Uint8Array; plain: Uint8Array }> = [];
    const blocksize = 32_768;
    for (const typesize of [1, 2, 4, 8] as const) {
      // Three blocks, the last shorter; typesize 4 also gets a last block ending in a partial element.
      for (const nbytes of typesize === 4 ? [2 * blocksize + 12_344, 2 * blocksize + 12_345] : [2 * blocksize + 12_344]) {
        const plain = smooth(typesize, Math.ceil(nbytes / typesize), typesize).subarray(0, nbytes);
        const blockOf = (b: number): Uint8Array => plain.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize));
        const opts = { typesize, blocksize, nblocks: 3, nbytes, clevel: 5 };
        const plainFrame = await encodeBloscLz4Blocks({ ...opts, block: async (b) => ({ bytes: blockOf(b), shuffled: false }) });
        // Blocks that arrive shuffled (inflated HDF5 chunks) make the same frame as plain ones.
        const shuffledFrame = await encodeBloscLz4Blocks({ ...opts, parallel: 3, block: async (b) => ({ bytes: typesize > 1 ? refShuffle(blockOf(b), typesize) : blockOf(b), shuffled: typesize > 1 }) });
        expect(same(shuffledFrame, plainFrame), `typesize ${typesize}, ${nbytes} bytes: shuffled blocks != plain blocks`).toBe(true);
        // Assembled in a pooled buffer full of garbage, with the blocks finishing out of order.
        const room = bytePool.take(16 + 8 * 3 + nbytes).fill(0xa5);
        const delays = [30, 0, 10];
        const pooledFrame = await encodeBloscLz4Blocks({ ...opts, room, block: async (b) => new Promise((resolve) => setTimeout(() => resolve({ bytes: blockOf(b), shuffled: false }), delays[b])) });
        expect(same(pooledFrame, plainFrame), `typesize ${typesize}: frame assembled in a pooled buffer differs`).toBe(true);
        bytePool.give(room);
        const head = Buffer.from(plainFrame.buffer, plainFrame.byteOffset, 16);
        expect([head[0], head[3], head.readUInt32LE(4), head.readUInt32LE(8), head.readUInt32LE(12)]).toEqual([2, typesize, nbytes, blocksize, plainFrame.length]);
        expect((head[2] as number) & 0x01, "shuffle flag").toBe(typesize > 1 ? 1 : 0);
        expect(plainFrame.length).toBeLessThan(nbytes);
        frames.push({ name: `blocks typesize ${typesize} ${nbytes} bytes`, frame: Buffer.from(plainFrame), plain });
      }
      // An incompressible middle block is stored raw, in the shuffled order the decoder undoes.
      const nbytes = 2 * blocksize + 8_000;
      const plain = smooth(typesize, nbytes / typesize, 1);
      plain.set(noise(blocksize, 17 + typesize), blocksize);
      const frame = await encodeBloscLz4Blocks({ typesize, blocksize, nblocks: 3, nbytes, block: async (b) => ({ bytes: plain.subarray(b * blocksize, Math.min(nbytes, (b + 1) * blocksize)), shuffled: false }) });
      const view = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      const start = view.readUInt32LE(16 + 4);
      expect(view.readUInt32LE(start), "raw block stream size").toBe(blocksize);
      expect(same(view.subarray(start + 4, start + 4 + blocksize), refShuffle(plain.subarray(blocksize, 2 * blocksize), typesize)), `typesize ${typesize}: raw block is not in shuffled order`).toBe(true);
      frames.push({ name: `blocks typesize ${typesize} incompressible middle block`, frame: Buffer.from(frame), plain });
    }
    for (const typesize of [1, 2, 4, 8] as const) {
      const plain = smooth(typesize, Math.floor(600_000 / typesize), 2);
      frames.push({ name: `encodeBloscLz4 typesize ${typesize}`, frame: await encodeBloscLz4(plain, typesize, true), plain });
    }
    const odd = smoothF32(65_537).subarray(0, 262_147);
    frames.push({ name: "encodeBloscLz4 odd length typesize 4", frame: await encodeBloscLz4(odd, 4, true), plain: odd });
    const incompressible = noise(300_000, 3);
    const copied = await encodeBloscLz4(incompressible, 4, true);
    expect((copied[2] as number) & 0x02, "memcpyed flag").toBe(0x02);
    frames.push({ name: "encodeBloscLz4 incompressible (memcpyed)", frame: copied, plain: incompressible });

    const paths = frames.map((f) => saved(f.frame, f.name));
    const compressor = compressorConfig({ codec: "blosc-lz4" });
    const [py, pure] = await Promise.all([python({ decode: paths.map((path) => ({ path, codec: "blosc" })) }), pureNode({ decode: paths.map((path) => ({ path, compressor })) })]);
    frames.forEach((f, i) => {
      expect(py.decoded?.[i], `${f.name}: numcodecs`).toBe(sha(f.plain));
      expect(pure.decoded[i], `${f.name}: pure-Node decodeChunk`).toBe(sha(f.plain));
    });
  });

  it("a clevel 5 frame of smooth float32 is within 10% of what numcodecs' c-blosc makes", async () => {
    const plain = smoothF32(1 << 18);
    const ours = (await encodeBloscLz4(plain, 4, true, 5)).length;
    const { bloscSize } = await python({ bloscSize: [{ path: saved(plain, "smooth-f32.bin"), dtype: "<f4", clevel: 5 }] });
    const theirs = bloscSize?.[0] as number;
    console.info(`blosc-lz4 clevel 5, ${plain.length} bytes of smooth float32: dmac ${ours} bytes, numcodecs ${theirs} bytes (${((100 * ours) / theirs).toFixed(1)}%)`);
    expect(ours).toBeLessThanOrEqual(theirs * 1.1);
  });
});

describe("many operations in flight", () => {
  it("64 inflates, lz4s and deflates of different sizes and itemsizes at once all come out right", async () => {
    const itemsizes = [0, 2, 3, 4, 8, 1, 4, 2];
    const jobs = Array.from({ length: 64 }, (_, k) => {
      const itemsize = itemsizes[k % itemsizes.length] as number;
      // Sizes go up and down, so each thread's scratch buffer grows while others are in use.
      const length = 1_000 + ((k * 37_919) % 400_000) + (k % 3);
      const element = itemsize === 2 || itemsize === 4 || itemsize === 8 ? itemsize : 1;
      const plain = k % 11 === 5 ? noise(length, k + 1) : smooth(element, Math.ceil(length / element), k / 10).subarray(0, length);
      return { k, itemsize, plain, stream: deflateSync(refShuffle(plain, Math.max(1, itemsize)), { level: 1 }) };
    });
    for (let round = 0; round < 2; round++) {
      const results = await Promise.all(
        jobs.flatMap(({ k, itemsize, plain, stream }) => [
          (async () => {
            const dst = Buffer.alloc(plain.length);
            const n = await native.inflate(stream, dst, itemsize, false);
            return { name: `inflate #${k} itemsize ${itemsize}`, ok: n === plain.length && same(dst, plain) };
          })(),
          (async () => {
            const dst = Buffer.alloc(plain.length);
            const n = await native.lz4(plain, dst, 1 + (k % 9), Math.max(1, itemsize));
            const want = refShuffle(plain, Math.max(1, itemsize));
            // Only the random inputs do not shrink.
            return { name: `lz4 #${k} itemsize ${itemsize} -> ${n}`, ok: n === 0 ? k % 11 === 5 : k % 11 !== 5 && same(unlz4(dst.subarray(0, n), plain.length), want) };
          })(),
          (async () => {
            const dst = Buffer.alloc(native.deflateBound(plain.length, k % 2 === 1));
            const n = await native.deflate(plain, dst, 1 + (k % 12), k % 2 === 1);
            return { name: `deflate #${k}`, ok: same((k % 2 === 1 ? gunzipSync : inflateSync)(dst.subarray(0, n)), plain) };
          })(),
        ]),
      );
      expect(results.filter((r) => !r.ok).map((r) => `round ${round}: ${r.name}`)).toEqual([]);
    }
  });
});

describe("wrong arguments", () => {
  it("throw a TypeError, through the wrapper and at the addon, and the addon keeps working", async () => {
    const src = deflateSync(smoothF32(1_000));
    const dst = Buffer.alloc(4_000);
    const loose = native as unknown as Record<keyof NativeCodecs, (...args: unknown[]) => unknown>;
    const addon = createRequire(import.meta.url)(addonFile) as Record<keyof NativeCodecs, (...args: unknown[]) => unknown>;
    const wrong: Array<[string, () => unknown]> = [
      ["inflate(string, dst)", () => loose.inflate("not bytes", dst, 0, false)],
      ["inflate(src)", () => loose.inflate(src)],
      ["inflate()", () => loose.inflate()],
      ["inflate(src, dst, 'four')", () => loose.inflate(src, dst, "four", false)],
      ["deflate(src, {}, 1)", () => loose.deflate(src, {}, 1, false)],
      ["deflate(string, dst)", () => loose.deflate("text", dst, 1, false)],
      ["lz4(src, dst)", () => loose.lz4(src, dst)],
      ["lz4(src, null, 1, 1)", () => loose.lz4(src, null, 1, 1)],
      ["unshuffle(src, dst, 0)", () => loose.unshuffle(src, dst, 0)],
      ["unshuffle(src, shorter dst, 4)", () => loose.unshuffle(dst, src, 4)],
      ["deflateBound('x')", () => loose.deflateBound("x", false)],
      ["deflateBound(-1)", () => loose.deflateBound(-1, false)],
      ["inflate(Float32Array, dst)", () => loose.inflate(new Float32Array(src.length), dst, 0, false)],
      ["inflate(src, Float32Array)", () => loose.inflate(src, new Float32Array(1_000), 0, false)],
      ["deflate(src, Float64Array)", () => loose.deflate(src, new Float64Array(100), 1, false)],
      ["lz4(Int16Array, dst)", () => loose.lz4(new Int16Array(100), dst, 1, 1)],
      ["unshuffle(Float32Array, dst, 4)", () => loose.unshuffle(new Float32Array(10), dst, 4)],
      ["addon inflate(Float32Array, dst)", () => addon.inflate(new Float32Array(src.length), dst, 0, 0)],
      ["addon unshuffle(src, dst, 2) (missing the 4th argument)", () => addon.unshuffle(src, dst, 2)],
      ["addon inflate(src, dst.buffer)", () => addon.inflate(src, dst.buffer, 0, 0)],
    ];
    for (const [name, call] of wrong) {
      const err = await errorOf(call);
      expect(err, name).toBeInstanceOf(TypeError);
    }
    // Node's Buffer is a Uint8Array, and a byte view of a float array is accepted.
    const floats = new Float32Array(1_000);
    expect(await native.inflate(src, new Uint8Array(floats.buffer), 0, false)).toBe(4_000);
    expect(same(new Uint8Array(floats.buffer), smoothF32(1_000))).toBe(true);
    expect(await native.inflate(src, dst, 0, false)).toBe(4_000);
    expect(same(dst, smoothF32(1_000))).toBe(true);
  });
});

/** A dataset's chunk layout, found from its object header's address (an old-style reference). */
async function layoutOf(fh: FileHandle, ds: InstanceType<typeof h5wasm.Dataset>): Promise<StorageLayout | undefined> {
  const address = Number(Buffer.from(Array.from(ds.create_reference().ref_data as ArrayLike<number>)).readBigUInt64LE(0));
  return storageLayout(fh, address, (ds.shape ?? []).length);
}

describe("readChunkInto", () => {
  let hdf5Fixture = "";
  beforeAll(async () => {
    await h5wasm.ready;
    hdf5Fixture = join(tmp.path, "chunks.h5");
    await python({ hdf5: hdf5Fixture });
  });

  /** Every chunk of every chunked dataset of `path`, decoded four ways; returns the pipelines seen. */
  async function checkFile(path: string): Promise<Map<string, number>> {
    const file = new h5wasm.File(path, "r");
    const fh = await open(path, "r");
    const plans = new Map<string, number>();
    try {
      for (const name of file.keys()) {
        const ds = file.get(name);
        if (!(ds instanceof h5wasm.Dataset) || (ds.shape ?? []).length === 0) continue;
        const filters = ds.filters.map((f) => (f.id === 1 ? "deflate" : f.id === 2 ? "shuffle" : "other"));
        if (filters.includes("other")) continue;
        const shape = ds.shape ?? [];
        const layout = await layoutOf(fh, ds);
        if (layout?.kind !== "chunked") continue;
        const itemsize = ds.metadata.size;
        const chunkBytes = layout.chunkShape.reduce((n, c) => n * c, itemsize);
        for (const ref of layout.chunks) {
          const at = `${path.split("/").pop()}:${name} chunk ${ref.offset.join(",")}`;
          const plan = filters.filter((_, i) => (ref.filterMask & (1 << i)) === 0).join(",") || "none";
          plans.set(plan, (plans.get(plan) ?? 0) + 1);
          // readChunk kept in shuffle order, then hdf5-chunks' JS unshuffle: the reference.
          const kept = await readChunk(fh, ref, filters as Hdf5Filter[], itemsize, chunkBytes, true);
          const want = kept.shuffled ? unshuffle(kept.bytes, itemsize) : Buffer.from(kept.bytes);
          expect(want.byteLength, at).toBe(chunkBytes);
          // Into a view of a larger buffer: nothing outside it may change.
          const whole = Buffer.alloc(chunkBytes + 32, 0xee);
          const dst = whole.subarray(16, 16 + chunkBytes);
          expect(await readChunkInto(fh, ref, filters as Hdf5Filter[], itemsize, dst), at).toBe(true);
          expect(same(dst, want), `${at} (${plan}): readChunkInto != readChunk + unshuffle`).toBe(true);
          expect(whole.subarray(0, 16).every((b) => b === 0xee) && whole.subarray(16 + chunkBytes).every((b) => b === 0xee), `${at}: wrote outside dst`).toBe(true);
          // readChunk's native path (pooled buffers) and its node:zlib path (no expected size).
          const pooled = await readChunk(fh, ref, filters as Hdf5Filter[], itemsize, chunkBytes);
          expect(same(pooled.bytes, want), `${at}: readChunk (native)`).toBe(true);
          const plain = await readChunk(fh, ref, filters as Hdf5Filter[], itemsize);
          expect(same(plain.bytes, want), `${at}: readChunk (node:zlib)`).toBe(true);
          // HDF5's own reading of the chunk's box, where the chunk lies inside the dataset.
          const box = ref.offset.map((o, i) => [o, o + (layout.chunkShape[i] ?? 0)] as [number, number]);
          if (box.every(([, hi], i) => hi <= (shape[i] ?? 0))) {
            const values = ds.slice(box) as ArrayBufferView;
            expect(same(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), dst), `${at}: HDF5 reads other values`).toBe(true);
          }
        }
      }
    } finally {
      file.close();
      await fh.close();
    }
    return plans;
  }

  it("writes what readChunk + unshuffle gives, and what HDF5 reads, on the NetCDF-4 fixtures", async () => {
    const cycle = cycleAt("2023-10-22T00:00:00Z");
    const roms = await checkFile(romsFile(join(tmp.path, "nc"), { cycle, kind: "f", hour: 3 }));
    expect(roms.get("shuffle,deflate"), "ROMS: shuffled+deflated chunks").toBeGreaterThan(0);
    expect(roms.get("deflate"), "ROMS: deflated chunks").toBeGreaterThan(0);
    expect((await checkFile(selfeFile(join(tmp.path, "nc"), { cycle, kind: "f", hour: 3 }))).get("shuffle,deflate")).toBeGreaterThan(0);
    expect((await checkFile(rtofsFile(join(tmp.path, "nc"), { cycle, kind: "f", hour: 3 }))).get("deflate")).toBeGreaterThan(0);
  });

  it("does the same for item sizes 1-8, edge chunks, shuffle alone and filters skipped by the chunk's mask", async () => {
    const plans = await checkFile(hdf5Fixture);
    // i2, f8, u1 and masked chunk 0; f4; f4s and masked chunk 1 (deflate skipped); masked chunk 2 (both skipped).
    expect(Object.fromEntries(plans)).toEqual({ "shuffle,deflate": 2 * 3 * 2 + 3 + 2 + 1, deflate: 2 * 2, shuffle: 2 * 2 + 1, none: 1 });
  });

  it("rejects a destination of the wrong size, naming the chunk, and declines a pipeline it does not know", async () => {
    const path = romsFile(join(tmp.path, "nc-size"), { cycle: cycleAt("2023-10-22T00:00:00Z"), kind: "f", hour: 1 });
    const file = new h5wasm.File(path, "r");
    const fh = await open(path, "r");
    try {
      const layout = await layoutOf(fh, file.get("temp") as InstanceType<typeof h5wasm.Dataset>);
      const ref = layout?.kind === "chunked" ? layout.chunks[0] : undefined;
      if (ref === undefined) throw new Error(`${path}: temp is not chunked`);
      const bytes = 3 * 5 * 7 * 4;
      await expect(readChunkInto(fh, ref, ["shuffle", "deflate"], 4, Buffer.alloc(bytes - 4))).rejects.toThrow(new RegExp(`HDF5 chunk at ${ref.address}: corrupt stream, or one that inflates to more bytes than expected`));
      await expect(readChunkInto(fh, ref, ["shuffle", "deflate"], 4, Buffer.alloc(bytes + 4))).rejects.toThrow(`HDF5 chunk at ${ref.address} decodes to ${bytes} bytes, expected ${bytes + 4}`);
      const untouched = Buffer.alloc(bytes, 0xee);
      expect(await readChunkInto(fh, ref, ["deflate", "shuffle"], 4, untouched)).toBe(false);
      expect(untouched.every((b) => b === 0xee)).toBe(true);
    } finally {
      file.close();
      await fh.close();
    }
  });
});

describe("ingest end to end", () => {
  /** Every file of a store, by path relative to it. */
  function listing(root: string): string[] {
    return (readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath?: string; path?: string; isFile(): boolean }>)
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath ?? e.path ?? root, e.name)))
      .sort();
  }

  /** The compressor of the array a chunk key belongs to (Zarr v2: the .zarray beside it). */
  function compressorOf(root: string, key: string): V2Compressor {
    const zarray = JSON.parse(readFileSync(join(root, key.split("/").slice(0, -1).join("/"), ".zarray"), "utf8")) as { compressor: V2Compressor };
    return zarray.compressor;
  }

  it("with and without the addon writes the same metadata and the same decoded chunks, for zlib and blosc-lz4", async () => {
    const cycle = cycleAt("2023-10-22T00:00:00Z");
    const inputs = [1, 2, 3].map((hour) => romsFile(join(tmp.path, "e2e-src"), { cycle, kind: "f", hour }));
    const codecs = ["zlib", "blosc-lz4"] as const;
    const storeOf = (who: string, codec: string): string => join(tmp.path, "e2e", `${who}-${codec}.zarr`);
    const pure = pureNode({ ingest: codecs.map((codec) => ({ store: storeOf("pure", codec), inputs, encoding: { codec } })) });
    const spies = { inflate: vi.spyOn(native, "inflate"), deflate: vi.spyOn(native, "deflate"), lz4: vi.spyOn(native, "lz4") };
    const calls: Record<string, number> = {};
    try {
      for (const codec of codecs) await ingest({ store: storeOf("native", codec), inputs, encoding: { codec }, concurrency: 0 });
      for (const [op, spy] of Object.entries(spies)) calls[op] = spy.mock.calls.length;
      // blosc's default clevel 5 reaches LZ4 as c-blosc's acceleration; shuffled float32 chunks
      // are unshuffled inside the inflate.
      expect(new Set(spies.lz4.mock.calls.map((c) => c[2]))).toEqual(new Set([lz4Acceleration(5)]));
      expect(spies.inflate.mock.calls.some((c) => c[2] === 4)).toBe(true);
    } finally {
      for (const spy of Object.values(spies)) spy.mockRestore();
    }
    // The in-process ingests went through the addon: chunks read by inflate, written by deflate / lz4.
    expect(calls.inflate, "native inflates").toBeGreaterThan(0);
    expect(calls.deflate, "native deflates").toBeGreaterThan(0);
    expect(calls.lz4, "native lz4 blocks").toBeGreaterThan(0);
    await pure;

    for (const codec of codecs) {
      const [a, b] = [storeOf("native", codec), storeOf("pure", codec)];
      const files = listing(a);
      expect(files, codec).toEqual(listing(b));
      const metadata = files.filter((f) => f.split("/").pop()?.startsWith(".") === true);
      expect(metadata, codec).toEqual(expect.arrayContaining([".zmetadata", ".zattrs", ".zgroup", "temp/.zarray", "temp/.zattrs"]));
      for (const f of metadata) expect(readFileSync(join(a, f)).toString("utf8"), `${codec}: ${f}`).toBe(readFileSync(join(b, f)).toString("utf8"));
      const chunks = files.filter((f) => !metadata.includes(f));
      expect(chunks.length, codec).toBeGreaterThan(10);
      for (const f of chunks) {
        const compressor = compressorOf(a, f);
        expect(compressor?.id, `${codec}: ${f}`).toBe(codec === "zlib" ? "zlib" : "blosc");
        const [x, y] = await Promise.all([decodeChunk(compressor, readFileSync(join(a, f))), decodeChunk(compressor, readFileSync(join(b, f)))]);
        expect(same(x, y), `${codec}: ${f} decodes differently`).toBe(true);
      }
    }
    // And xarray reads the natively written stores as the sources combined.
    const verdicts = await Promise.all(codecs.map((codec) => compareWithXarray({ store: storeOf("native", codec), concatDim: "ocean_time", sources: inputs.map((p) => [p, 0] as [string, number]) })));
    verdicts.forEach((v, i) => expect(v.detail, `${codecs[i]}: xarray`).toBe(""));
    verdicts.forEach((v) => expect(v.identical).toBe(true));
  });
});
