// A throwaway PostgreSQL server for tests: apps/local-platform/postgres.ts on a free port in a
// temporary directory, trusting TCP connections and skipping fsync; stopped and removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../../apps/local-platform/postgres.js";

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * `passwordLogins`: TCP connections need a password (scram-sha-256), as on RDS; the superuser's is
 * in the returned URL. Without it every login is trusted.
 */
export async function startThrowawayPostgres(options: { passwordLogins?: boolean } = {}): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "dmac-pg-"));
  const superPassword = "throwaway-superuser";
  const server = await startPostgres({ dir, port: await freePort(), ephemeral: true, ...(options.passwordLogins ? { superuserPassword: superPassword } : { trustTcp: true }) });
  // If the test process dies without stop(), the directory still goes (the server stops itself).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  return {
    url: `postgres://postgres${options.passwordLogins ? `:${superPassword}` : ""}@127.0.0.1:${server.port}/postgres`,
    async stop() {
      process.off("exit", removeDir);
      await server.stop();
      removeDir();
    },
  };
}
