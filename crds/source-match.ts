// Which keys an IngestJob's source names, defined once for both places that decide it: the source
// lister (operators/ingestjob/source.ts, scanning a bucket or directory) and the event bridge
// (apps/event-bridge, matching one announced S3 object). A key belongs to a prefix source when it
// lies under the prefix, directly when the source is not recursive, and its part below the prefix
// matches keyPattern; to a URL-list source when its URL is listed; and the bucket and, when both
// say one, the region agree.
import type { IngestJobSpec } from "./api/index.js";

type Source = IngestJobSpec["source"];
type Prefix = NonNullable<Source["prefix"]>;

export class SourcePatternError extends Error {
  override readonly name = "SourcePatternError";
}

/** The bucket and (URL-decoded) key of an s3:// URL. */
export function s3Location(url: string): { bucket: string; key: string } {
  const parsed = new URL(url);
  return { bucket: parsed.hostname, key: decodeURIComponent(parsed.pathname.replace(/^\//, "")) };
}

/** The source's key pattern; an invalid one names its field. */
export function keyRegex(pattern: string, where = "spec.source.prefix.keyPattern"): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new SourcePatternError(`${where}: invalid regular expression: ${(error as Error).message}`);
  }
}

/** The part of `key` below the prefix `keyPrefix` when it is under it (directly, unless recursive); else undefined. */
export function keyBelowPrefix(keyPrefix: string, key: string, recursive: boolean): string | undefined {
  if (!key.startsWith(keyPrefix)) return undefined;
  const relative = key.slice(keyPrefix.length).replace(/^\//, "");
  if (relative === "" || (!recursive && relative.includes("/"))) return undefined;
  return relative;
}

/** True when a key found under the prefix (relative to it) is one the source ingests. */
export function prefixKeyMatches(prefix: Prefix, relativeKey: string, pattern: RegExp = keyRegex(prefix.keyPattern)): boolean {
  return pattern.test(relativeKey);
}

export interface AnnouncedObject {
  readonly bucket: string;
  readonly key: string;
  /** The region the notification came from (S3 event `awsRegion`), when known. */
  readonly region?: string;
}

/** The s3:// URL of the object when the source names it; undefined when it does not. Never throws for a bad pattern: such a job matches nothing. */
export function matchSource(source: Source, object: AnnouncedObject): string | undefined {
  // Spelled as the lister spells an S3 item's URL (the raw key), so both paths name one object alike.
  const url = `s3://${object.bucket}/${object.key}`;
  if (source.region && object.region && source.region !== object.region) return undefined;
  if (source.prefix) {
    if (!source.prefix.url.startsWith("s3://")) return undefined;
    const { bucket, key: keyPrefix } = s3Location(source.prefix.url);
    if (bucket !== object.bucket) return undefined;
    const relative = keyBelowPrefix(keyPrefix, object.key, source.prefix.recursive);
    if (relative === undefined) return undefined;
    try {
      return prefixKeyMatches(source.prefix, relative) ? url : undefined;
    } catch {
      return undefined;
    }
  }
  for (const listed of source.urls ?? []) {
    if (!listed.startsWith("s3://")) continue;
    const { bucket, key } = s3Location(listed);
    if (bucket === object.bucket && key === object.key) return listed;
  }
  return undefined;
}
