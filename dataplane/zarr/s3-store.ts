// Zarr store in an S3 bucket (AWS or any S3-compatible endpoint). A PUT replaces an object
// atomically, which is the property the commit protocol needs.
import { GetObjectCommand, PutObjectCommand, NoSuchKey, type S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "../s3-client.js";
import type { StoreKey, WritableStore } from "./store.js";

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  client?: S3Client;
}

export class S3Store implements WritableStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  constructor(opts: S3StoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(opts.bucket)) throw new Error(`storage.url: invalid S3 bucket name ${JSON.stringify(opts.bucket)}`);
    this.bucket = opts.bucket;
    this.prefix = opts.prefix.replace(/^\/+|\/+$/g, "");
    this.client = opts.client ?? createS3Client();
  }
  static fromUrl(url: string, client?: S3Client): S3Store {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (m === null) throw new Error(`storage.url ${url}: expected s3://bucket/prefix`);
    return new S3Store({ bucket: m[1] ?? "", prefix: m[2] ?? "", ...(client ? { client } : {}) });
  }
  get url(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }
  private objectKey(key: StoreKey): string {
    return this.prefix === "" ? key.slice(1) : `${this.prefix}${key}`;
  }
  async get(key: StoreKey): Promise<Uint8Array | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return res.Body === undefined ? new Uint8Array() : await res.Body.transformToByteArray();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey" || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }
  async set(key: StoreKey, value: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: value }));
  }
}
