// Writes a reference document in one atomic step: a local file (temporary file, then rename) or
// one object PUT, through the same stores the Zarr writer uses.
import { basename, dirname } from "node:path";
import { openWritableStore } from "../zarr/open.js";
import type { StoreKey } from "../zarr/store.js";
import type { ReferenceDocument } from "./types.js";

export async function writeReferences(location: string, doc: ReferenceDocument): Promise<void> {
  const at = location.replace(/\/+$/, "").lastIndexOf("/");
  const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  const parent = remote ? location.slice(0, at) : dirname(location);
  const name = remote ? location.slice(at + 1) : basename(location);
  if (name === "" || (remote && !/^[a-z][a-z0-9+.-]*:\/\/.+/i.test(parent))) throw new Error(`--references ${location}: give a file name for the reference document`);
  const store = await openWritableStore(parent);
  await store.set(`/${name}` as StoreKey, new TextEncoder().encode(`${JSON.stringify(doc)}\n`));
}
