// writeStepBlocks assembles a step in a buffer from the shared pool. When one block fails, the
// buffer must not go back to the pool while other blocks are still being written into it: the
// next step would take it and be corrupted by the late writes.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeStepBlocks } from "../../dataplane/zarr/chunks.js";
import { FileStore } from "../../dataplane/zarr/store.js";
import { bytePool } from "../../dataplane/buffer-pool.js";
import type { ArrayMetaV2 } from "../../dataplane/zarr/metadata.js";
import type { StepBlocks } from "../../dataplane/source/types.js";

describe("writeStepBlocks when a block fails", () => {
  it("waits for the other blocks before the step buffer is reused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dmac-step-"));
    try {
      const blockBytes = 64 * 1024;
      const count = 8;
      const meta: ArrayMetaV2 = { zarr_format: 2, shape: [1, count, blockBytes / 4], chunks: [1, count, blockBytes / 4], dtype: "<f4", compressor: { id: "zlib", level: 1 }, fill_value: null, order: "C", filters: null, dimension_separator: "." };
      const late: Array<Promise<void>> = [];
      const blocks: StepBlocks = {
        blockBytes,
        count,
        read: () => Promise.reject(new Error("not used")),
        readInto: async (i, dst) => {
          if (i === 0) throw new Error("block 0: corrupt stream");
          // The other blocks finish after the failure is known, then write their bytes.
          const done = new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => {
            dst.fill(0xab);
          });
          late.push(done);
          await done;
          return true;
        },
      };
      await expect(writeStepBlocks({ store: new FileStore(dir), path: "v", meta, format: 2 }, 0, blocks)).rejects.toThrow("block 0: corrupt stream");
      // Whatever the pool hands out now must stay ours: no late write from the failed step.
      const next = bytePool.take(count * blockBytes);
      next.fill(0);
      await Promise.all(late);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(next.every((b) => b === 0)).toBe(true);
      bytePool.give(next);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
