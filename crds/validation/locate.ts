// Maps a field path in a parsed YAML document back to a line and column in its file.
import { isMap, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./types.js";

export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * The position of the deepest node on the path that exists: for a missing required field that is
 * its parent object, which is where the user has to add it. A key is located at the key itself.
 */
export function locate(doc: Document, lines: LineCounter, path: readonly PathSegment[]): Position {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const key = p.key as { value?: unknown } | null;
        return (key && typeof key === "object" && "value" in key ? key.value : p.key) === segment;
      });
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      offset = keyNode?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const pos = lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}
