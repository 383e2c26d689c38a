// Child process for the kill-mid-overview test: ingests the files named on the command line into
// the store (first argument) with small-grid overview thresholds, committing after every file.
// It prints "overview" each time a variable's step has been written to the levels, then stalls
// (blocking, so nothing else runs) for DMAC_TEST_STALL_MS, giving the parent time to kill it
// while the levels are half written and not yet committed.
import { ingest } from "../../dataplane/index.js";

const [store, ...inputs] = process.argv.slice(2);
if (store === undefined) throw new Error("usage: overview-child STORE INPUT...");
const stall = Number(process.env.DMAC_TEST_STALL_MS ?? 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
await ingest({
  store,
  inputs,
  commitEvery: 1,
  overviews: { gridThreshold: 8 },
  chunking: { eta_rho: 16, xi_rho: 16, eta_u: 16, xi_u: 16 },
  onProgress: (p) => {
    if (p.phase === "commit") process.stdout.write("commit\n");
    if (p.phase !== "overview") return;
    process.stdout.write(`overview ${p.done}/${p.total}\n`);
    if (stall > 0) Atomics.wait(sleeper, 0, 0, stall);
  },
});
process.stdout.write("done\n");
