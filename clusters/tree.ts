// Compares rendered files with the working tree and brings the tree up to date.
// Separate from rendering so the comparison is testable against any directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { GeneratedFile } from "./render.js";

export type Difference =
  | { readonly kind: "changed"; readonly path: string; readonly patch: string }
  | { readonly kind: "missing"; readonly path: string }
  | { readonly kind: "stale"; readonly path: string };

function listFiles(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"));
}

/** Differences between the rendered files and `root`, including files under generated roots that nothing renders. */
export function compareTree(root: string, files: readonly GeneratedFile[], generatedRoots: readonly string[]): Difference[] {
  const out: Difference[] = [];
  const expected = new Set(files.map((f) => f.path));
  for (const f of files) {
    const abs = join(root, f.path);
    if (!existsSync(abs)) {
      out.push({ kind: "missing", path: f.path });
      continue;
    }
    const committed = readFileSync(abs, "utf8");
    if (committed !== f.text) {
      out.push({ kind: "changed", path: f.path, patch: createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, committed, f.text, "committed", "rendered") });
    }
  }
  for (const dir of generatedRoots) {
    for (const path of listFiles(root, dir)) {
      if (!expected.has(path)) out.push({ kind: "stale", path });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Human-readable report naming each file, with a unified diff for changed ones. */
export function formatDifferences(diffs: readonly Difference[]): string {
  const lines: string[] = [];
  for (const d of diffs) {
    if (d.kind === "changed") lines.push(`changed: ${d.path}`, d.patch);
    else if (d.kind === "missing") lines.push(`missing: ${d.path} (rendered but not committed)`);
    else lines.push(`stale:   ${d.path} (committed but no longer rendered)`);
  }
  return lines.join("\n");
}

/** Applies the differences: writes each file atomically (temp file, then rename) and removes stale ones. */
export function applyTree(root: string, files: readonly GeneratedFile[], diffs: readonly Difference[]): void {
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const d of diffs) {
    const abs = join(root, d.path);
    if (d.kind === "stale") {
      rmSync(abs);
      continue;
    }
    const file = byPath.get(d.path);
    if (!file) throw new Error(`${d.path}: no rendered content`);
    mkdirSync(dirname(abs), { recursive: true });
    const tmp = `${abs}.tmp-${process.pid}`;
    writeFileSync(tmp, file.text);
    renameSync(tmp, abs);
  }
}
