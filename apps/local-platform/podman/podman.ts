// The podman command line, as the local runtime uses it: play a Pod manifest, take it down, read a
// container's last log lines, and follow container deaths. Errors carry podman's own message.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const run = promisify(execFile);

export class PodmanError extends Error {}

export async function podman(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run("podman", [...args], { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") throw new PodmanError("podman is not installed (apt-get install podman buildah runc uidmap; see docs/operations.md)");
    throw new PodmanError(`podman ${args.join(" ")}: ${(failure.stderr ?? failure.message).trim()}`);
  }
}

export async function imageExists(reference: string): Promise<boolean> {
  return podman(["image", "exists", reference]).then(
    () => true,
    () => false,
  );
}

/** Plays a Pod manifest file, replacing the pod a previous play of it made. */
export async function playPod(manifestPath: string): Promise<void> {
  await podman(["kube", "play", "--replace", "--start", manifestPath], { timeoutMs: 300_000 });
}

export async function startContainer(container: string): Promise<void> {
  await podman(["start", container]);
}

export async function removePod(manifestPath: string): Promise<void> {
  await podman(["kube", "down", manifestPath]).catch(() => undefined);
}

/** The last `lines` lines a container wrote (stdout and stderr), or why they cannot be read. */
export async function lastLogLines(container: string, lines = 20): Promise<string> {
  try {
    const { stdout, stderr } = await run("podman", ["logs", "--tail", String(lines), container], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`.trimEnd();
  } catch (error) {
    return `(logs unavailable: ${(error as Error).message})`;
  }
}

export interface ContainerDeath {
  readonly container: string;
  readonly pod: string;
  readonly exitCode: number | undefined;
}

/** Follows `died` events of containers whose pod name is in `pods`; stop() ends the stream. */
export function followDeaths(pods: ReadonlySet<string>, onDeath: (death: ContainerDeath) => void): { stop(): void } {
  const child: ChildProcess = spawn("podman", ["events", "--format", "json", "--filter", "type=container", "--filter", "event=died"], { stdio: ["ignore", "pipe", "ignore"] });
  const lines = createInterface({ input: child.stdout! });
  lines.on("line", (line) => {
    let event: { Name?: string; PodName?: string; ContainerExitCode?: number; Attributes?: Record<string, string> };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    const container = event.Name ?? "";
    // kube play names a pod's containers <pod>-<container>.
    const pod = [...pods].find((p) => container.startsWith(`${p}-`));
    if (pod === undefined) return;
    onDeath({ container, pod, exitCode: event.ContainerExitCode });
  });
  child.on("error", () => undefined);
  return {
    stop: () => {
      lines.close();
      child.kill("SIGTERM");
    },
  };
}
