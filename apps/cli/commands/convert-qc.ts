// `dmac convert --qc <config>`: quality control in front of the conversion. Each file is checked
// with the config (an IngestJob's spec.qualityControl); its report is written beside the output
// (`<store>.qc/<file>.qc.json`); a refused file never reaches the writer, so the store (or the
// reference document) is left as it was.
import type { QcReport } from "../../../dataplane/qc/index.js";

export interface QcGateResult {
  accepted: string[];
  refused: Array<{ input: string; reason: string }>;
  /** Per checked file: the decision and where its report went. */
  reports: Array<{ input: string; decision: QcReport["decision"]; report: string; summary: string }>;
  /** Files QC could not open: passed on, so the conversion refuses them with its own reason. */
  unreadable: string[];
}

/** Loads the config; a bad config throws QcConfigError naming the file, line and field. */
export async function runQcGate(configPath: string, files: string[], output: string, origin: (file: string) => string): Promise<QcGateResult> {
  const qc = await import("../../../dataplane/qc/index.js");
  const { openWritableStore } = await import("../../../dataplane/index.js");
  const config = await qc.loadQcConfig(configPath);
  const gate = await qc.checkFiles(files, config, { cf: qc.loadCfContext(), sourceName: origin, checkedAt: new Date().toISOString() });
  const reports: QcGateResult["reports"] = [];
  const unreadable: string[] = [];
  for (const check of gate.checks) {
    if (!("report" in check)) {
      unreadable.push(origin(check.input));
      continue;
    }
    let where: string;
    if (/^s3:\/\//.test(output)) {
      const { prefix, key } = qc.reportLocationFor(output, check.report.source);
      await (await openWritableStore(prefix)).set(key as `/${string}`, new TextEncoder().encode(qc.reportJson(check.report)));
      where = `${prefix}${key}`;
    } else where = await qc.writeReportFile(qc.reportPathFor(output, check.report.source), check.report);
    reports.push({ input: check.report.source, decision: check.report.decision, report: where, summary: qc.summarizeReport(check.report) });
  }
  return { accepted: gate.accepted, refused: gate.refused.map((r) => ({ input: origin(r.input), reason: r.reason })), reports, unreadable };
}

export function summariseQc(result: QcGateResult, configPath: string): string {
  const count = (d: QcReport["decision"]): number => result.reports.filter((r) => r.decision === d).length;
  const folder = result.reports[0]?.report.replace(/[^/]*$/, "");
  const lines = [
    `qc:          ${result.reports.length} checked with ${configPath}: ${count("accept")} accepted, ${count("flag")} flagged, ${count("refuse")} refused${result.unreadable.length > 0 ? `, ${result.unreadable.length} unreadable` : ""}${folder ? `; reports in ${folder}` : ""}`,
  ];
  for (const r of result.reports) if (r.decision !== "accept") lines.push(`  ${r.summary}`);
  return lines.join("\n");
}
