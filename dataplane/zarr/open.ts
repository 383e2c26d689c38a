// Opening a store by URL: file:// (or a local path), s3:// and http(s)://. Kept apart from the
// store interfaces (store.ts) because it loads the S3 and HTTP stores, which implement them.
import { fileURLToPath } from "node:url";
import { FileStore, isWritable, type ReadableStore, type WritableStore } from "./store.js";

/** Opens a store from a URL or a local path: file://, s3:// (writable) or http(s):// (read-only). */
export async function openStore(location: string): Promise<ReadableStore> {
  if (location.startsWith("s3://")) {
    const { S3Store } = await import("./s3-store.js");
    return S3Store.fromUrl(location);
  }
  if (/^https?:\/\//.test(location)) {
    const { HttpStore } = await import("./http-store.js");
    return new HttpStore(location);
  }
  if (location.startsWith("file://")) return new FileStore(fileURLToPath(location));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new Error(`store url ${location}: unsupported scheme (use file://, s3:// or https://)`);
  return new FileStore(location);
}

export async function openWritableStore(location: string): Promise<WritableStore> {
  const store = await openStore(location);
  if (!isWritable(store)) throw new Error(`store url ${location}: read-only (http stores cannot be written)`);
  return store;
}
