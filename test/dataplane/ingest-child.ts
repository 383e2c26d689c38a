// Child process for the kill -9 test: ingests the files named on the command line into the store
// (first argument), committing after every file, and reports each commit on stdout.
import { ingest } from "../../dataplane/index.js";

const [store, ...inputs] = process.argv.slice(2);
if (store === undefined) throw new Error("usage: ingest-child STORE INPUT...");
await ingest({
  store,
  inputs,
  commitEvery: 1,
  concurrency: Number(process.env.DMAC_TEST_CONCURRENCY ?? 0),
  onProgress: (p) => {
    if (p.phase === "commit") process.stdout.write("commit\n");
  },
});
process.stdout.write("done\n");
