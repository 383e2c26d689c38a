// `dmac convert --qc <file>`: reads a YAML or JSON file shaped like an IngestJob's
// `spec.qualityControl` and validates it. The only module of the config with I/O.
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { formatPath } from "../../crds/validation/index.js";
import { locate } from "../../crds/validation/locate.js";
import { validateQcConfig, type QcConfig } from "./config.js";

export interface QcConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Field path inside the config, e.g. `variables[0].spike.failThreshold` (empty for the whole file). */
  readonly field: string;
  readonly message: string;
}

export class QcConfigError extends Error {
  constructor(readonly problems: readonly QcConfigProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.field === "" ? "" : `${p.field}: `}${p.message}`).join("\n"));
    this.name = "QcConfigError";
  }
}

/** Parses and validates config text; `file` only names the source in errors. Pure. */
export function parseQcConfig(text: string, file: string): QcConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new QcConfigError(doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { file, line: pos.line, col: pos.col, field: "", message: e.message.split("\n")[0] ?? e.message };
    }));
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  // An IngestJob-shaped wrapper (`qualityControl: {...}`) is accepted too, so one can point at a snippet of a job.
  const wrapped = typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "qualityControl" in value;
  const config = wrapped ? (value as { qualityControl: unknown }).qualityControl : value;
  const prefix = wrapped ? ["qualityControl"] : [];
  if (config === null || config === undefined || typeof config !== "object" || Array.isArray(config)) {
    throw new QcConfigError([{ file, line: 1, col: 1, field: formatPath(prefix), message: "must be a mapping with the fields of an IngestJob's spec.qualityControl" }]);
  }
  const result = validateQcConfig(config);
  if (result.ok) return result.config;
  throw new QcConfigError(result.errors.map((e) => {
    const path = [...prefix, ...e.path];
    const pos = locate(doc, lines, path);
    return { file, line: pos.line, col: pos.col, field: formatPath(path), message: e.message };
  }));
}

/** Reads and validates a QC config file; throws QcConfigError naming the file, line and field. */
export async function loadQcConfig(path: string): Promise<QcConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new QcConfigError([{ file: path, line: 0, col: 0, field: "", message: `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }]);
  }
  return parseQcConfig(text, path);
}
