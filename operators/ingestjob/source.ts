// Expands an IngestJob's source into work items, one per file, each with a stable identity.
// An item's id is a hash of its URL and its content identity (ETag, size, mtime), so a file that is
// already ingested is recognised and skipped, and a file rewritten in place becomes a new item.
import type { S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import type { IngestJobSpec } from "../../crds/index.js";
import { keyBelowPrefix, keyRegex as sourceKeyRegex, prefixKeyMatches, s3Location, SourcePatternError } from "../../crds/source-match.js";
import { describeS3Error } from "../dataplane.js";

export interface WorkItem {
  /** Stable id: 24 hex digits of sha256(url, etag, size, mtime). */
  readonly id: string;
  readonly url: string;
  readonly size: number;
  readonly etag?: string;
  readonly mtime?: string;
}

export interface SourceContext {
  /** file:// URLs resolve under this directory and may not leave it. */
  readonly inputRoot: string;
  /** The S3 client for an s3:// source (its region, endpoint and credentials). */
  readonly s3: () => Promise<S3Client>;
  readonly fetch?: typeof fetch;
}

export class SourceError extends Error {
  override readonly name = "SourceError";
}

export function itemId(url: string, identity: { etag?: string; size: number; mtime?: string }): string {
  return createHash("sha256").update([url, identity.etag ?? "", String(identity.size), identity.mtime ?? ""].join("\n")).digest("hex").slice(0, 24);
}

function item(url: string, identity: { etag?: string; size: number; mtime?: string }): WorkItem {
  return { id: itemId(url, identity), url, ...identity };
}

/** Maps file:///a/b to <inputRoot>/a/b, refusing anything that would escape the root. */
export function localPath(url: string, inputRoot: string): string {
  const path = decodeURIComponent(new URL(url).pathname);
  const root = resolve(inputRoot);
  const full = resolve(root, `.${path}`);
  if (full !== root && !full.startsWith(root + sep)) throw new SourceError(`${url}: resolves outside the input root`);
  return full;
}

function keyRegex(pattern: string, where: string): RegExp {
  try {
    return sourceKeyRegex(pattern, where);
  } catch (error) {
    throw error instanceof SourcePatternError ? new SourceError(error.message) : error;
  }
}

async function listLocal(prefix: NonNullable<IngestJobSpec["source"]["prefix"]>, context: SourceContext): Promise<WorkItem[]> {
  const base = localPath(prefix.url, context.inputRoot);
  const pattern = keyRegex(prefix.keyPattern, "spec.source.prefix.keyPattern");
  let entries;
  try {
    entries = await readdir(base, { recursive: prefix.recursive, withFileTypes: true });
  } catch (error) {
    throw new SourceError(`${prefix.url}: cannot list: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const items: WorkItem[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const key = relative(base, full).split(sep).join("/");
    if (!prefixKeyMatches(prefix, key, pattern)) continue;
    const info = await stat(full);
    const url = new URL(`${prefix.url.replace(/\/?$/, "/")}${key.split("/").map(encodeURIComponent).join("/")}`).href;
    items.push(item(url, { size: info.size, mtime: info.mtime.toISOString() }));
  }
  return items;
}

const bucketAndKey = s3Location;

/** Where an S3 source's credentials come from, named when S3 refuses them. */
export const SOURCE_CREDENTIALS = "spec.source.credentials.secretRef";

async function s3Call<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new SourceError(`${what}: ${describeS3Error(error, SOURCE_CREDENTIALS)}`, { cause: error });
  }
}

/** One listed S3 object as a work item: the lister and the event handoff build it alike, so one object has one id. */
function s3Item(bucket: string, object: { Key?: string; ETag?: string; Size?: number; LastModified?: Date }, url = `s3://${bucket}/${object.Key ?? ""}`): WorkItem {
  return item(url, { etag: object.ETag?.replaceAll('"', ""), size: object.Size ?? 0, mtime: object.LastModified?.toISOString() });
}

/**
 * The work item of one announced S3 object, read by listing exactly its key (not HEAD): the
 * listing's identity (ETag, size, LastModified) is the scan's, so the cron rescan recognises the
 * item. `asUrl`: the URL as the source spells it (a URL-list source's own spelling), which the item's
 * id depends on. Undefined when the object is not readable yet (a notification can arrive first).
 */
export async function describeS3Object(url: string, context: Pick<SourceContext, "s3">, asUrl?: string): Promise<WorkItem | undefined> {
  const { bucket, key } = s3Location(url);
  const client = await context.s3();
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const page = await s3Call(`listing ${url}`, () => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 10 })));
  const object = (page.Contents ?? []).find((o) => o.Key === key);
  return object ? s3Item(bucket, object, asUrl) : undefined;
}

async function listS3(prefix: NonNullable<IngestJobSpec["source"]["prefix"]>, context: SourceContext): Promise<WorkItem[]> {
  const client = await context.s3();
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const { bucket, key: keyPrefix } = bucketAndKey(prefix.url);
  const pattern = keyRegex(prefix.keyPattern, "spec.source.prefix.keyPattern");
  const items: WorkItem[] = [];
  let token: string | undefined;
  do {
    const page = await s3Call(`listing ${prefix.url}`, () => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: token, ...(prefix.recursive ? {} : { Delimiter: "/" }) })));
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const relativeKey = keyBelowPrefix(keyPrefix, object.Key, prefix.recursive);
      if (relativeKey === undefined || !prefixKeyMatches(prefix, relativeKey, pattern)) continue;
      items.push(s3Item(bucket, object));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return items;
}

async function describeUrl(url: string, context: SourceContext): Promise<WorkItem> {
  const scheme = new URL(url).protocol;
  if (scheme === "file:") {
    const info = await stat(localPath(url, context.inputRoot)).catch((error: NodeJS.ErrnoException) => {
      throw new SourceError(`${url}: ${error.code ?? error.message}`);
    });
    return item(url, { size: info.size, mtime: info.mtime.toISOString() });
  }
  if (scheme === "s3:") {
    const { bucket, key } = bucketAndKey(url);
    const [client, { HeadObjectCommand }] = await Promise.all([context.s3(), import("@aws-sdk/client-s3")]);
    const head = await s3Call(url, () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    return item(url, { etag: head.ETag?.replaceAll('"', ""), size: head.ContentLength ?? 0, mtime: head.LastModified?.toISOString() });
  }
  const response = await (context.fetch ?? fetch)(url, { method: "HEAD" });
  if (!response.ok) throw new SourceError(`${url}: HEAD answered ${response.status}`);
  const size = Number(response.headers.get("content-length") ?? "0");
  return item(url, { etag: response.headers.get("etag")?.replaceAll('"', "") ?? undefined, size, mtime: response.headers.get("last-modified") ?? undefined });
}

/** Every file the source names now, sorted by URL (the order files are ingested in). */
export async function listSourceItems(source: IngestJobSpec["source"], context: SourceContext): Promise<WorkItem[]> {
  let items: WorkItem[];
  if (source.prefix) {
    items = source.prefix.url.startsWith("s3://") ? await listS3(source.prefix, context) : await listLocal(source.prefix, context);
  } else {
    items = await Promise.all((source.urls ?? []).map((url) => describeUrl(url, context)));
  }
  return items.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/** True when reading the source needs S3 (and so its credentials). */
export function readsS3(source: IngestJobSpec["source"]): boolean {
  return source.prefix ? source.prefix.url.startsWith("s3://") : (source.urls ?? []).some((url) => url.startsWith("s3://"));
}
