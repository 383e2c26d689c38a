// JSON text and timestamps as the API serves them. Stored objects are immutable once written, so their JSON text is computed once and shared by
// the log record, the HTTP response and every watcher (it dominated CPU at 20 watchers).
const cache = new WeakMap<object, string>();

export function toJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  let text = cache.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    cache.set(value, text);
  }
  return text;
}

/** metav1.Time: RFC 3339 in UTC with whole seconds, as Kubernetes serializes timestamps. */
export function metaTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}
