// Chunk compressors, named the way the Dataset resource names them. zlib and gzip run on
// libdeflate through the native codecs (or node:zlib without them), on libuv's thread pool;
// zstd and blosc other than lz4 use the numcodecs WebAssembly builds.
// blosc-lz4 is encoded natively (blosc-lz4.ts); numcodecs' blosc (no typesize, so its shuffle
// works on bytes) remains for other blosc compressors and for decoding.
import { deflate, gunzip, gzip, inflate } from "node:zlib";
import { promisify } from "node:util";
import type { Codec } from "numcodecs";
import type { BufferPool } from "../buffer-pool.js";
import { nativeCodecs } from "../native-codecs.js";

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export type CodecName = "zlib" | "blosc-lz4" | "zstd" | "none";

export interface CodecOptions {
  codec: CodecName;
  /** Compression level: zlib 0-9 (default 1), blosc 0-9 (default 5), zstd 1-22 (default 3). */
  level?: number;
}

/** The Zarr v2 `compressor` object (numcodecs configuration), or null for raw chunks. */
export type V2Compressor = { id: string; [k: string]: string | number } | null;

/** Zarr v3 has no zlib codec in its core set; its deflate codec is gzip, so v3 stores use that. */
export function compressorConfig(opts: CodecOptions, format: 2 | 3 = 2): V2Compressor {
  switch (opts.codec) {
    case "zlib":
      return { id: format === 3 ? "gzip" : "zlib", level: checkLevel(opts, 0, 9, 1) };
    case "blosc-lz4":
      return { id: "blosc", cname: "lz4", clevel: checkLevel(opts, 0, 9, 5), shuffle: 1, blocksize: 0 };
    case "zstd":
      return { id: "zstd", level: checkLevel(opts, 1, 22, 3) };
    case "none":
      return null;
  }
}

function checkLevel(opts: CodecOptions, min: number, max: number, fallback: number): number {
  const level = opts.level ?? fallback;
  if (!Number.isInteger(level) || level < min || level > max) throw new Error(`encoding.level: ${opts.codec} takes an integer ${min}-${max}, got ${level}`);
  return level;
}

const wasmCodecs = new Map<string, Promise<Codec>>();

function wasmCodec(config: NonNullable<V2Compressor>): Promise<Codec> {
  const key = JSON.stringify(config);
  let codec = wasmCodecs.get(key);
  if (codec === undefined) {
    codec = (async () => {
      if (config.id === "blosc") {
        const { default: Blosc } = await import("numcodecs/blosc");
        return Blosc.fromConfig(config as never);
      }
      if (config.id === "zstd") {
        const { default: Zstd } = await import("numcodecs/zstd");
        return Zstd.fromConfig(config as never);
      }
      throw new Error(`compressor.id: unsupported codec ${config.id}`);
    })();
    wasmCodecs.set(key, codec);
  }
  return codec;
}

/**
 * Encodes one chunk; `itemsize` is the element size (blosc records it and shuffles by it).
 * With `pool`, the output may be a buffer taken from it: `pooled` says so, and the caller gives
 * it back once the bytes are stored.
 */
export async function encodeChunkPooled(compressor: V2Compressor, raw: Uint8Array, itemsize = 1, pool?: BufferPool): Promise<{ bytes: Uint8Array; pooled: boolean }> {
  if (compressor === null) return { bytes: raw, pooled: false };
  if (compressor.id === "blosc" && compressor.cname === "lz4") {
    const { encodeBloscLz4 } = await import("./blosc-lz4.js");
    return { bytes: await encodeBloscLz4(raw, itemsize, Number(compressor.shuffle) === 1, Number(compressor.clevel ?? 5)), pooled: false };
  }
  if (compressor.id === "zlib" || compressor.id === "gzip") {
    const gzip = compressor.id === "gzip";
    const level = Number(compressor.level ?? 1);
    if (nativeCodecs !== undefined) {
      const bound = nativeCodecs.deflateBound(raw.byteLength, gzip);
      const out = pool?.take(bound) ?? Buffer.allocUnsafe(bound);
      try {
        return { bytes: out.subarray(0, await nativeCodecs.deflate(raw, out, level, gzip)), pooled: pool !== undefined };
      } catch (err) {
        pool?.give(out);
        throw err;
      }
    }
    // Output buffers near the input size: zlib's default 16 KB pieces cost a thread hop each.
    const chunkSize = Math.max(64 * 1024, Math.min(raw.byteLength + 1024, 64 * 1024 * 1024));
    return { bytes: await (gzip ? gzipAsync : deflateAsync)(raw, { level, chunkSize }), pooled: false };
  }
  return { bytes: await (await wasmCodec(compressor)).encode(raw), pooled: false };
}

/** Encodes one chunk into a buffer of its own; `itemsize` is the element size. */
export async function encodeChunk(compressor: V2Compressor, raw: Uint8Array, itemsize = 1): Promise<Uint8Array> {
  return (await encodeChunkPooled(compressor, raw, itemsize)).bytes;
}

export async function decodeChunk(compressor: V2Compressor, stored: Uint8Array): Promise<Uint8Array> {
  if (compressor === null) return stored;
  if (compressor.id === "zlib") return inflateAsync(stored, { chunkSize: Math.max(64 * 1024, stored.byteLength * 4) });
  if (compressor.id === "gzip") return gunzipAsync(stored, { chunkSize: Math.max(64 * 1024, stored.byteLength * 4) });
  return (await wasmCodec(compressor)).decode(stored);
}
