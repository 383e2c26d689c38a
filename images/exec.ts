// Small helpers of the image build: running a program, hashing, and writing a layer tar whose bytes
// depend only on the files' contents, modes and the build's epoch.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** Runs a program (no shell), streaming its stderr; throws with its command line on failure. Returns stdout. */
export function run(command: string, args: readonly string[], options: SpawnSyncOptions & { quiet?: boolean } = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", options.quiet ? "pipe" : "inherit"], ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = [result.stdout, result.stderr].filter((o): o is string => typeof o === "string" && o.trim() !== "").map((o) => `\n${o.trim().slice(-4000)}`).join("");
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}${output}`);
  }
  return String(result.stdout ?? "");
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/**
 * Writes `dir`'s contents as an uncompressed layer tar: entries sorted by name, every mtime set to
 * the epoch, owner root, no atime/ctime/xattrs, so the same files give the same bytes.
 */
export function deterministicTar(dir: string, out: string, epoch: number): void {
  run("tar", [
    "--create", `--file=${out}`, `--directory=${dir}`,
    "--sort=name", `--mtime=@${epoch}`, "--owner=0", "--group=0", "--numeric-owner",
    "--format=posix", "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    "--no-xattrs", "--no-acls", "--no-selinux", ".",
  ]);
}
