// QC as a gate in front of the ingest: checks local NetCDF files with the data plane's reader and
// says which may go on. Refused files never reach the writer, so the store stays unchanged.
// The only QC module that opens source files.
import { openSource } from "../source/open.js";
import type { CfContext } from "./cf/checks.js";
import type { QcConfig } from "./config.js";
import { qcInputFromSource } from "./from-source.js";
import type { QcReport } from "./report.js";
import { runQc, type RunQcOptions } from "./run.js";

export type FileCheck =
  | { input: string; report: QcReport }
  /** The file could not be opened: QC has no opinion; the ingest refuses it with its own reason. */
  | { input: string; unreadable: string };

export interface CheckFilesOptions extends Omit<RunQcOptions, "cf"> {
  readonly cf?: CfContext;
  /** The name to put in reports for a local file (e.g. the URL it was downloaded from). */
  readonly sourceName?: (input: string) => string;
}

export async function checkFiles(inputs: readonly string[], config: QcConfig, options: CheckFilesOptions = {}): Promise<{ checks: FileCheck[]; accepted: string[]; refused: { input: string; reason: string }[] }> {
  const checks: FileCheck[] = [];
  for (const input of inputs) {
    let source;
    try {
      source = await openSource(input);
    } catch (err) {
      checks.push({ input, unreadable: (err as Error).message });
      continue;
    }
    try {
      const { file, read } = qcInputFromSource(source);
      const report = await runQc({ ...file, source: options.sourceName?.(input) ?? input }, read, config, options);
      checks.push({ input, report });
    } finally {
      source.close();
    }
  }
  const refused = checks.flatMap((c) => ("report" in c && c.report.decision === "refuse" ? [{ input: c.input, reason: `${c.report.source}: quality control refused it: ${c.report.reasons.slice(0, 3).join("; ")}` }] : []));
  const refusedSet = new Set(refused.map((r) => r.input));
  return { checks, accepted: inputs.filter((i) => !refusedSet.has(i)), refused };
}
