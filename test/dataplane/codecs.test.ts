// Every chunk codec round-trips through an independent decoder: c-blosc (numcodecs' build of it)
// for our blosc-lz4 frames, node:zlib and numcodecs for the rest.
import { describe, expect, it } from "vitest";
import Blosc from "numcodecs/blosc";
import { compressorConfig, type CodecName } from "../../dataplane/index.js";
import { decodeChunk, encodeChunk } from "../../dataplane/zarr/codecs.js";
import { encodeBloscLz4 } from "../../dataplane/zarr/blosc-lz4.js";

const cblosc = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 });
const smooth = new Uint8Array(new Float64Array(100_000).map((_, i) => Math.sin(i / 50)).buffer);
// xorshift32: bytes LZ4 cannot shrink.
let state = 2463534242;
const noise = new Uint8Array(300_000).map(() => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state & 0xff;
});

describe("blosc-lz4 frames", () => {
  it.each([
    ["smooth float64, several blocks", smooth, 8],
    ["incompressible bytes (stored whole)", noise, 4],
    ["a tiny chunk (< 128 bytes)", smooth.subarray(0, 40), 8],
    ["odd length, typesize 4", smooth.subarray(0, 262_147), 4],
  ] as const)("%s decode with c-blosc", async (_name, data, typesize) => {
    const frame = await encodeBloscLz4(data, typesize, true);
    expect(Buffer.from(await cblosc.decode(frame))).toEqual(Buffer.from(data));
    expect(Buffer.from(frame).readUInt32LE(4)).toBe(data.length);
  });
  it("compresses smooth data and marks incompressible data as copied", async () => {
    const steps = new Uint8Array(new Float64Array(100_000).map((_, i) => Math.floor(i / 100)).buffer);
    expect((await encodeBloscLz4(steps, 8, true)).length).toBeLessThan(steps.length / 4);
    const raw = await encodeBloscLz4(noise, 4, true);
    expect(raw[2]! & 0x02).toBe(0x02);
  });
});

describe("chunk codecs", () => {
  it.each(["zlib", "blosc-lz4", "zstd", "none"] as CodecName[])("%s round-trips", async (codec) => {
    for (const format of [2, 3] as const) {
      const compressor = compressorConfig({ codec }, format);
      const encoded = await encodeChunk(compressor, smooth, 8);
      expect(Buffer.from(await decodeChunk(compressor, encoded))).toEqual(Buffer.from(smooth));
    }
  });
  it("rejects levels out of range, naming the field", () => {
    expect(() => compressorConfig({ codec: "zlib", level: 12 })).toThrow(/^encoding.level: zlib takes an integer 0-9/);
  });
});
