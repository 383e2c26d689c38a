// The Debian part of an image: `mmdebstrap --variant=minbase` makes a full bookworm root, then only
// the files of the packages the image needs (and what those packages depend on) are copied out, so
// the image carries no shell, apt or dpkg, only runtime libraries, like a distroless base. The result
// is cached by suite, mirror and package list (.images/cache/), so app images rebuild in seconds.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { run, sha256 } from "./exec.js";

export interface DebianBase {
  /** Names the cache entry and images/packages/<name>.txt. */
  readonly name: string;
  readonly suite: "bookworm" | "trixie";
  /** The packages the image needs; their Depends and Pre-Depends come along, Recommends do not. */
  readonly packages: readonly string[];
}

export interface BuiltBase {
  /** The runtime root, ready to be tarred as the first layer. */
  readonly rootfs: string;
  /** `name=version` per line, sorted: what the image's Debian part is. */
  readonly packageList: string;
  readonly packagesHash: string;
}

/** Documentation stays out (dpkg never writes it); licences stay in. */
const dpkgExcludes = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*", "/usr/share/lintian/*"];
const dpkgIncludes = ["/usr/share/doc/*/copyright"];
// Bumped when extractRuntime writes something new into the root (2: nsswitch.conf).
const layoutVersion = 2;

export function baseKey(base: DebianBase, mirror: string): string {
  const description = JSON.stringify({ layoutVersion, suite: base.suite, mirror, packages: [...base.packages].sort(), dpkgExcludes, dpkgIncludes });
  return sha256(description).slice("sha256:".length, "sha256:".length + 16);
}

/** The cached runtime root for `base`, made first when missing (or when `refresh`). */
export function debianBase(base: DebianBase, options: { cacheDir: string; mirror: string; refresh: boolean; log: (line: string) => void }): BuiltBase {
  const dir = join(options.cacheDir, `${base.name}-${baseKey(base, options.mirror)}`);
  const rootfs = join(dir, "rootfs");
  const listFile = join(dir, "packages.txt");
  if (options.refresh) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(listFile)) {
    const started = Date.now();
    options.log(`debian: ${base.name}: mmdebstrap ${base.suite} (${base.packages.join(", ")})`);
    const work = `${dir}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const full = join(work, "full");
    run("mmdebstrap", [
      "--quiet", "--variant=minbase", "--mode=root", "--format=directory",
      `--include=${base.packages.join(",")}`,
      ...dpkgExcludes.map((p) => `--dpkgopt=path-exclude=${p}`),
      ...dpkgIncludes.map((p) => `--dpkgopt=path-include=${p}`),
      base.suite, full, options.mirror,
    ], { stdio: ["ignore", "inherit", "inherit"] });
    const packageList = extractRuntime(full, join(work, "rootfs"), base.packages);
    rmSync(full, { recursive: true, force: true });
    writeFileSync(join(work, "packages.txt"), packageList);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    options.log(`debian: ${base.name}: ${packageList.split("\n").filter(Boolean).length} packages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const packageList = readFileSync(listFile, "utf8");
  return { rootfs, packageList, packagesHash: sha256(packageList) };
}

interface Installed {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly stanza: string;
  readonly depends: string[][];
  readonly provides: string[];
}

/** dpkg's status file as installed packages. */
function readStatus(root: string): Map<string, Installed> {
  const byName = new Map<string, Installed>();
  for (const stanza of readFileSync(join(root, "var/lib/dpkg/status"), "utf8").split(/\n\n+/)) {
    const fields = new Map<string, string>();
    let last = "";
    for (const line of stanza.split("\n")) {
      if (/^\s/.test(line)) fields.set(last, `${fields.get(last) ?? ""}\n${line}`);
      else if (line.includes(":")) {
        last = line.slice(0, line.indexOf(":"));
        fields.set(last, line.slice(line.indexOf(":") + 1).trim());
      }
    }
    const name = fields.get("Package");
    if (name === undefined || !(fields.get("Status") ?? "").endsWith(" installed")) continue;
    const relations = (field: string): string[][] =>
      (fields.get(field) ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((alts) => alts.split("|").map((a) => a.trim().split(/[\s(:]/)[0] as string));
    byName.set(name, {
      name,
      version: fields.get("Version") ?? "",
      arch: fields.get("Architecture") ?? "all",
      stanza: stanza.trim(),
      depends: [...relations("Pre-Depends"), ...relations("Depends")],
      provides: relations("Provides").flat(),
    });
  }
  return byName;
}

/** The packages `roots` need at run time: the closure over Depends and Pre-Depends (first installed alternative). */
function closure(installed: Map<string, Installed>, roots: readonly string[]): Installed[] {
  const providers = new Map<string, Installed>();
  for (const p of installed.values()) for (const v of p.provides) if (!providers.has(v)) providers.set(v, p);
  const resolve = (name: string): Installed | undefined => installed.get(name) ?? providers.get(name);
  const seen = new Map<string, Installed>();
  const queue = roots.map((r) => {
    const p = resolve(r);
    if (p === undefined) throw new Error(`debian: ${r} is not installed`);
    return p;
  });
  while (queue.length > 0) {
    const p = queue.pop() as Installed;
    if (seen.has(p.name)) continue;
    seen.set(p.name, p);
    for (const alternatives of p.depends) {
      const found = alternatives.map(resolve).find((x) => x !== undefined);
      if (found === undefined) throw new Error(`debian: ${p.name} depends on ${alternatives.join(" | ")}, none installed`);
      queue.push(found);
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Copies the files of `roots` and their dependencies from `full` to `out`, with a passwd and group
 * naming only root and 65532, a /tmp, the CA bundle update-ca-certificates made, and a dpkg status
 * listing exactly the copied packages (so image scanners see them). Returns the package list.
 */
function extractRuntime(full: string, out: string, roots: readonly string[]): string {
  const packages = closure(readStatus(full), roots);
  const paths = new Set<string>();
  for (const p of packages) {
    const info = [`${p.name}:${p.arch}.list`, `${p.name}.list`].map((f) => join(full, "var/lib/dpkg/info", f)).find(existsSync);
    if (info === undefined) throw new Error(`debian: no file list for ${p.name}`);
    for (const line of readFileSync(info, "utf8").split("\n")) {
      if (line === "" || line === "/.") continue;
      // Missing: excluded by path-exclude (documentation).
      if (lstatOrUndefined(join(full, line)) !== undefined) paths.add(canonical(full, line));
    }
  }
  // merged /usr: /bin, /lib, /lib64 and /sbin are symlinks no package lists; they come first so the
  // packages' /lib/... paths land in /usr/lib as in the full root.
  for (const link of ["bin", "lib", "lib32", "lib64", "libx32", "sbin"]) if (lstatOrUndefined(join(full, link))?.isSymbolicLink()) paths.add(`./${link}`);
  const sslCerts = "etc/ssl/certs";
  if (existsSync(join(full, sslCerts))) paths.add(`./${sslCerts}`);
  mkdirSync(out, { recursive: true });
  const listFile = `${out}.files`;
  writeFileSync(listFile, [...paths].sort().join("\n") + "\n");
  // --no-recursion keeps to the packages' own entries; the certificates directory is added whole after.
  run("bash", ["-c", `set -euo pipefail; tar -C "$1" --no-recursion -cf - -T "$2" | tar -C "$3" -xpf -; if [ -d "$1/${sslCerts}" ]; then tar -C "$1" -cf - ./${sslCerts} | tar -C "$3" -xpf -; fi`, "extract", full, listFile, out]);
  rmSync(listFile);
  writeFileSync(join(out, "etc/passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin\n");
  writeFileSync(join(out, "etc/group"), "root:x:0:\nnonroot:x:65532:\n");
  // Without nsswitch.conf glibc asks DNS first and stops at its "not found", so /etc/hosts (where
  // a kubelet writes hostAliases, and where localhost lives) would never be read.
  writeFileSync(join(out, "etc/nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
  mkdirSync(join(out, "tmp"), { recursive: true });
  chmodSync(join(out, "tmp"), 0o1777);
  mkdirSync(join(out, "var/lib/dpkg"), { recursive: true });
  writeFileSync(join(out, "var/lib/dpkg/status"), packages.map((p) => p.stanza).join("\n\n") + "\n");
  return packages.map((p) => `${p.name}=${p.version}`).join("\n") + "\n";
}

/** `path` with its directory's symlinks resolved inside `root` (/lib/x.so -> ./usr/lib/x.so), so the tar has no member below a symlink. */
function canonical(root: string, path: string): string {
  const resolved = relative(root, join(realpathSync(dirname(join(root, path))), basename(path)));
  return resolved.startsWith("..") ? `.${path}` : `./${resolved}`;
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
