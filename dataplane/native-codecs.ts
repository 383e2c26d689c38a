// The native codec addon (native/dmac_codecs.c: libdeflate and liblz4 on libuv's thread pool,
// writing into buffers the caller owns), when it was built. Every user keeps a slower pure-Node
// path for machines where it was not (no C compiler or libraries at `npm ci`);
// DMAC_NATIVE_CODECS=off forces that path, so both can be tested on one machine.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface NativeCodecs {
  /**
   * Inflates a zlib (`gzip` false) or gzip stream into `dst`, which must hold the whole output;
   * with `unshuffleItemsize` > 1 the output is also unshuffled (HDF5 shuffle) on the way.
   * Resolves to the bytes written; rejects on a corrupt stream or one larger than `dst`.
   */
  inflate(src: Uint8Array, dst: Uint8Array, unshuffleItemsize: number, gzip: boolean): Promise<number>;
  /** Deflates into `dst` (at least `deflateBound` bytes) as zlib or gzip; resolves to the bytes written. */
  deflate(src: Uint8Array, dst: Uint8Array, level: number, gzip: boolean): Promise<number>;
  deflateBound(bytes: number, gzip: boolean): number;
  /**
   * One bare LZ4 block of `src` (shuffled first by `shuffleItemsize` when > 1) into `dst`;
   * resolves to its length, or 0 when it would not be smaller than `src`.
   */
  lz4(src: Uint8Array, dst: Uint8Array, acceleration: number, shuffleItemsize: number): Promise<number>;
  /** Undoes the HDF5/blosc byte shuffle of `src` into `dst`. */
  unshuffle(src: Uint8Array, dst: Uint8Array, itemsize: number): Promise<void>;
}

/** The addon's own signature: flags are ints, not booleans. */
interface Addon {
  inflate(src: Uint8Array, dst: Uint8Array, itemsize: number, format: number): Promise<number>;
  deflate(src: Uint8Array, dst: Uint8Array, level: number, format: number): Promise<number>;
  deflateBound(bytes: number, format: number): number;
  lz4(src: Uint8Array, dst: Uint8Array, acceleration: number, itemsize: number): Promise<number>;
  unshuffle(src: Uint8Array, dst: Uint8Array, itemsize: number, unused: number): Promise<number>;
}

/** Where the addon is built: native/build under the package root, from wherever this module was compiled to. */
function addonPath(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "native", "build", "dmac_codecs.node");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function load(): NativeCodecs | undefined {
  if (process.env.DMAC_NATIVE_CODECS === "off") return undefined;
  const path = addonPath();
  if (path === undefined) return undefined;
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (err) {
    // Built, but not loadable here (a runtime image without libdeflate0/liblz4-1, another
    // architecture): the slow path still works, unless the build was required.
    const message = `dmac native codecs at ${path} cannot be loaded (${(err as Error).message}); using node:zlib and lz4-napi`;
    if (process.env.DMAC_NATIVE_REQUIRED === "1") throw new Error(message);
    process.emitWarning(message);
    return undefined;
  }
  return {
    inflate: (src, dst, itemsize, gzip) => addon.inflate(src, dst, itemsize, gzip ? 1 : 0),
    deflate: (src, dst, level, gzip) => addon.deflate(src, dst, level, gzip ? 1 : 0),
    deflateBound: (bytes, gzip) => addon.deflateBound(bytes, gzip ? 1 : 0),
    lz4: (src, dst, acceleration, itemsize) => addon.lz4(src, dst, acceleration, itemsize),
    unshuffle: async (src, dst, itemsize) => {
      await addon.unshuffle(src, dst, itemsize, 0);
    },
  };
}

/** The addon, or undefined when it is not built or DMAC_NATIVE_CODECS=off (read once, at import). */
export const nativeCodecs: NativeCodecs | undefined = load();
