// The main thread's side of the components (components.ts): starts each in a worker thread with a
// heap cap, relays its log lines into the platform log and its messages to a callback, and stops it.
// A component that fails at start rejects with its error; one that ends later is logged as an
// error and the others keep serving.
import type { Transferable, Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { startWorker } from "../../dataplane/executor/start-worker.js";
import type { ComponentInfo, ComponentName, ComponentOptions } from "./components.js";

export interface Component {
  readonly name: ComponentName;
  readonly info: ComponentInfo;
  readonly worker: Worker;
  stop(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /** Heap cap of the worker, MiB (default: Node's). */
  maxHeapMiB?: number;
  onMessage?: (message: unknown) => void;
  transferList?: readonly Transferable[];
}

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

export function startComponent<N extends ComponentName>(name: N, options: ComponentOptions[N], start: StartOptions): Promise<Component> {
  const worker = startWorker(import.meta.url, "./component-worker", {
    name: `dmac-${name}`,
    workerData: { name, options, level: start.log.level },
    ...(start.transferList ? { transferList: [...start.transferList] } : {}),
    // A small young generation: V8 sizes it for one busy isolate per process; five mostly idle ones
    // would each keep tens of MiB of semi-spaces resident.
    resourceLimits: { maxYoungGenerationSizeMb: Number(process.env.DMAC_YOUNG_MB ?? 8), ...(start.maxHeapMiB ? { maxOldGenerationSizeMb: start.maxHeapMiB } : {}) },
  });
  let stopping = false;
  let stopped: (() => void) | undefined;
  return new Promise<Component>((resolve, reject) => {
    let ready = false;
    worker.on("message", (message: { type: string; line?: string; info?: ComponentInfo; message?: string }) => {
      if (message.type === "log") relay(start.log, message.line!);
      else if (message.type === "ready") {
        ready = true;
        resolve({
          name,
          info: message.info!,
          worker,
          stop: async () => {
            if (stopping) return;
            stopping = true;
            const done = new Promise<void>((r) => (stopped = r));
            worker.postMessage({ type: "stop" });
            await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
            await worker.terminate();
          },
        });
      } else if (message.type === "stopped") stopped?.();
      else if (message.type === "failed") reject(new Error(`${name} failed to start: ${message.message}`));
      else start.onMessage?.(message);
    });
    worker.on("error", (err) => {
      if (!ready) reject(err);
      else start.log.error({ component: name, err }, `${name} stopped with an error; the other components keep running`);
    });
    worker.on("exit", (code) => {
      if (!ready) reject(new Error(`${name} exited (code ${code}) before it was ready`));
      else if (!stopping) start.log.error({ component: name, code }, `${name} exited; the other components keep running`);
    });
  });
}
