// The main thread's side of the components (components.ts): starts each in a worker thread with a
// heap cap, relays its log lines into the platform log and its messages to a callback, and stops it.
// A component that fails at start rejects with its error. One that ends later (a crash, a heap
// cap reached) is restarted as a kubelet restarts a container: after a delay that doubles with each
// exit in a row (CrashLoopBackOff), on the same port, while the others keep serving.
import type { Transferable, Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { backoffDelay, type BackoffOptions } from "../../kube/backoff.js";
import { startWorker } from "../../dataplane/executor/start-worker.js";
import type { ComponentInfo, ComponentName, ComponentOptions } from "./components.js";

export interface Component {
  readonly name: ComponentName;
  /** What the first start reported; a restart serves at the same address. */
  readonly info: ComponentInfo;
  /** The thread running it now (a new one after each restart). */
  readonly worker: Worker;
  /** How many times it has been restarted after ending. */
  readonly restarts: number;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** Delay before restart number n: `backoff.baseMs` doubled n-1 times, at most `backoff.maxMs`. */
  backoff: BackoffOptions;
  /** A run at least this long resets the delay to `backoff.baseMs` (the kubelet: 10 minutes). */
  stableMs: number;
}

/** The kubelet's CrashLoopBackOff, shortened for one machine: 1 s doubling to 5 min. */
export const DEFAULT_RESTART: RestartPolicy = { backoff: { baseMs: 1_000, maxMs: 5 * 60_000, jitter: 0.2 }, stableMs: 10 * 60_000 };

export interface StartOptions {
  log: Logger;
  /** Heap cap of the worker, MiB (default: Node's). */
  maxHeapMiB?: number;
  onMessage?: (message: unknown) => void;
  /** What restarts it after it ends (default DEFAULT_RESTART); false leaves it ended. */
  restart?: RestartPolicy | false;
  /** Called after each successful restart. */
  onRestart?: (component: Component) => void;
}

/** The options of one start; `previous` is what the first start reported (to serve at the same address). */
export type Launch<N extends ComponentName> = (previous: ComponentInfo | undefined) => { options: ComponentOptions[N]; transferList?: readonly Transferable[] };

const LEVELS: Record<number, "trace" | "debug" | "info" | "warn" | "error" | "fatal"> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** Writes a log line from a worker through the platform's logger (its level, message and fields kept). */
function relay(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.info({ line }, "unparsed log line");
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, name: _name, ...fields } = record;
  const method = LEVELS[Number(level)] ?? "info";
  log[method](fields, String(msg ?? ""));
}

interface Run {
  worker: Worker;
  info: ComponentInfo;
  /** Resolves when the thread ends, with its exit code and the error that ended it, if any. */
  ended: Promise<{ code: number; error?: Error }>;
  /** Asks the component to stop, then ends the thread. */
  stop(): Promise<void>;
}

/** One thread running the component; resolves once it serves, rejects if it fails before. */
function run<N extends ComponentName>(name: N, options: ComponentOptions[N], transferList: readonly Transferable[] | undefined, start: StartOptions): Promise<Run> {
  const worker = startWorker(import.meta.url, "./component-worker", {
    name: `dmac-${name}`,
    workerData: { name, options, level: start.log.level },
    ...(transferList ? { transferList: [...transferList] } : {}),
    // A small young generation: V8 sizes it for one busy isolate per process; five mostly idle ones
    // would each keep tens of MiB of semi-spaces resident.
    resourceLimits: { maxYoungGenerationSizeMb: Number(process.env.DMAC_YOUNG_MB ?? 8), ...(start.maxHeapMiB ? { maxOldGenerationSizeMb: start.maxHeapMiB } : {}) },
  });
  let error: Error | undefined;
  let stopped: (() => void) | undefined;
  const ended = new Promise<{ code: number; error?: Error }>((resolve) => worker.once("exit", (code) => resolve({ code, ...(error ? { error } : {}) })));
  return new Promise<Run>((resolve, reject) => {
    let ready = false;
    worker.on("message", (message: { type: string; line?: string; info?: ComponentInfo; message?: string }) => {
      if (message.type === "log") relay(start.log, message.line!);
      else if (message.type === "ready") {
        ready = true;
        resolve({
          worker,
          info: message.info!,
          ended,
          stop: async () => {
            const done = new Promise<void>((r) => (stopped = r));
            worker.postMessage({ type: "stop" });
            await Promise.race([done, ended, new Promise((r) => setTimeout(r, 30_000))]);
            await worker.terminate();
          },
        });
      } else if (message.type === "stopped") stopped?.();
      else if (message.type === "failed") reject(new Error(`${name} failed to start: ${message.message}`));
      else start.onMessage?.(message);
    });
    worker.on("error", (err) => {
      error = err;
      if (!ready) reject(err);
    });
    void ended.then(({ code }) => {
      if (!ready) reject(error ?? new Error(`${name} exited (code ${code}) before it was ready`));
    });
  });
}

export async function startComponent<N extends ComponentName>(name: N, launch: Launch<N>, start: StartOptions): Promise<Component> {
  const policy = start.restart ?? DEFAULT_RESTART;
  const spawn = (previous: ComponentInfo | undefined) => {
    const { options, transferList } = launch(previous);
    return run(name, options, transferList, start);
  };
  let current = await spawn(undefined);
  const info = current.info;
  let restarts = 0;
  let crashes = 0;
  let startedAt = Date.now();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const component: Component = {
    name,
    info,
    get worker() {
      return current.worker;
    },
    get restarts() {
      return restarts;
    },
    stop: async () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      await current.stop();
    },
  };

  const restartLater = (reason: Record<string, unknown>, message: string): void => {
    if (stopping) return;
    if (policy === false) {
      start.log.error({ component: name, ...reason }, `${message}; the other components keep running`);
      return;
    }
    // Exits in a row lengthen the wait; a run that lasted resets it.
    crashes = Date.now() - startedAt >= policy.stableMs ? 1 : crashes + 1;
    const delayMs = backoffDelay(crashes, policy.backoff);
    start.log.error({ component: name, ...reason, restartInMs: delayMs, exitsInARow: crashes }, `${message}; restarting it in ${delayMs} ms (the other components keep running)`);
    timer = setTimeout(() => {
      if (stopping) return;
      startedAt = Date.now();
      spawn(info).then(
        (next) => {
          if (stopping) {
            void next.stop();
            return;
          }
          current = next;
          restarts += 1;
          start.log.info({ component: name, restarts }, `${name} restarted`);
          watch(next);
          start.onRestart?.(component);
        },
        (err: unknown) => restartLater({ err }, `${name} failed to restart`),
      );
    }, delayMs);
    timer.unref();
  };
  const watch = (running: Run): void => {
    void running.ended.then(({ code, error }) => {
      if (running === current) restartLater({ code, ...(error ? { err: error } : {}) }, `${name} exited (code ${code})`);
    });
  };
  watch(current);
  return component;
}
