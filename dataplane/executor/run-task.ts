// Executes one ingest task in the current thread: reads the source steps by slices and writes
// them into the target arrays' regions. Bounded memory: at most ~64 MB of one variable at once.
import { fileURLToPath } from "node:url";
import { openSource } from "../source/open.js";
import { openWritableStore } from "../zarr/open.js";
import { chunkIsOneStep, writeRegion, writeStepBlocks, type RegionWriteStats, type ZarrArray } from "../zarr/chunks.js";
import type { WritableStore } from "../zarr/store.js";
import type { SourceDataset, SourceVariable } from "../source/types.js";
import { bytePool } from "../buffer-pool.js";
import { product } from "../ndarray.js";
import { bytesPerElement, viewBytes } from "../dtype.js";
import type { IngestTask, TaskResult } from "../task.js";

const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Groups steps into runs that are consecutive in both source and target. */
export function contiguousRuns(steps: IngestTask["steps"], maxLength: number): Array<{ source: number; target: number; length: number }> {
  const runs: Array<{ source: number; target: number; length: number }> = [];
  for (const s of [...steps].sort((a, b) => a.target - b.target)) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.length < maxLength && last.source + last.length === s.source && last.target + last.length === s.target) last.length += 1;
    else runs.push({ source: s.source, target: s.target, length: 1 });
  }
  return runs;
}

/**
 * One step whose stored chunks do not tile it contiguously, assembled in a recycled buffer
 * (`readStepInto`) and encoded as the target chunk: no step-sized allocation per variable and
 * file, which made garbage collection the largest cost of a ROMS ingest. False: not possible here.
 */
async function copyAssembled(src: SourceDataset, v: SourceVariable, target: ZarrArray<WritableStore>, s: { source: number; target: number }, stepBytes: number, count: (stats: RegionWriteStats, read: number) => void): Promise<boolean> {
  if (src.readStepInto === undefined) return false;
  // Chunks stored without a codec are kept as given by some stores: only encoded ones may reuse the buffer.
  const pooled = target.meta.compressor !== null;
  const step = pooled ? bytePool.take(stepBytes) : new Uint8Array(stepBytes);
  try {
    if (!(await src.readStepInto(v.name, s.source, step))) return false;
    const inner = v.shape.slice(1);
    count(await writeRegion(target, [s.target, ...inner.map(() => 0)], [1, ...inner], viewBytes(v.dtype, step)), stepBytes);
    return true;
  } finally {
    if (pooled) bytePool.give(step);
  }
}

export async function runTask(task: IngestTask): Promise<TaskResult> {
  const path = task.source.url.startsWith("file://") ? fileURLToPath(task.source.url) : task.source.url;
  // A copy needs the structure, not the attributes (the planner wrote those): ~40% of an open.
  const src = await openSource(path, { attributes: false });
  const store = await openWritableStore(task.target.store);
  const format = task.target.zarrFormat ?? 2;
  const result: TaskResult = { id: task.id, chunks: 0, bytesWritten: 0, bytesRead: 0 };
  const count = (stats: RegionWriteStats, read: number): void => {
    result.chunks += stats.chunks;
    result.bytesWritten += stats.bytesWritten;
    result.bytesRead += read;
  };
  try {
    for (const a of task.arrays) {
      const v = src.variables.find((x) => x.name === a.variable);
      if (v === undefined) throw new Error(`${path}: variable ${a.variable} is missing`);
      if (v.dims[0] !== task.concatDim) throw new Error(`${path}: variable ${a.variable} does not start with ${task.concatDim}`);
      const target = { store, path: a.path, meta: a.zarray, format };
      const inner = v.shape.slice(1);
      const stepBytes = Math.max(1, product(inner) * bytesPerElement(v.dtype));
      const copyRun = async (run: { source: number; target: number; length: number }): Promise<void> => {
        const data = await src.read(v.name, [run.source, ...inner.map(() => 0)], [run.length, ...inner]);
        count(await writeRegion(target, [run.target, ...inner.map(() => 0)], [run.length, ...inner], data), data.byteLength);
      };
      // Fast path: the file's chunks tile each step and a target chunk is one step, so chunks
      // move from the file to the encoder without the step being assembled (writeStepBlocks).
      if ((src.stepBlocks !== undefined || src.readStepInto !== undefined) && chunkIsOneStep(a.zarray)) {
        for (const s of [...task.steps].sort((x, y) => x.target - y.target)) {
          const blocks = await src.stepBlocks?.(v.name, s.source);
          if (blocks !== undefined) count(await writeStepBlocks(target, s.target, blocks), stepBytes);
          else if (!(await copyAssembled(src, v, target, s, stepBytes, count))) await copyRun({ ...s, length: 1 });
        }
        continue;
      }
      const chunkLen = a.zarray.chunks[0] ?? 1;
      const maxRun = Math.max(1, Math.min(Math.floor(MAX_READ_BYTES / stepBytes), chunkLen * Math.max(1, Math.floor(MAX_READ_BYTES / stepBytes / chunkLen))));
      for (const run of contiguousRuns(task.steps, maxRun)) await copyRun(run);
    }
  } finally {
    src.close();
  }
  return result;
}
