// The compiled build of a checkout and how bin/dmac.js knows it is current. `npm run build` (and
// bin/dmac.js, when the sources changed) runs tsc into dist/ and writes dist/.build-stamp.json: a
// SHA-256 over every runtime source's path and content plus tsconfig.json and package-lock.json.
// A checkout whose sources no longer match the stamp never runs dist/: it is rebuilt first, or,
// without the TypeScript compiler, refused. Plain JavaScript with no dependencies: it runs before
// anything is compiled.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const stampPath = join(root, "dist", ".build-stamp.json");
const tscPath = join(root, "node_modules", "typescript", "bin", "tsc");

/** What dist/ is compiled from and what `dmac` runs: tests, benchmarks and infra/ do not count. */
const SOURCE_DIRS = ["apps", "bin", "catalog", "clusters", "crds", "dataplane", "images", "kube", "operators"];
const SKIP_DIRS = new Set(["node_modules", "dist", "web", "__pycache__"]);

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(path, out);
    } else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** SHA-256 over the sources' paths and contents (about 30 ms for the whole checkout). */
export function sourceFingerprint() {
  const files = SOURCE_DIRS.flatMap((d) => (existsSync(join(root, d)) ? walk(join(root, d), []) : []));
  files.push(join(root, "tsconfig.json"), join(root, "package-lock.json"));
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, "utf8"));
  } catch {
    return undefined;
  }
}

/** Whether this checkout can compile (the TypeScript compiler is installed: a development install). */
export const canBuild = () => existsSync(tscPath);

/**
 * Packages that several `dmac up` isolates load, bundled and minified into dist/vendor/ after tsc,
 * with the compiled modules' imports of them pointed at the bundle (their own dependencies stay
 * packages). @kubernetes/client-node is about 1,000 modules and 25 MB of source, mostly generated
 * API models: each isolate importing it (the main thread, the operator, the data API) held about
 * 40 MiB of V8 heap plus 19 MiB of module source for it; the minified bundle 17 and 5.5
 * (bench/platform/README.md). Run from source, the package itself loads, as before.
 */
const VENDORED = [{ name: "@kubernetes/client-node", file: "kubernetes-client-node.js" }];

function vendor() {
  const esbuild = createRequire(import.meta.url)("esbuild");
  const dist = join(root, "dist");
  for (const { name, file } of VENDORED) {
    const { dependencies = {} } = JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8"));
    esbuild.buildSync({
      stdin: { contents: `export * from ${JSON.stringify(name)};`, resolveDir: root },
      bundle: true, platform: "node", format: "esm", target: "node24", minify: true, logLevel: "error",
      external: Object.keys(dependencies), outfile: join(dist, "vendor", file),
    });
  }
  const specifier = new RegExp(`(\\bfrom\\s*|\\bimport\\s*\\(\\s*)"(${VENDORED.map((v) => v.name.replace(/[/.]/g, "\\$&")).join("|")})"`, "g");
  for (const path of walk(dist, [])) {
    if (!path.endsWith(".js") || path.startsWith(join(dist, "vendor"))) continue;
    const text = readFileSync(path, "utf8");
    const rewritten = text.replace(specifier, (_m, lead, name) => {
      const target = relative(dirname(path), join(dist, "vendor", VENDORED.find((v) => v.name === name).file));
      return `${lead}${JSON.stringify(target.startsWith(".") ? target : `./${target}`)}`;
    });
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
}

/**
 * What the compiled app reads beside its modules, made after tsc by a function of a compiled module
 * (each in a process of its own) into `out`: the catalog's initialised PGlite data directory
 * (catalog/store/pglite.ts: no initdb at first start) and the viewer's browser bundle
 * (apps/viewer/bundle.ts: no esbuild in `dmac up`). Skipped where the module does not exist.
 */
const ASSETS = [
  { module: "dist/catalog/store/pglite.js", make: "makePgliteTemplate", out: "dist/catalog/store/pglite-template" },
  { module: "dist/apps/viewer/bundle.js", make: "writeViewerBundle", out: "dist/apps/viewer/bundle" },
];

function makeAsset({ module, make, out }, quiet) {
  const target = join(root, out);
  rmSync(target, { recursive: true, force: true });
  rmSync(`${target}.partial`, { recursive: true, force: true });
  if (!existsSync(join(root, module))) return true;
  const code = `const m = await import(${JSON.stringify(pathToFileURL(join(root, module)).href)}); await m.${make}(${JSON.stringify(`${target}.partial`)});`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    return false;
  }
  renameSync(`${target}.partial`, target);
  return true;
}

/**
 * tsc into dist/, then the stamp of the sources it compiled. One build at a time: a second caller
 * waits for the first (a lock directory naming its pid, taken over when that process is gone).
 */
export function build({ quiet = false } = {}) {
  const lock = join(root, ".build.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
        process.kill(owner, 0);
      } catch {
        if (owner !== 0 || Date.now() - statSync(lock).mtimeMs > 5_000) rmSync(lock, { recursive: true, force: true });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      if (readStamp()?.fingerprint === sourceFingerprint()) return true;
    }
  }
  try {
    const fingerprint = sourceFingerprint();
    const started = Date.now();
    const result = spawnSync(process.execPath, [tscPath, "-p", join(root, "tsconfig.json")], { cwd: root, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });
    if (result.status !== 0) {
      if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
      return false;
    }
    try {
      if (existsSync(join(root, "node_modules", "esbuild"))) vendor();
    } catch (error) {
      process.stderr.write(`bundling ${VENDORED.map((v) => v.name).join(", ")} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return false;
    }
    for (const asset of ASSETS) if (!makeAsset(asset, quiet)) return false;
    mkdirSync(dirname(stampPath), { recursive: true });
    writeFileSync(stampPath, `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) })}\n`);
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// `node bin/build.mjs` (npm run build): compile and stamp.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(build() ? 0 : 1);
