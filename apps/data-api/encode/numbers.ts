// Numbers as JSON and CSV write them: NaN is missing (null / empty), float32 data is written
// with the fewest digits that read back to the same float32 (0.1, not 0.10000000149011612).
function fits(v: number, f: number, digits: number): boolean {
  return Math.fround(Number(v.toPrecision(digits))) === f;
}

export function shortest(v: number, float32: boolean): number {
  if (!float32 || !Number.isFinite(v)) return v;
  const f = Math.fround(v);
  if (f !== v) return v;
  // Fewest significant digits that read back to the same float32 (9 always do; once some
  // count does, more do too). Model output mostly needs 7 to 9, so try 8, 7 and 6 first, then
  // search below 6 only when 6 round-trips.
  if (!fits(v, f, 8)) return Number(v.toPrecision(9));
  if (!fits(v, f, 7)) return Number(v.toPrecision(8));
  if (!fits(v, f, 6)) return Number(v.toPrecision(7));
  let lo = 1;
  let hi = 6;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(v, f, mid)) hi = mid;
    else lo = mid + 1;
  }
  return Number(v.toPrecision(hi));
}

// Every answer repeats the same time axis; formatting dates dominated a warm time series. A fixed
// memo outside the cache budget: at most ISO_MEMO entries of about 100 bytes (5 MB), part of the
// baseline docs/data-api.md states; a longer axis is formatted again after the memo fills.
const ISO_MEMO = 50_000;
const isoCache = new Map<number, string>();

export function isoTime(ms: number): string {
  let s = isoCache.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString().replace(/\.000Z$/, "Z");
    if (isoCache.size >= ISO_MEMO) isoCache.clear();
    isoCache.set(ms, s);
  }
  return s;
}
