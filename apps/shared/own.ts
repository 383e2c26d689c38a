// Own-property access for dictionaries whose keys a request chooses (JSON keys, path segments,
// query names). A plain `record[key]` with key "constructor" answers Object's constructor, and
// `record[key] = value` with key "__proto__" replaces the record's prototype: every lookup and
// write keyed by client input goes through these instead. Pure, no dependencies: the control
// plane, the APIs and the viewer share it.

/** Names that reach a prototype through ordinary property access on a plain object. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The names a plain object inherits (`toString`, `hasOwnProperty`, `__proto__`, ...): what a sweep test tries as keys. */
export const INHERITED_NAMES: readonly string[] = [...new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"])];

export function hasOwn(record: object | null | undefined, key: PropertyKey): boolean {
  return record !== null && record !== undefined && Object.prototype.hasOwnProperty.call(record, key);
}

/** `record[key]` if `record` has that key as its own property, else undefined. */
export function ownValue<T>(record: { readonly [key: string]: T } | null | undefined, key: string): T | undefined {
  return hasOwn(record, key) ? record![key] : undefined;
}

/** `record[key] = value` as an own data property, even for "__proto__" (never a prototype change). */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}
