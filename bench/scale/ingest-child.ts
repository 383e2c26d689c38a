// One contender of bench/scale/ingest.ts: our ingest of a CBOFS cycle the way `dmac up` runs it.
// The operator's local executor hands a batch (up to 500 items: a whole cycle) to a worker thread
// of its own (operators/ingestjob/batch-thread.ts), which runs `ingest` inline with `parallelism`
// files at a time; this process is that, minus the control plane around it.
// Usage (compiled by ingest.ts): node ingest-child.js LAYOUT STORE FILE...
import { ingestOptionsFor } from "../../dataplane/index.js";
import { runBatchInThread } from "../../operators/ingestjob/batch-thread.js";
import { BENCH_LAYOUTS, type BenchLayout } from "./layouts.js";

const [layoutName, store, ...inputs] = process.argv.slice(2);
const layout: BenchLayout | undefined = BENCH_LAYOUTS[layoutName ?? ""];
if (layout === undefined || store === undefined || inputs.length === 0) throw new Error(`usage: ingest-child (${Object.keys(BENCH_LAYOUTS).join("|")}) STORE FILE...`);
const t0 = performance.now();
let firstWrite: number | undefined;
const { report } = await runBatchInThread(
  {
    inputs,
    sourceNames: Object.fromEntries(inputs.map((i) => [i, i])),
    ingest: { ...ingestOptionsFor(layout.dataset, layout.job), ...layout.options, store, concurrency: 0, filesAtOnce: layout.job.spec.parallelism },
  },
  {
    onQc: async () => {},
    // When the copy starts: everything before is opening and checking files (inspection).
    onProgress: (p) => {
      if (p.phase === "write" && firstWrite === undefined) firstWrite = performance.now();
    },
  },
);
if (report === undefined) throw new Error("no report: no file was ingested");
const refused = report.files.filter((f) => f.status !== "ingested");
if (refused.length > 0) throw new Error(`not ingested: ${refused.map((f) => f.reason ?? f.input).join("; ")}`);
const inspect = firstWrite === undefined ? "?" : ((firstWrite - t0) / 1000).toFixed(2);
process.stderr.write(`in-process seconds ${((performance.now() - t0) / 1000).toFixed(2)}, until the first write ${inspect}, steps ${report.timeSteps}, bytes written ${report.bytesWritten}\n`);
