// `dmac validate`: checks custom-resource YAML files offline against our generated schemas.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { locate } from "./locate.js";
import { validateResource, type CrdLike } from "./resource.js";
import { formatPath, isPlainObject, type FieldErrorType } from "./types.js";

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** `IngestJob/cbofs-forecast`, or empty for file-level problems. */
  readonly resource: string;
  /** `spec.executor.type`, or empty for file-level problems. */
  readonly field: string;
  readonly type: FieldErrorType | "YAMLSyntax" | "NotAnObject";
  readonly message: string;
}

export interface ValidationReport {
  readonly files: number;
  /** Resources of our API group that were validated. */
  readonly validated: number;
  /** Other Kubernetes objects (Deployments, Applications, ...): parsed, not validated against a schema. */
  readonly skipped: number;
  readonly diagnostics: Diagnostic[];
}

const yamlFile = /\.ya?ml$/;

async function expand(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await expand(child)));
    else if (yamlFile.test(entry.name)) out.push(child);
  }
  return out;
}

export function validateText(file: string, text: string, crds: readonly CrdLike[], groups: ReadonlySet<string>): { validated: number; skipped: number; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  let validated = 0;
  let skipped = 0;
  const docList = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for an empty file.
    return { validated, skipped, diagnostics };
  }
  for (const doc of docList) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const pos = lines.linePos(error.pos[0]);
        diagnostics.push({ file, line: pos.line, col: pos.col, resource: "", field: "", type: "YAMLSyntax", message: error.message.split("\n")[0] ?? error.message });
      }
      continue;
    }
    const object: unknown = doc.toJS({ maxAliasCount: 100 });
    if (object === null || object === undefined) continue;
    if (!isPlainObject(object)) {
      const pos = locate(doc, lines, []);
      diagnostics.push({ file, line: pos.line, col: pos.col, resource: "", field: "", type: "NotAnObject", message: "a Kubernetes resource must be a YAML mapping" });
      continue;
    }
    const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] ?? "" : "";
    if (!groups.has(group)) {
      skipped += 1;
      for (const field of ["apiVersion", "kind"] as const) {
        if (typeof object[field] !== "string" || object[field] === "") {
          const pos = locate(doc, lines, []);
          diagnostics.push({ file, line: pos.line, col: pos.col, resource: "", field, type: "FieldValueRequired", message: "Required value: every Kubernetes object needs apiVersion and kind" });
        }
      }
      continue;
    }
    validated += 1;
    const result = validateResource(object, crds);
    const located = result.errors.map((error) => ({ error, pos: locate(doc, lines, error.path) }));
    located.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    for (const { error, pos } of located) {
      diagnostics.push({ file, line: pos.line, col: pos.col, resource: `${result.kind}/${result.name}`, field: formatPath(error.path), type: error.type, message: error.message });
    }
  }
  return { validated, skipped, diagnostics };
}

export async function validateFiles(paths: readonly string[], crds: readonly CrdLike[], cwd = process.cwd()): Promise<ValidationReport> {
  const groups = new Set(crds.map((c) => c.spec.group));
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    try {
      files.push(...(await expand(path)));
    } catch (error) {
      diagnostics.push({ file: path, line: 0, col: 0, resource: "", field: "", type: "FieldValueRequired", message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  }
  let validated = 0;
  let skipped = 0;
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    const result = validateText(shown, await readFile(file, "utf8"), crds, groups);
    validated += result.validated;
    skipped += result.skipped;
    diagnostics.push(...result.diagnostics);
  }
  return { files: files.length, validated, skipped, diagnostics };
}

/** `file:line:col: Kind/name: field: message`, one line per problem, as editors and CI annotate. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const what = [d.resource, d.field].filter(Boolean).join(": ");
  return `${where}: ${what ? `${what}: ` : ""}${d.message}`;
}
