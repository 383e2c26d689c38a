// Runs the Dask payload (apps/ingest-worker) the way a DaskJob does, minus Kubernetes: the task
// list is written where the operator writes it (<store>/.dmac/dask/<name>/tasks.json), the payload
// runs with Debian's Python on a LocalCluster, and its results file is read back through the
// operator's own outcomeFromResults. Passed to ingest() as its executor, so the planner, the store
// initialisation and the commits are the data plane's, exactly as the operator runs them.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { TASK_CONTRACT, openWritableStore, type ExecutionOutcome, type IngestTask } from "../../dataplane/index.js";
import { outcomeFromResults, taskKeys, withSourceUrls, type DaskResults, type DaskTaskList } from "../../operators/ingestjob/daskjob.js";

const run = promisify(execFile);
export const workerRoot = fileURLToPath(new URL("../../apps/ingest-worker", import.meta.url));
const compareScript = fileURLToPath(new URL("./compare_stores.py", import.meta.url));

export interface PayloadRun {
  name: string;
  tasks: IngestTask[];
  results: DaskResults;
  stderr: string;
}

export interface PayloadOptions {
  /** LocalCluster worker processes (default 2), when `command` is not given. */
  workers?: number;
  /** The payload's arguments after `python -m ingest_worker`, and extra environment. */
  command?: (tasksUrl: string, resultsUrl: string) => { args: string[]; env: Record<string, string> };
  /** Called with the task list before the payload starts (to break a source file, say). */
  before?: (chains: IngestTask[][]) => void;
  env?: Record<string, string>;
  /** The URL the payload reads each planned source from, as the operator's dask executor maps it. */
  sourceUrl?: (path: string) => string;
}

let sequence = 0;

/** Runs `python -m ingest_worker` the way the operator's DaskJob does; resolves with its exit status and output. */
export async function runPayload(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("/usr/bin/python3", ["-m", "ingest_worker", ...args], {
      env: { ...process.env, ...env, PYTHONPATH: workerRoot },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** An ingest() executor that runs each batch of chains through the Dask payload; `runs` records every batch. */
export function daskPayloadExecutor(storeUrl: string, opts: PayloadOptions = {}): { executor: (chains: IngestTask[][]) => Promise<ExecutionOutcome>; runs: PayloadRun[] } {
  const runs: PayloadRun[] = [];
  const executor = async (chains: IngestTask[][]): Promise<ExecutionOutcome> => {
    const name = `payload-${process.pid}-${sequence++}`;
    const keys = taskKeys(name);
    const store = await openWritableStore(storeUrl);
    const list: DaskTaskList = { contract: TASK_CONTRACT, chains: opts.sourceUrl ? withSourceUrls(chains, opts.sourceUrl) : chains };
    await store.set(keys.tasks, new TextEncoder().encode(JSON.stringify(list)));
    opts.before?.(chains);
    const base = store.url.replace(/\/$/, "");
    const [tasksUrl, resultsUrl] = [`${base}${keys.tasks}`, `${base}${keys.results}`];
    const command = opts.command?.(tasksUrl, resultsUrl) ?? { args: ["--tasks", tasksUrl, "--results", resultsUrl, "--local-workers", String(opts.workers ?? 2)], env: {} };
    const out = await runPayload(command.args, { ...opts.env, ...command.env });
    if (out.code !== 0) throw new Error(`ingest worker exited with ${out.code}:\n${out.stderr}`);
    const bytes = await store.get(keys.results);
    if (bytes === undefined) throw new Error(`ingest worker wrote no ${keys.results}:\n${out.stderr}`);
    const results = JSON.parse(new TextDecoder().decode(bytes)) as DaskResults;
    const tasks = chains.flat();
    runs.push({ name, tasks, results, stderr: out.stderr });
    return outcomeFromResults(tasks, results, name);
  };
  return { executor, runs };
}

export interface StoreComparison {
  identical: boolean;
  detail: string;
  chunks: number;
  bytesEqual: number;
}

/** compare_stores.py: same objects, metadata byte-equal, chunks decoding equal, xarray assert_identical. */
export async function compareStores(expected: string, actual: string, drop: string[] = []): Promise<StoreComparison> {
  const { stdout } = await run("/usr/bin/python3", [compareScript, expected, actual, JSON.stringify(drop)], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as StoreComparison;
}
