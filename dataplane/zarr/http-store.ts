// Read-only Zarr store over HTTP(S) (a static site or a public bucket's web endpoint).
import type { ReadableStore, StoreKey } from "./store.js";

export class HttpStore implements ReadableStore {
  readonly url: string;
  constructor(url: string) {
    this.url = url.replace(/\/+$/, "");
  }
  async get(key: StoreKey): Promise<Uint8Array | undefined> {
    const res = await fetch(this.url + key);
    if (res.status === 404 || res.status === 403) return undefined;
    if (!res.ok) throw new Error(`${this.url}${key}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
