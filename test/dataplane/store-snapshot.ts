// Whole-store comparisons for tests: every file's bytes, and every committed array decoded.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { FileStore, readConsolidated, readRegion, type Ledger } from "../../dataplane/index.js";

/** Every file under `root` (temporary `.tmp` files left out) by path relative to it. */
export function storeFiles(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith(".tmp")) out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

const isMetadata = (key: string): boolean => /(^|\/)(\.zmetadata|\.zarray|\.zattrs|\.zgroup|zarr\.json)$/.test(key);

/** Metadata files byte for byte, the set of chunk keys, and each committed array's decoded bytes. */
export async function storeDigest(root: string): Promise<{ metadata: Record<string, string>; chunkKeys: string[]; arrays: Record<string, string> }> {
  const files = storeFiles(root);
  const metadata: Record<string, string> = {};
  const chunkKeys: string[] = [];
  for (const [key, bytes] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (isMetadata(key)) metadata[key] = bytes.toString("utf8");
    else chunkKeys.push(key);
  }
  const store = new FileStore(root);
  const state = await readConsolidated<Ledger>(store);
  if (state === undefined) throw new Error(`${root}: no consolidated metadata`);
  const arrays: Record<string, string> = {};
  for (const [path, node] of Object.entries(state.hierarchy.arrays).sort(([a], [b]) => a.localeCompare(b))) {
    const data = await readRegion({ store, path, meta: node.meta, format: state.format });
    // Bytes rather than values, so NaN fills compare equal and -0 differs from 0.
    arrays[path] = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  }
  return { metadata, chunkKeys, arrays };
}
