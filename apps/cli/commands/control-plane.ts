// `dmac control-plane`: runs the embedded Kubernetes-compatible API server alone, in the
// foreground, until SIGINT/SIGTERM. The local platform (`dmac up`) starts the same server.
import type { Command } from "commander";
import { join } from "node:path";
import { startControlPlane } from "../../control-plane/index.js";

interface Options {
  dataDir?: string;
  inMemory?: boolean;
  port: string;
  host: string;
  kubeconfig?: string;
  tls?: boolean;
  tlsName: string[];
}

export function registerControlPlane(program: Command): void {
  program
    .command("control-plane")
    .description("Run the embedded Kubernetes-compatible control plane (API server for kubectl and the operators) in the foreground")
    .option("--data-dir <dir>", "directory for the durable state (default .dmac/control-plane)")
    .option("--in-memory", "keep state in memory only (lost on exit)")
    .option("--port <n>", "TCP port (0 picks a free one)", "6443")
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--kubeconfig <file>", "where to write the kubeconfig (context dmac-local)", join(".dmac", "kubeconfig"))
    .option("--tls", "serve HTTPS with a self-signed CA (kept in <data-dir>/pki), written into the kubeconfig (the default)")
    .option("--no-tls", "serve plain HTTP (kubectl then cannot authenticate: client-go sends no bearer token over HTTP)")
    .option("--tls-name <name>", "another IP or DNS name for the serving certificate (repeat for more)", (v: string, all: string[]) => [...all, v], [] as string[])
    .action(async (options: Options) => {
      if (options.inMemory && options.dataDir) program.error("error: --data-dir and --in-memory are mutually exclusive");
      const tls = options.tls !== false;
      if (options.tlsName.length > 0 && !tls) program.error("error: --tls-name cannot be used with --no-tls");
      if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) program.error(`error: --port must be 0-65535, got "${options.port}"`);
      const cp = await startControlPlane({
        ...(options.inMemory ? { inMemory: true } : { dataDir: options.dataDir ?? join(".dmac", "control-plane") }),
        port: Number(options.port),
        host: options.host,
        ...(options.kubeconfig ? { kubeconfigPath: options.kubeconfig } : {}),
        tls: tls ? { names: options.tlsName } : false,
      });
      console.log(`control plane listening on ${cp.url}`);
      if (cp.kubeconfigPath) console.log(`admin kubeconfig: ${cp.kubeconfigPath} (mode 0600; export KUBECONFIG=${cp.kubeconfigPath})`);
      const shutdown = (): void => {
        void cp.stop().then(() => process.exit(0));
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
}
