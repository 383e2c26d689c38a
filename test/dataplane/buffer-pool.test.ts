// The ingest's recycled buffers (dataplane/buffer-pool.ts): small size classes keep up to four idle
// buffers; large ones keep what fits in 64 MiB, and at least one, so an RTOFS-size step (59 MB)
// does not leave a quarter of a gigabyte idle between steps.
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../dataplane/buffer-pool.js";

const MiB = 1 << 20;

/** How many of `n` buffers of `bytes` given back come out again (the same allocations). */
function kept(bytes: number, n: number): number {
  const pool = new BufferPool();
  const given = Array.from({ length: n }, () => pool.take(bytes));
  for (const b of given) pool.give(b);
  const back = Array.from({ length: n }, () => pool.take(bytes));
  return back.filter((b) => given.some((g) => g.buffer === b.buffer)).length;
}

describe("BufferPool", () => {
  it("keeps four idle buffers of a small class and reuses them", () => {
    expect(kept(7.7e6, 6)).toBe(4);
    expect(kept(300_000, 6)).toBe(4);
  });

  it("keeps what fits in 64 MiB of a large class, and always one", () => {
    expect(kept(20 * MiB, 4)).toBe(3);
    expect(kept(59_355_000, 4)).toBe(1);
    expect(kept(100 * MiB, 3)).toBe(1);
  });
});
