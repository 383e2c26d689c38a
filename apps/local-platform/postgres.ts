// A PostgreSQL server from Debian's postgresql package, run from a data directory of ours: the
// catalog database of `dmac up --runtime podman` (RDS stands in the cloud) and the test suites'
// throwaway servers. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user,
// which is given the directory. Local connections over the socket are trusted (they are ours);
// TCP connections need a password (scram-sha-256), as RDS does.
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { systemAccountIds } from "./system-account.js";

const run = promisify(execFile);

export interface PostgresServer {
  /** Superuser URL over the Unix socket (trusted). */
  readonly adminUrl: string;
  readonly port: number;
  readonly socketDir: string;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Holds data/ and server.log; created (initdb) on first use, reused after. */
  readonly dir: string;
  readonly port: number;
  readonly listen?: string;
  /** Trade durability for speed (tests): fsync and full-page writes off. */
  readonly ephemeral?: boolean;
  /** Accept TCP connections without a password (tests); default: scram-sha-256. */
  readonly trustTcp?: boolean;
  /** The superuser's password for TCP logins, set at initdb (else it has none and logs in over the socket). */
  readonly superuserPassword?: string;
}

export function postgresBinDir(): string {
  for (const v of ["17", "16", "15"]) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, "pg_ctl"))) return dir;
  }
  throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const { dir, port } = options;
  const data = join(dir, "data");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  const exec = async (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    // cwd: the postgres user may not be allowed into the caller's directory.
    return run(file, argv, { timeout: 60_000, cwd: dir });
  };
  if (asRoot) {
    const { uid, gid } = systemAccountIds("postgres");
    chownSync(dir, uid, gid);
  }
  if (!existsSync(join(data, "PG_VERSION"))) {
    const pwfile = join(dir, "superuser-password");
    if (options.superuserPassword !== undefined) writeFileSync(pwfile, `${options.superuserPassword}\n`, { mode: 0o644 });
    try {
      await exec("initdb", ["-D", data, "--auth-local=trust", `--auth-host=${options.trustTcp ? "trust" : "scram-sha-256"}`, "-U", "postgres", "-E", "UTF8", "--no-instructions",
        ...(options.superuserPassword !== undefined ? [`--pwfile=${pwfile}`] : []), ...(options.ephemeral ? ["--no-sync"] : [])]);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  const settings = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=${options.listen ?? "127.0.0.1"}`, ...(options.ephemeral ? ["-c fsync=off", "-c full_page_writes=off"] : [])];
  await exec("pg_ctl", ["-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"), "-o", settings.join(" "), "start"]).catch((error: Error & { stderr?: string }) => {
    throw new Error(`PostgreSQL did not start on port ${port} (${join(dir, "server.log")}): ${(error.stderr ?? error.message).trim()}`);
  });
  // A server whose data may be lost stops without a checkpoint.
  const stopMode = options.ephemeral ? "immediate" : "fast";
  const stopNow = () => {
    try {
      const args = ["-D", data, "-m", stopMode, "stop"];
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args]] : [join(bin, "pg_ctl"), args];
      execFileSync(file, argv, { cwd: dir, stdio: "ignore", timeout: 10_000 });
    } catch {
      // already stopped
    }
  };
  // If this process dies without stop(), the server still goes down with it.
  process.once("exit", stopNow);
  return {
    // node-postgres takes a socket directory from the `host` query parameter.
    adminUrl: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    port,
    socketDir: dir,
    async stop() {
      process.off("exit", stopNow);
      await exec("pg_ctl", ["-D", data, "-m", stopMode, "-w", "stop"]).catch(() => undefined);
    },
  };
}
