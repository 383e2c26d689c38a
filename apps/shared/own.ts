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

/** A problem `checkParsedBody` found: the nesting is too deep, or a key names the prototype. */
export type BodyProblem = { kind: "depth"; limit: number } | { kind: "key"; key: string; path: string };

/**
 * Walks a parsed JSON/YAML value without recursion (so a hostile depth cannot overflow the stack
 * here) and reports the first nesting deeper than `maxDepth` or the first object key in
 * `forbiddenKeys`. Depth counts containers: `{}` is 1, `{"a": []}` is 2.
 */
export function checkParsedBody(value: unknown, maxDepth: number, forbiddenKeys: ReadonlySet<string> = new Set(["__proto__"])): BodyProblem | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    if (depth + 1 > maxDepth) return { kind: "depth", limit: maxDepth };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const key of Object.keys(current)) {
      const at = path === "" ? key : `${path}.${key}`;
      if (forbiddenKeys.has(key)) return { kind: "key", key, path: at };
      stack.push({ value: (current as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
  return undefined;
}

/**
 * The container depth of a JSON text, scanned without parsing (brackets inside strings do not
 * count): lets a server refuse a hostile nesting before any parser or clone recurses into it.
 */
export function jsonTextDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}
