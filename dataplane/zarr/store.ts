// Key-value stores under a Zarr hierarchy. Keys are absolute ("/zeta/.zarray"), as zarrita's
// stores expect, so these stores can be handed to zarrita for reading as they are.
// Every `set` replaces a whole object atomically: readers see the old bytes or the new, never half.
import { mkdir, readFile, rename, writeFile, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";

export type StoreKey = `/${string}`;

export interface ReadableStore {
  readonly url: string;
  get(key: StoreKey): Promise<Uint8Array | undefined>;
}

export interface WritableStore extends ReadableStore {
  /**
   * Replaces the object at `key` atomically. The store must not keep `value` once the promise
   * settles: writers recycle that buffer for the next chunk.
   */
  set(key: StoreKey, value: Uint8Array): Promise<void>;
}

export function isWritable(store: ReadableStore): store is WritableStore {
  return typeof (store as Partial<WritableStore>).set === "function";
}

function checkKey(key: string): void {
  if (!key.startsWith("/") || key.split("/").some((part) => part === ".." || part === ".")) throw new Error(`store key ${JSON.stringify(key)}: not a normalised absolute key`);
}

/** A Zarr store in a local directory; writes go to a temporary file then rename(2) into place. */
export class FileStore implements WritableStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  get url(): string {
    return `file://${this.root}`;
  }
  async get(key: StoreKey): Promise<Uint8Array | undefined> {
    checkKey(key);
    try {
      const bytes = await readFile(join(this.root, key));
      // A Buffer that owns its whole memory is handed on as a plain view (no copy: a chunk read by
      // the data API was read twice over); a slice of Node's shared pool (small files) is copied.
      return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }
  async set(key: StoreKey, value: Uint8Array): Promise<void> {
    checkKey(key);
    const path = join(this.root, key);
    const tmp = join(dirname(path), `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(tmp, value);
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

export async function getJson<T>(store: ReadableStore, key: StoreKey): Promise<T | undefined> {
  const bytes = await store.get(key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (err) {
    throw new Error(`${store.url}${key}: invalid JSON (${(err as Error).message})`);
  }
}

export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, jsonReplacer, 2));
}

/** Zarr v2 JSON spells non-finite fill values as strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  return value;
}
