// A RabbitMQ broker from Debian's rabbitmq-server package, run from a directory of ours with its own
// node name and ports: the platform bus of `dmac up --bus rabbitmq` and the test suites' private
// brokers (several can run side by side; they share only epmd, Erlang's name daemon). The package's
// /usr/sbin wrapper always runs the system node as the rabbitmq user with /var/lib/rabbitmq; the
// script under /usr/lib/rabbitmq/bin takes everything from RABBITMQ_* variables instead. As root the
// broker runs as the rabbitmq user, which is given the directory (Erlang's cookie lives in HOME).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect, type AddressInfo } from "node:net";
import { join } from "node:path";
import { systemAccountIds } from "./system-account.js";

export const rabbitmqServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

export interface RabbitMqOptions {
  /** Holds mnesia/ (queues and persistent messages), log/ and the cookie; reused across starts. */
  readonly dir: string;
  /** AMQP port (0: a free one, kept across restarts of this handle). */
  readonly port?: number;
  /** Erlang node name; unique per broker on this machine (default from the port). */
  readonly nodeName?: string;
}

export interface RabbitMqBroker {
  readonly url: string;
  readonly port: number;
  /** SIGKILL to the whole broker (the `kill -9` of the resilience tests): nothing is flushed. */
  kill(): void;
  /** Starts it again over the same directory and ports; resolves when it accepts AMQP connections. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: "127.0.0.1" }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(join(path, entry.name), uid, gid);
    else chownSync(join(path, entry.name), uid, gid);
  }
}

export async function startRabbitMq(options: RabbitMqOptions): Promise<RabbitMqBroker> {
  if (!existsSync(rabbitmqServerScript)) throw new Error(`${rabbitmqServerScript} not found (apt-get install rabbitmq-server)`);
  const dir = options.dir;
  mkdirSync(join(dir, "log"), { recursive: true });
  const port = options.port || (await freePort());
  const distPort = await freePort();
  const nodeName = options.nodeName ?? `dmac-${port}@localhost`;
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? systemAccountIds("rabbitmq") : undefined;
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq"),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, "advanced.config"),
    RABBITMQ_PID_FILE: join(dir, "rabbitmq.pid"),
  };
  let child: ChildProcess | undefined;
  const launch = async () => {
    if (ids) {
      chownTree(dir, ids.uid, ids.gid);
      try {
        execFileSync("runuser", ["-u", "rabbitmq", "--", "test", "-w", dir]);
      } catch {
        throw new Error(`${dir}: the rabbitmq user cannot reach it (a parent directory is private: make the parents searchable, chmod 755)`);
      }
    }
    const out = openSync(join(dir, "log", "startup.log"), "a");
    // Its own process group, so kill() reaches the script, erl and beam.smp at once.
    child = spawn(rabbitmqServerScript, [], { env, cwd: dir, detached: true, stdio: ["ignore", out, out], ...(ids ?? {}) });
    child.unref();
    const started = Date.now();
    let exited = false;
    child.once("exit", () => (exited = true));
    while (!(await accepts(port))) {
      if (exited) throw new Error(`rabbitmq-server exited before it accepted connections on ${port} (see ${join(dir, "log")})`);
      if (Date.now() - started > 90_000) throw new Error(`rabbitmq-server did not accept connections on ${port} within 90 s (see ${join(dir, "log")})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const killGroup = (signal: NodeJS.Signals) => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stopNow = () => killGroup("SIGKILL");
  process.once("exit", stopNow);
  await launch();
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    kill: () => killGroup("SIGKILL"),
    async restart() {
      // The port is free again once the old beam.smp is gone.
      while (await accepts(port)) await new Promise((resolve) => setTimeout(resolve, 100));
      await launch();
    },
    async stop() {
      process.off("exit", stopNow);
      const current = child;
      if (!current || current.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => current.once("exit", () => resolve()));
      killGroup("SIGTERM");
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      killGroup("SIGKILL");
    },
  };
}
