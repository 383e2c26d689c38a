// Where a Dataset's store and an IngestJob's file:// inputs live. Locally every file:// URL
// resolves under a root directory (the data directory of `dmac up`, /data/stores in a pod), never
// outside it, so a resource cannot make the operator write, or the data API read, arbitrary paths
// on its host. The operator resolves spec.storage.url with it; the data API status.storeUrl.
import { resolve, sep } from "node:path";

export interface StorageRoots {
  /** file:// Dataset stores resolve under this directory. */
  readonly storageRoot: string;
  /** file:// IngestJob sources resolve under this directory. */
  readonly inputRoot: string;
}

export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** The location the data plane opens for a Dataset's `spec.storage.url`. */
export function storeLocation(url: string, roots: StorageRoots): string {
  return storeLocationUnder(url, roots.storageRoot);
}

/** `storeLocation` for a reader that knows only the storage root (the data API). */
export function storeLocationUnder(url: string, storageRoot: string): string {
  if (url.startsWith("s3://")) return url;
  if (!url.startsWith("file://")) throw new StorageError(`spec.storage.url: unsupported scheme in ${url}`);
  const path = decodeURIComponent(new URL(url).pathname);
  const root = resolve(storageRoot);
  const full = resolve(root, `.${path}`);
  if (full === root || !full.startsWith(root + sep)) throw new StorageError(`spec.storage.url: ${url} resolves outside the storage root`);
  return full;
}
