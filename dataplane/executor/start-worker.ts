// Starts a worker thread running a module beside the caller's, from compiled JavaScript or, under
// tsx (tests, `npx tsx`), from TypeScript through tsx's module API.
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `entry` is the module's name without extension ("./worker"), relative to `callerUrl`. */
export function startWorker(callerUrl: string, entry: string, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  // tsx's module API appends a query (?tsx-namespace=...) to the URLs it loads: look at the path.
  if (!new URL(callerUrl).pathname.endsWith(".ts")) return new Worker(new URL(`${entry}.js`, callerUrl), options);
  const source = new URL(`${entry}.ts`, callerUrl).href;
  return new Worker(`import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(callerUrl)}))`, { ...options, eval: true });
}
