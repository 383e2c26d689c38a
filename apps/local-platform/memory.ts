// Where the memory of `dmac up` goes (issue #22, bench/platform/breakdown.mjs): the process's
// resident set by kind of mapping (/proc/self/smaps_rollup and smaps on Linux) and each thread's
// V8 heap and external memory (ArrayBuffers, WASM memories) as V8 reports them. The threads share
// one address space, so the kernel cannot split the resident set by thread; V8's figures can.
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import type { Worker } from "node:worker_threads";

export interface ThreadMemory {
  thread: string;
  /** V8 heap pages resident (MiB). */
  heapMiB: number;
  /** Live objects in the heap (MiB). */
  heapUsedMiB: number;
  /** Memory V8 knows is held outside its heap: ArrayBuffers, Buffers, WASM memories (MiB). */
  externalMiB: number;
  /** V8's own malloc'ed bookkeeping (MiB). */
  mallocedMiB: number;
}

export interface MemoryReport {
  at: string;
  /** Resident set of the whole process (MiB), and what it is made of. */
  rssMiB: number;
  smaps?: { anonymousMiB: number; fileMiB: number; mallocHeapMiB: number; mappings: number };
  threads: ThreadMemory[];
  /** Resident memory no thread's V8 figures account for: malloc (libuv, native addons, zlib, OpenSSL), code, stacks (MiB). */
  unattributedMiB: number;
}

type HeapStatistics = ReturnType<typeof getHeapStatistics> & { external_memory?: number };

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function thread(name: string, stats: HeapStatistics): ThreadMemory {
  return { thread: name, heapMiB: mib(stats.total_physical_size), heapUsedMiB: mib(stats.used_heap_size), externalMiB: mib(stats.external_memory ?? 0), mallocedMiB: mib(stats.malloced_memory) };
}

/** Resident kB of the mappings in /proc/self/smaps, grouped; undefined off Linux. */
function smaps(): MemoryReport["smaps"] {
  let text: string;
  try {
    text = readFileSync("/proc/self/smaps", "utf8");
  } catch {
    return undefined;
  }
  let anonymous = 0;
  let file = 0;
  let heap = 0;
  let mappings = 0;
  let name = "";
  for (const line of text.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      mappings += 1;
      name = header[3] ?? "";
      continue;
    }
    if (!line.startsWith("Rss:")) continue;
    const kb = Number(line.split(/\s+/)[1]);
    if (name === "[heap]") heap += kb;
    else if (name.startsWith("/")) file += kb;
    else anonymous += kb;
  }
  return { anonymousMiB: mib(anonymous * 1024), fileMiB: mib(file * 1024), mallocHeapMiB: mib(heap * 1024), mappings };
}

/** The report for this process: the main thread (named `mainName`) and the given workers. */
export async function memoryReport(mainName: string, workers: ReadonlyArray<{ name: string; worker: Worker }>): Promise<MemoryReport> {
  const threads = [thread(mainName, getHeapStatistics() as HeapStatistics)];
  for (const { name, worker } of workers) {
    try {
      threads.push(thread(name, (await worker.getHeapStatistics()) as HeapStatistics));
    } catch {
      // exited meanwhile
    }
  }
  const rss = process.memoryUsage.rss();
  const attributed = threads.reduce((n, t) => n + t.heapMiB + t.externalMiB + t.mallocedMiB, 0);
  const map = smaps();
  return { at: new Date().toISOString(), rssMiB: mib(rss), ...(map ? { smaps: map } : {}), threads, unattributedMiB: Math.round((mib(rss) - attributed) * 10) / 10 };
}
