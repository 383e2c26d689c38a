// Where a Dataset's store and an IngestJob's file:// inputs live. Locally every file:// URL
// resolves under a root directory (the data directory of `dmac up`), never outside it, so a
// resource cannot make the operator read or write arbitrary paths on its host.
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
  if (url.startsWith("s3://")) return url;
  if (!url.startsWith("file://")) throw new StorageError(`spec.storage.url: unsupported scheme in ${url}`);
  const path = decodeURIComponent(new URL(url).pathname);
  const root = resolve(roots.storageRoot);
  const full = resolve(root, `.${path}`);
  if (full === root || !full.startsWith(root + sep)) throw new StorageError(`spec.storage.url: ${url} resolves outside the storage root`);
  return full;
}
