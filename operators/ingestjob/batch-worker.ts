// Worker-thread entry of one local batch (batch-thread.ts): the QC gate, then the ingest of the
// files it accepted; posts each outcome and the ingest's progress, then ends (its memory with it).
import { parentPort, workerData } from "node:worker_threads";
import type { BatchMessage, BatchWork } from "./batch-thread.js";

const port = parentPort!;
const work = workerData as BatchWork;
const post = (message: BatchMessage) => port.postMessage(message);

try {
  let inputs = work.inputs;
  if (work.qc?.enabled && inputs.length > 0) {
    // Loaded only when the job gates on QC: its tables and parsers cost about 20 MB.
    const { checkFiles, loadCfContext, reportJson, reportName } = await import("../../dataplane/qc/index.js");
    const gate = await checkFiles(inputs, work.qc, { cf: loadCfContext(), sourceName: (path) => work.sourceNames[path] ?? path });
    const reports = gate.checks.flatMap((check) => ("report" in check ? [{ name: reportName(check.report.source), json: reportJson(check.report) }] : []));
    post({ type: "qc", outcome: { reports, refused: gate.refused, accepted: gate.accepted } });
    inputs = gate.accepted;
  }
  if (inputs.length > 0) {
    const { ingest } = await import("../../dataplane/index.js");
    const report = await ingest({ ...work.ingest, inputs, onProgress: (progress) => post({ type: "progress", progress }) });
    post({ type: "report", report });
  }
} catch (error) {
  post({ type: "error", message: error instanceof Error ? error.message : String(error) });
}
