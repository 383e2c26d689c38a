// Status comparison that ignores key order, so reconcilers skip writes that would change nothing.
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
}

export function sameStatus(current: unknown, next: unknown): boolean {
  return JSON.stringify(canonical(current ?? {})) === JSON.stringify(canonical(next));
}
