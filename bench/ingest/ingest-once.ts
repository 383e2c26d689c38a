// (a) The data plane's local executor on the benchmark inputs, the way `dmac convert` runs it.
// Usage (compiled): node ingest-once.js CODEC STORE FILE...
import { ingest, type CodecName } from "../../dataplane/index.js";

const [codec, store, ...files] = process.argv.slice(2);
if (codec === undefined || store === undefined) throw new Error("usage: ingest-once CODEC STORE FILE...");
const t0 = performance.now();
const report = await ingest({ store, inputs: files, encoding: { codec: codec as CodecName }, concurrency: Number(process.env.DMAC_CONCURRENCY ?? 2) });
const refused = report.files.filter((f) => f.status === "refused");
if (refused.length > 0) throw new Error(`refused: ${refused.map((f) => f.reason).join("; ")}`);
process.stderr.write(`in-process seconds ${((performance.now() - t0) / 1000).toFixed(2)}, bytes written ${report.bytesWritten}\n`);
