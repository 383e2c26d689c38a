#!/usr/bin/env node
// The published entry point: runs the compiled app in dist/ (no TypeScript loader: faster start,
// about half the memory). In a development checkout (the TypeScript compiler installed), dist/
// must match the sources: with no build yet, or sources changed since it (bin/build.mjs keeps a
// fingerprint in dist/.build-stamp.json), it is compiled first, so old code never runs. An install
// without the compiler (the images: dist/ and the sources come from one build) runs dist/ as it is.
// DMAC_FROM_SOURCE=1 runs the TypeScript through tsx instead (tests, quick edits).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// `dmac up` runs several V8 isolates and their threads in one long-lived process: it re-executes
// itself once (same pid, so signals and supervisors are unaffected) with settings for that shape,
// each measured in bench/platform/README.md:
// - MALLOC_ARENA_MAX=2: glibc gives every thread that allocates its own 64 MiB malloc arena
//   (up to 8 per core), and the arenas of idle threads keep their freed pages resident.
// - MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ at 128 KiB: allocations above it (chunk and
//   codec buffers of an ingest) are their own mappings, returned to the system when freed; glibc
//   otherwise raises the threshold after the first large free and keeps later ones in the heap.
// - DMAC_NODE_FLAGS (default below): V8 flags for the whole process; set it to "" to run without.
//   --max-semi-space-size=2 (MiB): the main thread's young generation (the workers' is capped in
//   supervisor.ts). --liftoff-only: WebAssembly (PGlite, h5wasm) runs as Liftoff, V8's baseline
//   code, and is never recompiled by TurboFan, whose compile memory for their large functions
//   took the process up by 400-500 MiB for a second or two: PGlite's first queries at every start,
//   and h5wasm's once an ingest has run long enough. Those spikes were the first-ingest peak
//   (bench/platform/README.md); a 100 times larger tier-up budget only moved the second one later.
const UP_FLAGS = "--max-semi-space-size=2 --liftoff-only";
if (process.argv[2] === "up" && !process.env.DMAC_REEXECUTED && typeof process.execve === "function" && process.platform === "linux") {
  const flags = (process.env.DMAC_NODE_FLAGS ?? UP_FLAGS).split(/\s+/).filter(Boolean);
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    ...process.env,
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? "131072",
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? "131072",
    DMAC_REEXECUTED: "1",
  });
}
const compiled = join(root, "dist", "apps", "cli", "main.js");

async function fromSource() {
  const { tsImport } = await import("tsx/esm/api");
  await tsImport(pathToFileURL(join(root, "apps", "cli", "main.ts")).href, import.meta.url);
}

if (process.env.DMAC_FROM_SOURCE) await fromSource();
else if (existsSync(join(root, "node_modules", "typescript", "bin", "tsc"))) {
  const { build, readStamp, sourceFingerprint } = await import("./build.mjs");
  const stamp = readStamp();
  if (!existsSync(compiled) || stamp?.fingerprint !== sourceFingerprint()) {
    process.stderr.write(`dmac: compiling to dist/ (${stamp ? "the sources changed since the last build" : "first start"}; about 30 s)...\n`);
    if (!build({ quiet: true })) {
      process.stderr.write("dmac: the build failed (above); not running the old dist/. Fix the error, or run from source with DMAC_FROM_SOURCE=1.\n");
      process.exit(1);
    }
  }
  await import(pathToFileURL(compiled).href);
} else if (existsSync(compiled)) await import(pathToFileURL(compiled).href);
else await fromSource();
