// The publisher's outbox: an event is written here (fsynced, then renamed into place) before
// `publish` returns, and removed only after the broker confirmed it. So an event for a change the
// caller has committed survives the broker being down and this process being killed: it is sent
// when the broker (or the next start of the process over the same directory) comes back.
// One file per event, named so that a directory listing is the publication order.
import { mkdirSync } from "node:fs";
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CloudEvent } from "./platform-events.js";

export interface OutboxEntry {
  readonly name: string;
  readonly event: CloudEvent;
}

export class FileOutbox {
  private seq = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async add(event: CloudEvent): Promise<string> {
    // Time, then a per-process sequence: the order of publish calls; the id keeps names unique across processes.
    const name = `${Date.now().toString().padStart(15, "0")}-${(this.seq++).toString().padStart(9, "0")}-${event.id.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const file = await open(tmp, "w");
    try {
      await file.writeFile(JSON.stringify(event));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.dir, name));
    await this.syncDir();
    return name;
  }

  /** The oldest `limit` entries not yet confirmed. An unreadable entry (torn by a crash before its rename) cannot exist: only complete files are renamed in. */
  async pending(limit: number): Promise<OutboxEntry[]> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort().slice(0, limit);
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      try {
        entries.push({ name, event: JSON.parse(await readFile(join(this.dir, name), "utf8")) as CloudEvent });
      } catch (error) {
        // Removed by a concurrent flush between readdir and read.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return entries;
  }

  async size(): Promise<number> {
    return (await readdir(this.dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).length;
  }

  async remove(name: string): Promise<void> {
    await unlink(join(this.dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
