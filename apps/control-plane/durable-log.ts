// Crash-safe persistence: an append-only JSON-lines log with group commit, plus a snapshot
// written by compaction. A write is acknowledged only after the fdatasync of the batch that
// holds it, so `kill -9` loses nothing that a client was told succeeded. Concurrent writers
// share one fsync (group commit), which is what makes >1,000 writes/s possible on one disk.
//
// Files in the data directory:
//   snapshot.json  {"rv": N, "objects": [[key, object], ...]}  (atomically replaced: tmp + fsync + rename)
//   log.jsonl      one record per line, rv ascending, all with rv > snapshot rv (older ones are skipped)
// A torn last line (crash mid-write) is cut off on open; damage anywhere else is an error that
// names the file and line, never silently dropped.
import { closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, write, writeSync } from "node:fs";
import { join } from "node:path";
import { toJson } from "./serialize.js";
import type { KObject } from "./types.js";

export interface LogRecord {
  rv: number;
  op: "put" | "del";
  key: string;
  object: KObject;
}

export interface RecoveredState {
  rv: number;
  objects: Map<string, KObject>;
  /** Records after the snapshot with the object each replaced, so watches can resume from any rv above `snapshotRv`. */
  tail: Array<{ record: LogRecord; previous?: KObject }>;
  snapshotRv: number;
}

export interface DurableLog {
  /** Resolves once the record is on disk; records resolve in append order. */
  append(record: LogRecord): Promise<void>;
  /** Writes a snapshot of `state` and truncates the log (called with no appends in flight). */
  compactIfDue(state: () => { rv: number; objects: Iterable<[string, KObject]> }): void;
  close(): Promise<void>;
  stats(): { records: number; flushes: number; compactions: number };
  /** False once a write failed: the server then refuses writes and reports not ready. */
  healthy(): boolean;
}

/** Tests and throwaway runs: durable immediately, same ordering guarantees. */
export function memoryLog(): DurableLog {
  let records = 0;
  return {
    append: () => {
      records += 1;
      return Promise.resolve();
    },
    compactIfDue: () => {},
    close: () => Promise.resolve(),
    stats: () => ({ records, flushes: 0, compactions: 0 }),
    healthy: () => true,
  };
}

export function recover(dataDir: string): RecoveredState {
  mkdirSync(dataDir, { recursive: true });
  const snapshotPath = join(dataDir, "snapshot.json");
  const logPath = join(dataDir, "log.jsonl");
  const objects = new Map<string, KObject>();
  let snapshotRv = 0;
  if (existsSync(snapshotPath)) {
    let snapshot: { rv: number; objects: Array<[string, KObject]> };
    try {
      snapshot = JSON.parse(readFileSync(snapshotPath, "utf8")) as typeof snapshot;
    } catch (err) {
      throw new Error(`${snapshotPath}: unreadable snapshot: ${(err as Error).message}`);
    }
    snapshotRv = snapshot.rv;
    for (const [key, object] of snapshot.objects) objects.set(key, object);
  }
  let rv = snapshotRv;
  const tail: RecoveredState["tail"] = [];
  if (existsSync(logPath)) {
    const text = readFileSync(logPath);
    let offset = 0;
    let line = 0;
    while (offset < text.length) {
      const newline = text.indexOf(10, offset);
      line += 1;
      if (newline === -1) {
        // A torn final write from a crash: it was never acknowledged, so cutting it loses nothing.
        const fd = openSync(logPath, "r+");
        ftruncateSync(fd, offset);
        fsyncSync(fd);
        closeSync(fd);
        break;
      }
      let record: LogRecord;
      try {
        record = JSON.parse(text.subarray(offset, newline).toString("utf8")) as LogRecord;
      } catch (err) {
        throw new Error(`${logPath}:${line}: corrupt log record: ${(err as Error).message}`);
      }
      offset = newline + 1;
      if (record.rv <= snapshotRv) continue;
      const previous = objects.get(record.key);
      if (record.op === "put") objects.set(record.key, record.object);
      else objects.delete(record.key);
      rv = Math.max(rv, record.rv);
      tail.push(previous ? { record, previous } : { record });
    }
  }
  return { rv, objects, tail, snapshotRv };
}

export interface FileLogOptions {
  /** Compact once the log holds this many records (default 20,000). */
  compactAfterRecords?: number;
}

export function fileLog(dataDir: string, options: FileLogOptions = {}): DurableLog {
  const logPath = join(dataDir, "log.jsonl");
  const compactAfter = options.compactAfterRecords ?? 20_000;
  let fd = openSync(logPath, "a");
  fsyncDir(dataDir);
  let queue: Array<{ line: string; resolve: () => void; reject: (err: Error) => void }> = [];
  let flushing = false;
  let closed = false;
  let broken: Error | undefined;
  let recordsInLog = countLines(logPath);
  let records = 0;
  let flushes = 0;
  let compactions = 0;
  let compaction: (() => { rv: number; objects: Iterable<[string, KObject]> }) | undefined;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: () => void = () => {};

  // One batch in flight at a time. The write and fdatasync run on libuv's thread pool, so the
  // event loop keeps accepting requests meanwhile; they form the next batch (group commit).
  const flush = (): void => {
    if (broken) {
      for (const b of queue) b.reject(broken);
      queue = [];
    }
    if (flushing || queue.length === 0) return;
    flushing = true;
    idle = new Promise((resolve) => (markIdle = resolve));
    const batch = queue;
    queue = [];
    const done = (err: Error | null): void => {
      if (err) {
        // After a failed write the log's tail is unknown: refuse everything after it rather than
        // acknowledging writes that a restart might not replay in order.
        broken = new Error(`${logPath}: ${err.message}`);
        for (const b of batch) b.reject(broken);
      } else {
        flushes += 1;
        records += batch.length;
        recordsInLog += batch.length;
        for (const b of batch) b.resolve();
      }
      if (!err && compaction && recordsInLog >= compactAfter && queue.length === 0) {
        try {
          compact(compaction());
        } catch (compactError) {
          // The log still holds everything: a failed compaction loses nothing, so keep serving.
          process.emitWarning(`${logPath}: compaction failed: ${(compactError as Error).message}`);
        }
      }
      flushing = false;
      markIdle();
      flush();
    };
    const buffer = Buffer.from(batch.map((b) => b.line).join(""), "utf8");
    writeAll(fd, buffer, 0, (writeError) => {
      if (writeError) return done(writeError);
      fdatasync(fd, (syncError) => done(syncError));
    });
  };

  const compact = (state: { rv: number; objects: Iterable<[string, KObject]> }): void => {
    const snapshotPath = join(dataDir, "snapshot.json");
    const tmp = `${snapshotPath}.tmp`;
    const out = openSync(tmp, "w");
    writeSync(out, `{"rv":${state.rv},"objects":[`);
    let first = true;
    for (const entry of state.objects) {
      writeSync(out, (first ? "" : ",") + JSON.stringify(entry));
      first = false;
    }
    writeSync(out, "]}");
    fsyncSync(out);
    closeSync(out);
    renameSync(tmp, snapshotPath);
    fsyncDir(dataDir);
    // Records now covered by the snapshot; if we crash before this, recovery skips them by rv.
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    closeSync(fd);
    fd = openSync(logPath, "a");
    recordsInLog = 0;
    compactions += 1;
  };

  return {
    append(record) {
      if (closed) return Promise.reject(new Error(`${logPath}: log is closed`));
      if (broken) return Promise.reject(broken);
      return new Promise<void>((resolve, reject) => {
        queue.push({ line: `{"rv":${record.rv},"op":"${record.op}","key":${JSON.stringify(record.key)},"object":${toJson(record.object)}}\n`, resolve, reject });
        flush();
      });
    },
    compactIfDue(state) {
      compaction = state;
    },
    async close() {
      while (flushing || queue.length > 0) await idle;
      closed = true;
      closeSync(fd);
    },
    stats: () => ({ records, flushes, compactions }),
    healthy: () => broken === undefined,
  };
}

function writeAll(fd: number, buffer: Buffer, offset: number, callback: (err: Error | null) => void): void {
  write(fd, buffer, offset, buffer.length - offset, null, (err, written) => {
    if (err) callback(err);
    else if (offset + written < buffer.length) writeAll(fd, buffer, offset + written, callback);
    else callback(null);
  });
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path);
  let n = 0;
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) n += 1;
  return n;
}
