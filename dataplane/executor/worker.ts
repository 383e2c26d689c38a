// Worker-thread entry: receives task documents, runs them, answers with results or errors.
import { parentPort } from "node:worker_threads";
import { validateTask } from "../task.js";
import { runTask } from "./run-task.js";

parentPort?.on("message", (msg: { seq: number; task: unknown }) => {
  void (async () => {
    try {
      const result = await runTask(validateTask(msg.task));
      parentPort?.postMessage({ seq: msg.seq, ok: true, result });
    } catch (err) {
      parentPort?.postMessage({ seq: msg.seq, ok: false, error: (err as Error).message });
    }
  })();
});
