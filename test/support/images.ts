// Builds the platform's images once per test process, as `npm run images` does, into podman's
// storage, writing the lock of what was built to a temporary file (the committed lock is what the
// images suite compares with, and what the rendered tree pins). images/build.ts holds a lock of its
// own, so suites in parallel processes wait for one build instead of racing.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLock, type ImageLock } from "../../images/lock.js";

const root = join(import.meta.dirname, "..", "..");
export interface BuiltImages {
  /** The lock of what podman now holds. */
  readonly lock: ImageLock;
  /** Where that lock and its Debian package lists (packages/) were written. */
  readonly dir: string;
}

let built: BuiltImages | undefined;

/** Builds (or reuses the cached build of) every image. */
export function ensureImages(): BuiltImages {
  if (built) return built;
  const conf = spawnSync("bash", ["images/containers-conf.sh"], { cwd: root, encoding: "utf8" });
  if (conf.status !== 0) throw new Error(`images/containers-conf.sh failed:\n${conf.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), "dmac-built-images-"));
  const lock = join(dir, "images.lock.json");
  const build = spawnSync(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), "images/build.ts", "--lock", lock], { cwd: root, encoding: "utf8", timeout: 1_200_000, maxBuffer: 64 * 1024 * 1024 });
  if (build.status !== 0) throw new Error(`npm run images failed:\n${(build.stderr ?? "").slice(-4000)}`);
  built = { lock: readLock(lock), dir };
  return built;
}
