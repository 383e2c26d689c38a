// Numbers as JSON and CSV write them: NaN is missing (null / empty), float32 data is written
// with the fewest digits that read back to the same float32 (0.1, not 0.10000000149011612).
export function shortest(v: number, float32: boolean): number {
  if (!float32 || !Number.isFinite(v)) return v;
  const f = Math.fround(v);
  if (f !== v) return v;
  for (let p = 1; p < 10; p++) {
    const r = Number(v.toPrecision(p));
    if (Math.fround(r) === f) return r;
  }
  return v;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}
