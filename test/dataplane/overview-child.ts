// Child process for the kill-mid-overview test: ingests the files named on the command line into
// the store (first argument) with small-grid overview thresholds, committing after every file.
// It prints "commit" at each commit and "overview" each time a variable's step has been written to
// the levels, then stalls (blocking, so nothing else runs) for DMAC_TEST_STALL_MS once
// DMAC_TEST_STALL_AFTER_COMMITS commits were made, giving the parent time to kill it while the
// levels are half written and not yet committed. DMAC_TEST_OVERVIEWS: more overview options (JSON).
import { ingest } from "../../dataplane/index.js";

const [store, ...inputs] = process.argv.slice(2);
if (store === undefined) throw new Error("usage: overview-child STORE INPUT...");
const stall = Number(process.env.DMAC_TEST_STALL_MS ?? 0);
// Stall only once this many commits were made (0: from the start).
const stallAfter = Number(process.env.DMAC_TEST_STALL_AFTER_COMMITS ?? 0);
const overviews = { gridThreshold: 8, ...(JSON.parse(process.env.DMAC_TEST_OVERVIEWS ?? "{}") as Record<string, number>) };
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let commits = 0;
await ingest({
  store,
  inputs,
  commitEvery: 1,
  overviews,
  chunking: { eta_rho: 16, xi_rho: 16, eta_u: 16, xi_u: 16 },
  onProgress: (p) => {
    if (p.phase === "commit") {
      commits += 1;
      process.stdout.write("commit\n");
    }
    if (p.phase !== "overview") return;
    process.stdout.write(`overview ${p.done}/${p.total}\n`);
    if (stall > 0 && commits >= stallAfter) Atomics.wait(sleeper, 0, 0, stall);
  },
});
process.stdout.write("done\n");
