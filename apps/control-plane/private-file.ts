// Files only this server's user may read (keys, tokens, kubeconfigs), written whole: a temp file
// with mode 0600 renamed into place, so a reader or a crash never sees half of one.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function writePrivateFile(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The file's content, made by `make` and written on first use. */
export function readOrCreatePrivateFile(path: string, make: () => string | Buffer): string {
  if (!existsSync(path)) writePrivateFile(path, make());
  return readFileSync(path, "utf8");
}
