// A throwaway PostgreSQL server from Debian's postgresql package for tests: initdb into a temp
// dir, pg_ctl on a free port, stop and remove afterwards. PostgreSQL refuses to run as root, so
// as root the server runs as the `postgres` user, which is given the temp dir.
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

function pgBin(): string {
  for (const v of ["17", "16", "15"]) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, "pg_ctl"))) return dir;
  }
  throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
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
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), "dmac-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const exec = async (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    // cwd: the postgres user may not be allowed into the repository's directory.
    return run(file, argv, { timeout: 60_000, cwd: dir });
  };
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const superPassword = "throwaway-superuser";
  const auth = options.passwordLogins ? ["--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${join(dir, "pwfile")}`] : ["-A", "trust"];
  if (options.passwordLogins) writeFileSync(join(dir, "pwfile"), `${superPassword}\n`, { mode: 0o644 });
  await exec("initdb", ["-D", data, ...auth, "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  await exec("pg_ctl", ["-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, "start"]);
  // If the test process dies without stop(), still take the server down with it.
  const onExit = () => {
    try {
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"]] : [join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]];
      execFileSync(file, argv, { cwd: dir, stdio: "ignore", timeout: 10_000 });
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  return {
    url: options.passwordLogins ? `postgres://postgres:${superPassword}@127.0.0.1:${port}/postgres` : `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.off("exit", onExit);
      await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
