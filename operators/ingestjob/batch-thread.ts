// A local batch's file work (the QC gate and the ingest) in a worker thread of its own that ends
// with the batch. The operator's own thread keeps reconciling meanwhile, and what the work loads
// (h5wasm and its WASM memory, the codecs, QC's tables, the ingest's buffers: about 100 MiB) is
// released when the batch ends instead of staying resident in the operator for good. Inside the
// thread the ingest runs inline, `parallelism` files at a time (dataplane/ingest/run.ts: reads
// and codecs are on libuv's thread pool either way, and a worker thread per file costs a V8 heap
// each for no gain: docs/dataplane.md). The caller keeps the ledger, the store and the reports.
import type { IngestOptions, IngestProgress, IngestReport } from "../../dataplane/index.js";
import type { QcConfig } from "../../dataplane/qc/index.js";
import { startWorker } from "../../dataplane/executor/start-worker.js";

/** What the thread is asked to do: plain data (no callbacks), as it crosses to the thread. */
export interface BatchWork {
  /** Local paths of the batch's files. */
  inputs: string[];
  /** The name reports give each input (its item's URL). */
  sourceNames: Record<string, string>;
  /** Present when the job gates files on QC. */
  qc?: QcConfig;
  ingest: Omit<IngestOptions, "inputs" | "onProgress" | "executor">;
}

export interface QcOutcome {
  /** QC reports to store beside the data: file name under /.dmac/qc/ and its JSON. */
  reports: { name: string; json: string }[];
  refused: { input: string; reason: string }[];
  accepted: string[];
}

export type BatchMessage =
  | { type: "qc"; outcome: QcOutcome }
  | { type: "progress"; progress: IngestProgress }
  | { type: "report"; report: IngestReport }
  | { type: "error"; message: string };

export interface BatchOutcome {
  qc?: QcOutcome;
  /** Undefined when no file was left to ingest. */
  report?: IngestReport;
}

/**
 * Runs `work` in a new worker thread. Rejects when the ingest fails or the thread ends early (a
 * QC outcome that arrived before is passed to `onQc` all the same, so its reports are kept).
 */
export function runBatchInThread(work: BatchWork, hooks: { onQc: (qc: QcOutcome) => Promise<void>; onProgress?: (p: IngestProgress) => void }): Promise<BatchOutcome> {
  const worker = startWorker(import.meta.url, "./batch-worker", {
    name: "dmac-ingest-batch",
    workerData: work,
    // One busy isolate for a while: a young generation big enough for the ingest's garbage.
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
  const outcome: BatchOutcome = {};
  let qcWritten: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  return new Promise<BatchOutcome>((resolve, reject) => {
    worker.on("message", (message: BatchMessage) => {
      if (message.type === "qc") {
        outcome.qc = message.outcome;
        qcWritten = hooks.onQc(message.outcome);
      } else if (message.type === "progress") hooks.onProgress?.(message.progress);
      else if (message.type === "report") outcome.report = message.report;
      else failure = new Error(message.message);
    });
    worker.on("error", (error) => (failure ??= error));
    worker.on("exit", (code) => {
      qcWritten.then(
        () => {
          if (failure) reject(failure);
          else if (code !== 0) reject(new Error(`the ingest thread exited with code ${code}`));
          else resolve(outcome);
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  });
}
