// Nesting limits for request bodies, checked without recursion: on the raw text before a parser
// sees it (JSON; YAML flow collections) and on the parsed value (YAML block nesting, keys). A
// hostile depth then costs one linear scan, never a stack overflow or a recursive clone.

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

/**
 * The flow-collection depth (`[`/`{`) of a YAML text, scanned without parsing: quoted scalars
 * and comments are skipped, block nesting is left to `checkParsedBody` after the parse. Brackets
 * inside block scalars count too, which can only make a pathological document fail early.
 */
export function yamlFlowDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if (c === '"') {
      for (i += 1; i < text.length && text[i] !== '"'; i += 1) if (text[i] === "\\") i += 1;
    } else if (c === "'" && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) {
      for (i += 1; i < text.length; i += 1) {
        if (text[i] === "'") {
          if (text[i + 1] === "'") i += 1;
          else break;
        }
      }
    } else if (c === "[" || c === "{") {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if ((c === "]" || c === "}") && depth > 0) depth -= 1;
  }
  return false;
}
