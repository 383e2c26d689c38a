// The control plane as its own process for the benchmark, so its RSS is measured alone.
import { parse } from "yaml";
import { startControlPlane } from "../../apps/control-plane/index.js";

const dataDir = process.argv[2];
const compactAfter = process.env.BENCH_COMPACT_AFTER ? Number(process.env.BENCH_COMPACT_AFTER) : undefined;
const cp = await startControlPlane({
  ...(dataDir && dataDir !== "--in-memory" ? { dataDir } : { inMemory: true }),
  ...(compactAfter ? { compactAfterRecords: compactAfter } : {}),
  // Plain HTTP: the figures are the server's own work (authentication and RBAC included), not TLS.
  tls: false,
});
const admin = (parse(cp.kubeconfig) as { users: Array<{ user: { token: string } }> }).users[0]!.user.token;
process.stdout.write(`${cp.url} ${admin}\n`);
process.on("SIGTERM", () => void cp.stop().then(() => process.exit(0)));
