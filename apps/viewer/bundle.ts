// Builds the browser bundle (src/main.ts and everything it imports, zarrita included) with
// esbuild's JS API, in memory: `dmac up`, `dmac serve viewer` and the tests need no separate
// build step, and a stale bundle cannot be served. About half a second on first use.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
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

export async function buildViewerBundle(root = viewerRoot()): Promise<ViewerBundle> {
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
    outdir: "/viewer-out",
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
  for (const f of result.outputFiles) files.set(f.path.slice("/viewer-out/".length), f.contents);
  const js = files.get("viewer.js");
  if (js === undefined) throw new Error("viewer: esbuild produced no viewer.js");
  return { files, hash: bundleHash(files), buildMs: performance.now() - started };
}
