// The control plane as its own process for the benchmark, so its RSS is measured alone.
import { startControlPlane } from "../../apps/control-plane/index.js";

const dataDir = process.argv[2];
const compactAfter = process.env.BENCH_COMPACT_AFTER ? Number(process.env.BENCH_COMPACT_AFTER) : undefined;
const cp = await startControlPlane({
  ...(dataDir && dataDir !== "--in-memory" ? { dataDir } : { inMemory: true }),
  ...(compactAfter ? { compactAfterRecords: compactAfter } : {}),
});
process.stdout.write(`${cp.url}\n`);
process.on("SIGTERM", () => void cp.stop().then(() => process.exit(0)));
