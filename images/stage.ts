// What goes on top of the Debian base: the files of each layer, staged under .images/stage/ from the
// files Git tracks (never from untracked files or the developer's node_modules), and the hash and
// epoch of those inputs.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run, sha256 } from "./exec.js";

export interface Inputs {
  /** Repository-relative paths of the tracked files the layers are made from. */
  readonly files: readonly string[];
  /** sha256 over each file's path, mode and contents, the epoch and `extra` (versions, builder); not Debian's packages. */
  readonly hash: string;
  /** SOURCE_DATE_EPOCH: $SOURCE_DATE_EPOCH, else the time of the last commit that changed one of `files`. */
  readonly epoch: number;
}

/** Directories of layer contents, each a root (`<dir>/app/...`), bottom to top. */
export interface StagedLayers {
  readonly layers: readonly { readonly name: string; readonly dir: string }[];
}

function tracked(repo: string, keep: (path: string) => boolean): string[] {
  return run("git", ["-C", repo, "ls-files", "-z"], { quiet: true }).split("\0").filter((p) => p !== "" && keep(p) && existsSync(join(repo, p))).sort();
}

export function inputsOf(repo: string, files: readonly string[], extra: Record<string, string>): Inputs {
  const lines = files.map((f) => {
    const mode = statSync(join(repo, f)).mode & 0o111 ? "755" : "644";
    return `${f}\0${mode}\0${sha256(readFileSync(join(repo, f)))}`;
  });
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if ((fromEnv === undefined || fromEnv === "") && run("git", ["-C", repo, "rev-parse", "--is-shallow-repository"], { quiet: true }).trim() === "true") {
    throw new Error("images: this clone is shallow, so the last commit of the inputs (SOURCE_DATE_EPOCH) is unknown: `git fetch --unshallow` (CI: fetch-depth: 0) or set SOURCE_DATE_EPOCH");
  }
  const epoch = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) : Number(run("git", ["-C", repo, "log", "-1", "--format=%ct", "--", ...files], { quiet: true }).trim() || "0");
  if (!Number.isSafeInteger(epoch) || epoch <= 0) throw new Error(`images: no SOURCE_DATE_EPOCH (set it, or commit the inputs): got "${fromEnv ?? ""}"`);
  // The epoch is an input: every timestamp in the image is it.
  for (const [k, v] of Object.entries({ ...extra, sourceDateEpoch: String(epoch) }).sort(([a], [b]) => a.localeCompare(b))) lines.push(`${k}\0${v}`);
  return { files, hash: sha256(lines.join("\n")), epoch };
}

function copyTracked(repo: string, files: readonly string[], dest: string): void {
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(repo, f), join(dest, f));
  }
}

const runtimeDirs = ["apps", "crds", "kube", "events", "operators", "dataplane", "catalog", "clusters"];

/** The Node app's inputs: runtime TypeScript (no tests, no infra/, no rendered YAML), assets, package files, the native codecs' source. */
export function nodeAppFiles(repo: string): string[] {
  return tracked(repo, (p) =>
    ["package.json", "package-lock.json", ".node-version", "tsconfig.json", "bin/dmac.js", "native/build.mjs", "native/dmac_codecs.c", "images/lock.ts"].includes(p) ||
    (runtimeDirs.some((d) => p.startsWith(`${d}/`)) && !p.startsWith("apps/ingest-worker/") && !/^clusters\/(local|dev|prod)\//.test(p) &&
      ((p.endsWith(".ts") && !p.endsWith(".test.ts")) || p.startsWith("apps/viewer/static/") || p.startsWith("dataplane/qc/data/"))));
}

/** The ingest worker's inputs: its Python package. */
export function ingestWorkerFiles(repo: string): string[] {
  return tracked(repo, (p) => p.startsWith("apps/ingest-worker/ingest_worker/") && !p.includes("__pycache__"));
}

/**
 * Stages the Node images' layers: the pinned Node binary (stripped), production node_modules
 * (`npm ci --omit=dev`, native codecs built), and the app compiled with tsc plus the files it reads
 * at run time (the viewer's static files and the TypeScript its browser bundle is made from).
 */
export function stageNodeApp(repo: string, files: readonly string[], nodeBinary: string, stageDir: string, log: (line: string) => void): StagedLayers {
  rmSync(stageDir, { recursive: true, force: true });
  const src = join(stageDir, "src");
  const nodeLayer = join(stageDir, "node");
  const modulesLayer = join(stageDir, "modules");
  const appLayer = join(stageDir, "app");
  const app = join(appLayer, "app");
  copyTracked(repo, files, src);
  symlinkSync(join(repo, "node_modules"), join(src, "node_modules"));

  let started = Date.now();
  writeFileSync(join(src, "tsconfig.image.json"), JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: { outDir: join(app, "dist"), sourceMap: false },
    include: [...runtimeDirs, "images/lock.ts"],
    exclude: ["node_modules", "**/*.test.ts", "apps/ingest-worker", "apps/viewer/web"],
  }));
  run(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(src, "tsconfig.image.json")]);
  log(`node app: tsc ${((Date.now() - started) / 1000).toFixed(0)} s`);

  // The viewer's browser bundle is made here, as bin/build.mjs makes it for `dmac up`, so no pod runs
  // esbuild (a service process and about 50 MiB at start) and esbuild is not in the image.
  if (files.includes("apps/viewer/src/main.ts")) {
    started = Date.now();
    const script = join(src, "make-viewer-bundle.ts");
    writeFileSync(script, 'import { writeViewerBundle } from "./apps/viewer/bundle.ts";\nawait writeViewerBundle(process.argv[2] as string);\n');
    run(process.execPath, [join(repo, "node_modules/tsx/dist/cli.mjs"), script, join(app, "dist/apps/viewer/bundle")], { cwd: src });
    log(`node app: viewer bundle ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  // The TypeScript sources stay beside dist/ (readable, and what the source maps point at). Node runs dist/ only.
  copyTracked(src, files.filter((f) => f !== "tsconfig.json" && f !== ".node-version"), app);
  started = Date.now();
  // Node's own directory first on PATH: the native codecs build against its headers, npm runs with it.
  run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: app,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, DMAC_NATIVE_REQUIRED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  log(`node app: npm ci --omit=dev ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const pruned = pruneModules(join(app, "node_modules"));
  log(`node app: pruned ${(pruned / 1e6).toFixed(0)} MB of type declarations, source maps and markdown from node_modules`);
  mkdirSync(modulesLayer + "/app", { recursive: true });
  renameSync(join(app, "node_modules"), join(modulesLayer, "app", "node_modules"));

  mkdirSync(join(nodeLayer, "usr/local/bin"), { recursive: true });
  copyFileSync(nodeBinary, join(nodeLayer, "usr/local/bin/node"));
  // The official binary carries its symbol table (about 18 MB); addons resolve against .dynsym, which stays.
  run("strip", ["--strip-all", join(nodeLayer, "usr/local/bin/node")]);
  const licence = join(dirname(dirname(nodeBinary)), "LICENSE");
  if (existsSync(licence)) {
    mkdirSync(join(nodeLayer, "usr/local/share/doc/node"), { recursive: true });
    copyFileSync(licence, join(nodeLayer, "usr/local/share/doc/node/LICENSE"));
  }
  rmSync(src, { recursive: true, force: true });
  return { layers: [{ name: "node", dir: nodeLayer }, { name: "node_modules", dir: modulesLayer }, { name: "app", dir: appLayer }] };
}

/** Stages the ingest worker's one layer: /app/ingest_worker. */
export function stageIngestWorker(repo: string, files: readonly string[], stageDir: string): StagedLayers {
  rmSync(stageDir, { recursive: true, force: true });
  const appLayer = join(stageDir, "app");
  for (const f of files) {
    const dest = join(appLayer, "app", f.slice("apps/ingest-worker/".length));
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(join(repo, f), dest);
  }
  return { layers: [{ name: "app", dir: appLayer }] };
}

/** Type declarations, source maps and documentation: nothing `node` loads (no tsx at run time). Licences stay. */
const unusedAtRunTime = /(\.d\.[cm]?ts|\.map|\.md|\.markdown)$/i;
const licence = /^(licen[cs]e|notice|copying|authors)/i;

function pruneModules(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !unusedAtRunTime.test(entry.name) || licence.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    bytes += statSync(path).size;
    rmSync(path);
  }
  return bytes;
}
