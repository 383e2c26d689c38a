// Builds the browser bundle (src/main.ts and everything it imports, zarrita included) with
// esbuild's JS API, in memory: `dmac serve viewer` from source and the tests need no separate
// build step, and a stale bundle cannot be served. About half a second on first use. The compiled
// build (bin/build.mjs) writes the same bundle beside the compiled module (dist/apps/viewer/bundle/),
// so `dmac up` and the images never run esbuild: its service process and its buffers were about
// 50 MiB during the first start. dist/ is rebuilt whenever a source changes, so that copy is current.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export interface ViewerBundle {
  /** Output file name (viewer.js, chunk-*.js, their .map files) to contents. */
  files: Map<string, Uint8Array>;
  /** Short content hash, for ETags. */
  hash: string;
  buildMs: number;
}

/**
 * The viewer's folder in the checkout (static/ and src/), from this module's location, whether it
 * runs from source (apps/viewer) or compiled (dist/apps/viewer: the browser code is bundled from source).
 */
export function viewerRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [dir, join(dir, "apps", "viewer")]) if (existsSync(join(candidate, "static", "index.html")) && existsSync(join(candidate, "src", "main.ts"))) return candidate;
    if (dir === dirname(dir)) break;
  }
  throw new Error(`viewer: cannot find apps/viewer/static/index.html and apps/viewer/src/main.ts above ${start}`);
}

/**
 * The bundle's ETag. Every file is served with it, so every file goes into it: a comment changes
 * the source map but not the minified viewer.js, and a hash of viewer.js alone answered 304 with a
 * stale map.
 */
export function bundleHash(files: ReadonlyMap<string, Uint8Array>): string {
  const hash = createHash("sha1");
  for (const name of [...files.keys()].sort()) hash.update(name).update("\0").update(files.get(name) as Uint8Array);
  return hash.digest("hex").slice(0, 16);
}

/** Where bin/build.mjs puts the bundle: beside this module, so only in dist/. */
export const PREBUILT_BUNDLE = fileURLToPath(new URL("./bundle", import.meta.url));

/** Writes the bundle's files into `dir` (bin/build.mjs). */
export async function writeViewerBundle(dir: string): Promise<void> {
  const bundle = await buildViewerBundle(viewerRoot(), { prebuilt: false });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of bundle.files) writeFileSync(join(dir, name), bytes);
}

/** The bundle bin/build.mjs wrote, or undefined when there is none (run from source). */
export function prebuiltBundle(dir = PREBUILT_BUNDLE): ViewerBundle | undefined {
  if (!existsSync(join(dir, "viewer.js"))) return undefined;
  const started = performance.now();
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir)) files.set(name, readFileSync(join(dir, name)));
  return { files, hash: bundleHash(files), buildMs: performance.now() - started };
}

/** The prebuilt bundle when there is one (and `options.prebuilt` is not false), else built now with esbuild. */
export async function buildViewerBundle(root = viewerRoot(), options: { prebuilt?: boolean } = {}): Promise<ViewerBundle> {
  const prebuilt = options.prebuilt === false ? undefined : prebuiltBundle();
  if (prebuilt) return prebuilt;
  const started = performance.now();
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (error) {
    throw new Error(`viewer: esbuild is needed to build the browser bundle (npm install, devDependencies included): ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = await esbuild.build({
    entryPoints: [join(root, "src", "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["chrome111", "firefox115", "safari16.4"],
    minify: true,
    sourcemap: "linked",
    // Never written (write: false); source maps name sources relative to it, so under the root the
    // bundle is the same from any checkout's path (the images are reproducible).
    outdir: join(root, "bundle-out"),
    entryNames: "viewer",
    // zarrita loads its WASM codecs (blosc, lz4, zstd) by dynamic import: split them out so the
    // page only downloads the ones a store uses.
    splitting: true,
    chunkNames: "chunk-[hash]",
    logLevel: "silent",
    legalComments: "linked",
  }).finally(() => esbuild.stop());
  // esbuild.stop() (above) ends esbuild's service process: one build per start, nothing to keep it for.
  const files = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) files.set(relative(join(root, "bundle-out"), f.path), f.contents);
  const js = files.get("viewer.js");
  if (js === undefined) throw new Error("viewer: esbuild produced no viewer.js");
  return { files, hash: bundleHash(files), buildMs: performance.now() - started };
}
