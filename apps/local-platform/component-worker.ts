// Worker-thread entry of one `dmac up` component (components.ts): starts it, reports `ready` with
// what it serves, forwards its log lines and messages to the main thread, and stops on request.
import { Writable } from "node:stream";
import { parentPort, workerData } from "node:worker_threads";
import pino from "pino";
import { COMPONENTS, type ComponentName, type ComponentOptions, type RunningComponent } from "./components.js";

const port = parentPort!;
const { name, options, level } = workerData as { name: ComponentName; options: ComponentOptions[ComponentName]; level: string };
const lines = new Writable({
  write(chunk, _encoding, done) {
    port.postMessage({ type: "log", line: String(chunk) });
    done();
  },
});
const log = pino({ level, base: { component: name }, timestamp: pino.stdTimeFunctions.isoTime }, lines);

let running: RunningComponent | undefined;
port.on("message", (message: { type: string }) => {
  if (message.type !== "stop") return;
  void (async () => {
    try {
      await running?.stop();
    } catch (err) {
      log.error({ err }, `${name} did not stop cleanly`);
    }
    port.postMessage({ type: "stopped" });
  })();
});

try {
  const start = COMPONENTS[name] as (o: typeof options, ctx: { log: typeof log; post: (m: unknown) => void }) => Promise<RunningComponent>;
  running = await start(options, { log, post: (m) => port.postMessage(m) });
  port.postMessage({ type: "ready", info: running.info });
} catch (err) {
  port.postMessage({ type: "failed", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
