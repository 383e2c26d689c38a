// Recycled byte buffers for the ingest's hot path. Every chunk passes through a few buffers of
// the same sizes (compressed input, one assembled step, one encoded frame); letting each become
// garbage made V8's collector the largest single cost of an ingest and inflated its peak RSS.
// A buffer is given back only once nothing can read it any more (its write or inflate finished).

const MB = 1 << 20;
/** Bytes a size class may keep idle (at least one buffer of any size is kept). */
const MAX_KEPT_PER_CLASS = 64 * MB;

/** Capacity class of a request: powers of two up to 1 MiB, then whole MiBs. */
function capacityFor(bytes: number): number {
  if (bytes <= MB) return Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
  return Math.ceil(bytes / MB) * MB;
}

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  constructor(private readonly perClass = 4) {}

  /** A buffer of exactly `bytes` bytes (contents undefined), backed by a recyclable allocation. */
  take(bytes: number): Buffer {
    const cap = capacityFor(bytes);
    const buf = this.free.get(cap)?.pop() ?? Buffer.allocUnsafeSlow(cap);
    return buf.subarray(0, bytes);
  }

  /** Returns a buffer obtained from `take` (or a view of one) for reuse. */
  give(view: Uint8Array): void {
    const whole = Buffer.from(view.buffer, 0, view.buffer.byteLength);
    const cap = whole.byteLength;
    if (cap !== capacityFor(cap)) return;
    const list = this.free.get(cap) ?? [];
    // Large classes keep fewer: four 59 MB steps of an RTOFS field held idle would be a quarter GB.
    if (list.length < this.perClass && (list.length === 0 || (list.length + 1) * cap <= MAX_KEPT_PER_CLASS)) list.push(whole);
    this.free.set(cap, list);
  }
}

/** One pool per thread (worker threads each load their own copy of this module). */
export const bytePool = new BufferPool();
